import "FungibleToken"
import "FlowToken"

/// Creates an account with one full-weight key (`publicKey`: 64-byte hex, ECDSA_P256 with SHA3_256)
/// and funds it with `initialFunds` FLOW from the signer. The local stack and the TypeScript tests
/// make customer and provider accounts with it; the new address is in the flow.AccountCreated event.
transaction(publicKey: String, initialFunds: UFix64) {
    let payer: auth(BorrowValue) &Account
    let funds: @{FungibleToken.Vault}

    prepare(signer: auth(BorrowValue) &Account) {
        self.payer = signer
        let vault = signer.storage.borrow<auth(FungibleToken.Withdraw) &FlowToken.Vault>(from: /storage/flowTokenVault)
            ?? panic("create_account: the signer has no FlowToken vault (account \(signer.address), path /storage/flowTokenVault)")
        self.funds <- vault.withdraw(amount: initialFunds)
    }

    execute {
        let account = Account(payer: self.payer)
        let _ = account.keys.add(
            publicKey: PublicKey(publicKey: publicKey.decodeHex(), signatureAlgorithm: SignatureAlgorithm.ECDSA_P256),
            hashAlgorithm: HashAlgorithm.SHA3_256,
            weight: 1000.0
        )
        let receiver = account.capabilities.borrow<&{FungibleToken.Receiver}>(/public/flowTokenReceiver)
            ?? panic("create_account: the new account has no FLOW receiver")
        receiver.deposit(from: <- self.funds)
    }
}
