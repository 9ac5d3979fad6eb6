import "UsageBasedSubscriptions"

/// Withdraws every announced pricing change that has not taken effect yet.
transaction() {
    let admin: auth(UsageBasedSubscriptions.Configure) &UsageBasedSubscriptions.Admin

    prepare(signer: auth(BorrowValue) &Account) {
        self.admin = signer.storage.borrow<auth(UsageBasedSubscriptions.Configure) &UsageBasedSubscriptions.Admin>(from: UsageBasedSubscriptions.AdminStoragePath)
            ?? panic("admin_cancel_pricing_changes: the signer holds no UsageBasedSubscriptions Admin (account \(signer.address), path \(UsageBasedSubscriptions.AdminStoragePath))")
    }

    execute {
        self.admin.cancelPendingChanges()
    }
}
