import "UsageBasedSubscriptions"

/// The exact price of `tokens` tokens of `model` after `periodTokens` paid tokens in the period,
/// under the pricing in force for a usage window starting at `time`.
access(all) fun main(time: UFix64, model: String, tokens: UInt64, periodTokens: UInt64): UFix64 {
    return UsageBasedSubscriptions.quoteAt(time: time, model: model, tokens: tokens, periodTokens: periodTokens)
}
