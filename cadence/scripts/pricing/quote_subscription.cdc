import "UsageBasedSubscriptions"

/// The exact price of `tokens` more tokens of `model` for subscription `id` now (nil if unknown).
access(all) fun main(id: UInt64, model: String, tokens: UInt64): UFix64? {
    return UsageBasedSubscriptions.quoteForSubscription(id: id, model: model, tokens: tokens)
}
