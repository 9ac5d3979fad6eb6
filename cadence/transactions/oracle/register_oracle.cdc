import "FlareOracleVerifier"

/// Registers an oracle's secp256k1 public key (128 hex chars, no 04 prefix). Only the holder of the FlareOracleVerifier Admin can sign it.
transaction(publicKey: String) {
    let admin: auth(FlareOracleVerifier.Configure) &FlareOracleVerifier.Admin

    prepare(signer: auth(BorrowValue) &Account) {
        self.admin = signer.storage.borrow<auth(FlareOracleVerifier.Configure) &FlareOracleVerifier.Admin>(from: FlareOracleVerifier.AdminStoragePath)
            ?? panic("register_oracle: the signer holds no FlareOracleVerifier Admin (account \(signer.address), path \(FlareOracleVerifier.AdminStoragePath))")
    }

    execute {
        let _ = self.admin.registerOracle(publicKey: publicKey)
    }
}
