import "UsageBasedSubscriptions"

/// Removes model name `model`'s family; it then uses the default multiplier.
transaction(model: String) {
    let admin: auth(UsageBasedSubscriptions.Configure) &UsageBasedSubscriptions.Admin

    prepare(signer: auth(BorrowValue) &Account) {
        self.admin = signer.storage.borrow<auth(UsageBasedSubscriptions.Configure) &UsageBasedSubscriptions.Admin>(from: UsageBasedSubscriptions.AdminStoragePath)
            ?? panic("admin_unmap_model: the signer holds no UsageBasedSubscriptions Admin (account \(signer.address), path \(UsageBasedSubscriptions.AdminStoragePath))")
    }

    execute {
        self.admin.unmapModel(model: model)
    }
}
