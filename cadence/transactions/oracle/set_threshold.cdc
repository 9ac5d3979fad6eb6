import "FlareOracleVerifier"

/// Sets how many distinct oracles must sign a report. Only the holder of the FlareOracleVerifier Admin can sign it.
transaction(threshold: Int) {
    let admin: auth(FlareOracleVerifier.Configure) &FlareOracleVerifier.Admin

    prepare(signer: auth(BorrowValue) &Account) {
        self.admin = signer.storage.borrow<auth(FlareOracleVerifier.Configure) &FlareOracleVerifier.Admin>(from: FlareOracleVerifier.AdminStoragePath)
            ?? panic("set_threshold: the signer holds no FlareOracleVerifier Admin (account \(signer.address), path \(FlareOracleVerifier.AdminStoragePath))")
    }

    execute {
        self.admin.setThreshold(threshold)
    }
}
