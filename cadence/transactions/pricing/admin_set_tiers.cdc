import "UsageBasedSubscriptions"

/// Replaces the tier table: tier i starts at thresholds[i] period-to-date tokens (first 0, strictly
/// ascending) and costs pricesPer1K[i] FLOW per 1,000 tokens (positive).
transaction(thresholds: [UInt64], pricesPer1K: [UFix64]) {
    let admin: auth(UsageBasedSubscriptions.Configure) &UsageBasedSubscriptions.Admin

    prepare(signer: auth(BorrowValue) &Account) {
        self.admin = signer.storage.borrow<auth(UsageBasedSubscriptions.Configure) &UsageBasedSubscriptions.Admin>(from: UsageBasedSubscriptions.AdminStoragePath)
            ?? panic("admin_set_tiers: the signer holds no UsageBasedSubscriptions Admin (account \(signer.address), path \(UsageBasedSubscriptions.AdminStoragePath))")
    }

    execute {
        self.admin.setTiers(thresholds: thresholds, pricesPer1K: pricesPer1K)
    }
}
