import "FlowToken"

/// FLOW's total supply: what the TypeScript wiring tests read from a fresh emulator.
access(all) fun main(): UFix64 {
    return FlowToken.totalSupply
}
