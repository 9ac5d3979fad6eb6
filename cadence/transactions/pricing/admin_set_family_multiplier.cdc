import "UsageBasedSubscriptions"

/// Sets model family `family`'s price multiplier (adds the family if new).
transaction(family: String, multiplier: UFix64) {
    let admin: auth(UsageBasedSubscriptions.Configure) &UsageBasedSubscriptions.Admin

    prepare(signer: auth(BorrowValue) &Account) {
        self.admin = signer.storage.borrow<auth(UsageBasedSubscriptions.Configure) &UsageBasedSubscriptions.Admin>(from: UsageBasedSubscriptions.AdminStoragePath)
            ?? panic("admin_set_family_multiplier: the signer holds no UsageBasedSubscriptions Admin (account \(signer.address), path \(UsageBasedSubscriptions.AdminStoragePath))")
    }

    execute {
        self.admin.setFamilyMultiplier(family: family, multiplier: multiplier)
    }
}
