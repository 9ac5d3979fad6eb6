import "UsageBasedSubscriptions"

/// The admin issues a Biller, the only way to charge usage, into `recipient`'s storage (the
/// account of FlareFDCTriggers). Both accounts sign: a resource moves between them.
transaction {
    let admin: auth(UsageBasedSubscriptions.Configure) &UsageBasedSubscriptions.Admin
    let recipient: auth(SaveValue) &Account

    prepare(admin: auth(BorrowValue) &Account, recipient: auth(BorrowValue, SaveValue) &Account) {
        self.admin = admin.storage.borrow<auth(UsageBasedSubscriptions.Configure) &UsageBasedSubscriptions.Admin>(from: UsageBasedSubscriptions.AdminStoragePath)
            ?? panic("admin_issue_biller: the first signer holds no UsageBasedSubscriptions Admin")
        assert(
            recipient.storage.type(at: UsageBasedSubscriptions.BillerStoragePath) == nil,
            message: "admin_issue_biller: the recipient already stores something at the Biller path"
        )
        self.recipient = recipient
    }

    execute {
        self.recipient.storage.save(<- self.admin.createBiller(), to: UsageBasedSubscriptions.BillerStoragePath)
    }
}
