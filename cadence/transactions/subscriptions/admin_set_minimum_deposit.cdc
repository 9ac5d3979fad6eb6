import "SimpleUsageSubscriptions"

/// Sets the deposit that opens a subscription and resumes one whose escrow ran out (0.01 to 10,000 FLOW).
transaction(amount: UFix64) {
    let admin: auth(SimpleUsageSubscriptions.Configure) &SimpleUsageSubscriptions.Admin

    prepare(signer: auth(BorrowValue) &Account) {
        self.admin = signer.storage.borrow<auth(SimpleUsageSubscriptions.Configure) &SimpleUsageSubscriptions.Admin>(from: SimpleUsageSubscriptions.AdminStoragePath)
            ?? panic("admin_set_minimum_deposit: the signer holds no SimpleUsageSubscriptions Admin (account \(signer.address), path \(SimpleUsageSubscriptions.AdminStoragePath))")
    }

    execute {
        self.admin.setMinimumDeposit(amount: amount)
    }
}
