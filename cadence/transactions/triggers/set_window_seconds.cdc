import "FlareFDCTriggers"

/// Sets the usage window length (seconds) before the first window is settled; the local stack
/// uses short windows. Only the holder of the FlareFDCTriggers Admin can sign it.
transaction(seconds: UInt64) {
    let admin: auth(FlareFDCTriggers.Configure) &FlareFDCTriggers.Admin

    prepare(signer: auth(BorrowValue) &Account) {
        self.admin = signer.storage.borrow<auth(FlareFDCTriggers.Configure) &FlareFDCTriggers.Admin>(from: FlareFDCTriggers.AdminStoragePath)
            ?? panic("set_window_seconds: the signer holds no FlareFDCTriggers Admin (account \(signer.address), path \(FlareFDCTriggers.AdminStoragePath))")
    }

    execute {
        self.admin.setWindowSeconds(seconds)
    }
}
