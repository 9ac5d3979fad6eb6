import "SimpleUsageSubscriptions"

/// Subscription `id` as billing sees it now (nil if unknown): escrow balance, period usage and
/// spend, status, key hash.
access(all) fun main(id: UInt64): SimpleUsageSubscriptions.SubscriptionInfo? {
    return SimpleUsageSubscriptions.getSubscription(id)
}
