import "UsageBasedSubscriptions"

/// Sets how long after a close request a customer may finish the close without a settlement.
transaction(seconds: UFix64) {
    let admin: auth(UsageBasedSubscriptions.Configure) &UsageBasedSubscriptions.Admin

    prepare(signer: auth(BorrowValue) &Account) {
        self.admin = signer.storage.borrow<auth(UsageBasedSubscriptions.Configure) &UsageBasedSubscriptions.Admin>(from: UsageBasedSubscriptions.AdminStoragePath)
            ?? panic("admin_set_grace: the signer holds no UsageBasedSubscriptions Admin")
    }

    execute {
        self.admin.setCloseGracePeriod(seconds: seconds)
    }
}
