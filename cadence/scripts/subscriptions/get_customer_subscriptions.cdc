import "SimpleUsageSubscriptions"

/// Every subscription `customer` created, oldest first.
access(all) fun main(customer: Address): [SimpleUsageSubscriptions.SubscriptionInfo] {
    let infos: [SimpleUsageSubscriptions.SubscriptionInfo] = []
    for id in SimpleUsageSubscriptions.getCustomerSubscriptionIds(customer) {
        infos.append(SimpleUsageSubscriptions.getSubscription(id)!)
    }
    return infos
}
