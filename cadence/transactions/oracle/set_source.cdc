import "FlareOracleVerifier"

/// Sets the Coston2 chain id and UsageReportVerifier address attestations must name. Only the holder of the FlareOracleVerifier Admin can sign it.
transaction(coston2ChainId: UInt256, verifier: String) {
    let admin: auth(FlareOracleVerifier.Configure) &FlareOracleVerifier.Admin

    prepare(signer: auth(BorrowValue) &Account) {
        self.admin = signer.storage.borrow<auth(FlareOracleVerifier.Configure) &FlareOracleVerifier.Admin>(from: FlareOracleVerifier.AdminStoragePath)
            ?? panic("set_source: the signer holds no FlareOracleVerifier Admin (account \(signer.address), path \(FlareOracleVerifier.AdminStoragePath))")
    }

    execute {
        self.admin.setSource(coston2ChainId: coston2ChainId, verifier: verifier)
    }
}
