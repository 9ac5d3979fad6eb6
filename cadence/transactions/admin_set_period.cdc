import "UsageBasedSubscriptions"

/// Sets the billing period, counted from each subscription's start (default 30 days).
transaction(seconds: UFix64) {
    let admin: auth(UsageBasedSubscriptions.Configure) &UsageBasedSubscriptions.Admin

    prepare(signer: auth(BorrowValue) &Account) {
        self.admin = signer.storage.borrow<auth(UsageBasedSubscriptions.Configure) &UsageBasedSubscriptions.Admin>(from: UsageBasedSubscriptions.AdminStoragePath)
            ?? panic("admin_set_period: the signer holds no UsageBasedSubscriptions Admin")
    }

    execute {
        self.admin.setBillingPeriod(seconds: seconds)
    }
}
