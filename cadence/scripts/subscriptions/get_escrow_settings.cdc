import "SimpleUsageSubscriptions"

/// The escrow settings in force: billing period of new subscriptions, close grace and its
/// lower bound (the settlement latency), minimum deposit.
access(all) fun main(): SimpleUsageSubscriptions.Settings {
    return SimpleUsageSubscriptions.getSettings()
}
