import "SimpleUsageSubscriptions"

/// Every subscription naming `provider`, oldest first.
access(all) fun main(provider: Address): [SimpleUsageSubscriptions.SubscriptionInfo] {
    let infos: [SimpleUsageSubscriptions.SubscriptionInfo] = []
    for id in SimpleUsageSubscriptions.getProviderSubscriptionIds(provider) {
        infos.append(SimpleUsageSubscriptions.getSubscription(id)!)
    }
    return infos
}
