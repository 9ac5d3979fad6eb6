import "UsageBasedSubscriptions"

/// The exact price under a given tier table and multiplier instead of the configured ones (fails
/// on an invalid table, with setTiers' messages): lets a differential test try random tables.
access(all) fun main(thresholds: [UInt64], pricesPer1K: [UFix64], multiplier: UFix64, tokens: UInt64, periodTokens: UInt64): UFix64 {
    return UsageBasedSubscriptions.quoteWithTiers(thresholds: thresholds, pricesPer1K: pricesPer1K, multiplier: multiplier, tokens: tokens, periodTokens: periodTokens)
}
