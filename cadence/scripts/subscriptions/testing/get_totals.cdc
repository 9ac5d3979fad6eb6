import "SimpleUsageSubscriptions"

/// The escrow contract's money ledger: deposits, paid and owed to providers, refunds, escrow,
/// and the vault's real balance (= owed + escrow).
access(all) fun main(): SimpleUsageSubscriptions.Totals {
    return SimpleUsageSubscriptions.getTotals()
}
