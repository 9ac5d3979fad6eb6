import "SettlementFloor"

/// Bench only (scripts/bench-flow-settlement.ts): the floor of a settlement's per-line cost, the
/// same line columns as submit_report minus what only pricing and the digest need, with the
/// amounts already priced.
transaction(window: UInt64, ids: [UInt64], families: [String], tokens: [UInt64], amounts: [UFix64], withEvents: Bool) {
    execute {
        SettlementFloor.charge(window: window, ids: ids, families: families, tokens: tokens, amounts: amounts, withEvents: withEvents)
    }
}
