import "UsageBasedSubscriptions"

/// The exact price of `tokens` tokens of `model` (model name or family key) after `periodTokens`
/// tokens already counted in the period, under the current pricing.
access(all) fun main(model: String, tokens: UInt64, periodTokens: UInt64): UFix64 {
    return UsageBasedSubscriptions.quote(model: model, tokens: tokens, periodTokens: periodTokens)
}
