import "FungibleToken"

/// Test helper: the FLOW balance of `account`.
access(all) fun main(account: Address): UFix64 {
    return getAccount(account).capabilities.borrow<&{FungibleToken.Balance}>(/public/flowTokenBalance)?.balance ?? 0.0
}
