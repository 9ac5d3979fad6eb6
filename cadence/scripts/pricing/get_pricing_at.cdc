import "UsageBasedSubscriptions"

/// The pricing in force for a usage window starting at `time` (unix seconds): what its lines
/// were, or will be, billed by.
access(all) fun main(time: UFix64): UsageBasedSubscriptions.PricingConfig {
    return UsageBasedSubscriptions.getPricingAt(time)
}
