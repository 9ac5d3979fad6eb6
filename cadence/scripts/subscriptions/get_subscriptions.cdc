import "SimpleUsageSubscriptions"

/// Subscriptions `ids` as billing sees them now, in the order asked (nil for an unknown id):
/// get_subscription for many at once, as the key service's live limit reads every open one.
access(all) fun main(ids: [UInt64]): [SimpleUsageSubscriptions.SubscriptionInfo?] {
    let out: [SimpleUsageSubscriptions.SubscriptionInfo?] = []
    for id in ids {
        out.append(SimpleUsageSubscriptions.getSubscription(id))
    }
    return out
}
