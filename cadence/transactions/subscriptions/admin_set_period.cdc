import "SimpleUsageSubscriptions"

/// Sets the billing period of subscriptions opened from now on (open ones keep theirs): 60 s to 366 days.
transaction(seconds: UFix64) {
    let admin: auth(SimpleUsageSubscriptions.Configure) &SimpleUsageSubscriptions.Admin

    prepare(signer: auth(BorrowValue) &Account) {
        self.admin = signer.storage.borrow<auth(SimpleUsageSubscriptions.Configure) &SimpleUsageSubscriptions.Admin>(from: SimpleUsageSubscriptions.AdminStoragePath)
            ?? panic("admin_set_period: the signer holds no SimpleUsageSubscriptions Admin (account \(signer.address), path \(SimpleUsageSubscriptions.AdminStoragePath))")
    }

    execute {
        self.admin.setBillingPeriod(seconds: seconds)
    }
}
