import "FlareFDCTriggers"

/// Sets how long a chunked report must make no progress before it can be resumed (60 s to 1 day).
transaction(seconds: UFix64) {
    let admin: auth(FlareFDCTriggers.Configure) &FlareFDCTriggers.Admin

    prepare(signer: auth(BorrowValue) &Account) {
        self.admin = signer.storage.borrow<auth(FlareFDCTriggers.Configure) &FlareFDCTriggers.Admin>(from: FlareFDCTriggers.AdminStoragePath)
            ?? panic("set_stuck_after: the signer holds no FlareFDCTriggers Admin (account \(signer.address), path \(FlareFDCTriggers.AdminStoragePath))")
    }

    execute {
        self.admin.setStuckAfter(seconds)
    }
}
