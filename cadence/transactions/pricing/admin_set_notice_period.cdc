import "UsageBasedSubscriptions"

/// Sets how long a price increase waits after its announcement (1 hour to 90 days; a shorter notice applies only after the current one).
transaction(seconds: UFix64) {
    let admin: auth(UsageBasedSubscriptions.Configure) &UsageBasedSubscriptions.Admin

    prepare(signer: auth(BorrowValue) &Account) {
        self.admin = signer.storage.borrow<auth(UsageBasedSubscriptions.Configure) &UsageBasedSubscriptions.Admin>(from: UsageBasedSubscriptions.AdminStoragePath)
            ?? panic("admin_set_notice_period: the signer holds no UsageBasedSubscriptions Admin (account \(signer.address), path \(UsageBasedSubscriptions.AdminStoragePath))")
    }

    execute {
        self.admin.setNoticePeriod(seconds: seconds)
    }
}
