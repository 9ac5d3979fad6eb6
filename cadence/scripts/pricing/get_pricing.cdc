import "UsageBasedSubscriptions"

/// The pricing in force now: tiers, family multipliers, default multiplier, model-to-family map
/// (what src/pricing mirrors), with the version, and the escrow settings a customer sees
/// (billing period of new subscriptions, close grace, minimum deposit, notice period).
access(all) fun main(): UsageBasedSubscriptions.PricingConfig {
    return UsageBasedSubscriptions.getPricing()
}
