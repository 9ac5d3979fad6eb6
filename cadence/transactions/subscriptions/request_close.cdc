import "SimpleUsageSubscriptions"

/// Asks to close subscription `id`: it takes no new usage, the windows before now are still
/// billed, then finish_close refunds the rest. Only the subscription's customer may.
transaction(id: UInt64) {
    let customer: auth(SimpleUsageSubscriptions.Manage) &SimpleUsageSubscriptions.Customer

    prepare(signer: auth(BorrowValue) &Account) {
        self.customer = signer.storage.borrow<auth(SimpleUsageSubscriptions.Manage) &SimpleUsageSubscriptions.Customer>(from: SimpleUsageSubscriptions.CustomerStoragePath)
            ?? panic("request_close: the signer has no subscriptions (no Customer resource) (account \(signer.address), path \(SimpleUsageSubscriptions.CustomerStoragePath))")
    }

    execute {
        self.customer.requestClose(id: id)
    }
}
