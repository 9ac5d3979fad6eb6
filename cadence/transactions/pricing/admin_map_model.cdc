import "UsageBasedSubscriptions"

/// Bills model name `model` (as LiteLLM reports it) at family `family`'s multiplier.
transaction(model: String, family: String) {
    let admin: auth(UsageBasedSubscriptions.Configure) &UsageBasedSubscriptions.Admin

    prepare(signer: auth(BorrowValue) &Account) {
        self.admin = signer.storage.borrow<auth(UsageBasedSubscriptions.Configure) &UsageBasedSubscriptions.Admin>(from: UsageBasedSubscriptions.AdminStoragePath)
            ?? panic("admin_map_model: the signer holds no UsageBasedSubscriptions Admin (account \(signer.address), path \(UsageBasedSubscriptions.AdminStoragePath))")
    }

    execute {
        self.admin.mapModel(model: model, family: family)
    }
}
