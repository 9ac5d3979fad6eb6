import "FlareOracleVerifier"

/// Removes an oracle; its signatures stop counting. Only the holder of the FlareOracleVerifier Admin can sign it.
transaction(oracleId: UInt64) {
    let admin: auth(FlareOracleVerifier.Configure) &FlareOracleVerifier.Admin

    prepare(signer: auth(BorrowValue) &Account) {
        self.admin = signer.storage.borrow<auth(FlareOracleVerifier.Configure) &FlareOracleVerifier.Admin>(from: FlareOracleVerifier.AdminStoragePath)
            ?? panic("remove_oracle: the signer holds no FlareOracleVerifier Admin (account \(signer.address), path \(FlareOracleVerifier.AdminStoragePath))")
    }

    execute {
        self.admin.removeOracle(oracleId: oracleId)
    }
}
