import "SimpleUsageSubscriptions"

/// Replaces subscription `id`'s period budget (nil: no cap) and allowed models (nil: all).
/// Both are set: pass the current value to keep one. Only the subscription's customer may.
transaction(id: UInt64, maxBudgetPerPeriod: UFix64?, allowedModels: [String]?) {
    let customer: auth(SimpleUsageSubscriptions.Manage) &SimpleUsageSubscriptions.Customer

    prepare(signer: auth(BorrowValue) &Account) {
        self.customer = signer.storage.borrow<auth(SimpleUsageSubscriptions.Manage) &SimpleUsageSubscriptions.Customer>(from: SimpleUsageSubscriptions.CustomerStoragePath)
            ?? panic("update_subscription: the signer has no subscriptions (no Customer resource) (account \(signer.address), path \(SimpleUsageSubscriptions.CustomerStoragePath))")
    }

    execute {
        self.customer.update(id: id, maxBudgetPerPeriod: maxBudgetPerPeriod, allowedModels: allowedModels)
    }
}
