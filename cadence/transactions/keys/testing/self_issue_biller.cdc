import "UsageBasedSubscriptions"

/// Test only (emulator): the pricing admin issues a Biller into its own storage, so a key-service
/// test can charge usage directly (with testing/charge_lines.cdc) and drive a subscription into
/// suspension. admin_issue_biller needs two signers; this is the same move with one.
transaction {
    prepare(admin: auth(BorrowValue, SaveValue) &Account) {
        let pricing = admin.storage.borrow<auth(UsageBasedSubscriptions.Configure) &UsageBasedSubscriptions.Admin>(from: UsageBasedSubscriptions.AdminStoragePath)
            ?? panic("self_issue_biller: the signer holds no UsageBasedSubscriptions Admin")
        if admin.storage.type(at: UsageBasedSubscriptions.BillerStoragePath) == nil {
            admin.storage.save(<- pricing.createBiller(), to: UsageBasedSubscriptions.BillerStoragePath)
        }
    }
}
