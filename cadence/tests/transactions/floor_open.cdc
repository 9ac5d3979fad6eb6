import "SettlementFloor"

/// Bench only (scripts/bench-flow-settlement.ts): opens `count` floor records with `balance` each.
transaction(count: Int, balance: UFix64) {
    execute {
        assert(SettlementFloor.open(count: count, balance: balance) + UInt64(count) == SettlementFloor.nextId)
    }
}
