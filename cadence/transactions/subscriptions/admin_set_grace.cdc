import "SimpleUsageSubscriptions"

/// Sets how long after a close request a customer may finish the close without a settlement
/// (at least the settlement latency, at most 30 days).
transaction(seconds: UFix64) {
    let admin: auth(SimpleUsageSubscriptions.Configure) &SimpleUsageSubscriptions.Admin

    prepare(signer: auth(BorrowValue) &Account) {
        self.admin = signer.storage.borrow<auth(SimpleUsageSubscriptions.Configure) &SimpleUsageSubscriptions.Admin>(from: SimpleUsageSubscriptions.AdminStoragePath)
            ?? panic("admin_set_grace: the signer holds no SimpleUsageSubscriptions Admin (account \(signer.address), path \(SimpleUsageSubscriptions.AdminStoragePath))")
    }

    execute {
        self.admin.setCloseGracePeriod(seconds: seconds)
    }
}
