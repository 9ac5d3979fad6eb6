import "SimpleUsageSubscriptions"

/// The customer detaches the key hash of subscription `id` (the key service then blocks the key).
transaction(id: UInt64) {
    let customer: auth(SimpleUsageSubscriptions.Manage) &SimpleUsageSubscriptions.Customer

    prepare(signer: auth(BorrowValue) &Account) {
        self.customer = signer.storage.borrow<auth(SimpleUsageSubscriptions.Manage) &SimpleUsageSubscriptions.Customer>(from: SimpleUsageSubscriptions.CustomerStoragePath)
            ?? panic("revoke_key_customer: the signer has no subscriptions (no Customer resource) (account \(signer.address), path \(SimpleUsageSubscriptions.CustomerStoragePath))")
    }

    execute {
        self.customer.revokeKey(id: id)
    }
}
