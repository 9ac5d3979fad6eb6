import "UsageBasedSubscriptions"

/// How many of `tokens` (after `periodTokens`) a budget of `budget` FLOW pays for under a given
/// tier table and multiplier: the rule a partial charge follows when the escrow or the cap runs
/// out (fails on an invalid table, with setTiers' messages).
access(all) fun main(thresholds: [UInt64], pricesPer1K: [UFix64], multiplier: UFix64, tokens: UInt64, periodTokens: UInt64, budget: UFix64): UInt64 {
    UsageBasedSubscriptions.assertValidTiers(thresholds: thresholds, pricesPer1K: pricesPer1K)
    let priceUnits: [UInt64] = []
    for price in pricesPer1K {
        priceUnits.append(UsageBasedSubscriptions.toUnits(price))
    }
    return UsageBasedSubscriptions.paidTokens(
        thresholds: &thresholds as &[UInt64],
        priceUnits: &priceUnits as &[UInt64],
        multiplierUnits: UsageBasedSubscriptions.toUnits(multiplier),
        periodTokens: periodTokens,
        tokens: tokens,
        budgetUnits: UsageBasedSubscriptions.toUnits(budget)
    )
}
