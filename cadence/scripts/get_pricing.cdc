import "UsageBasedSubscriptions"

/// The full pricing configuration: tiers, family multipliers, default multiplier, model-to-family
/// map, billing period and close grace period (what src/pricing mirrors).
access(all) fun main(): UsageBasedSubscriptions.PricingConfig {
    return UsageBasedSubscriptions.getPricing()
}
