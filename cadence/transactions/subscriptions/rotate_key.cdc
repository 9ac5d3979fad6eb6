import "SimpleUsageSubscriptions"

/// The provider replaces subscription `id`'s key hash with `newKeyHash` (sha256, 64 lowercase hex).
transaction(id: UInt64, newKeyHash: String) {
    let provider: auth(SimpleUsageSubscriptions.ManageKeys) &SimpleUsageSubscriptions.Provider

    prepare(signer: auth(BorrowValue) &Account) {
        self.provider = signer.storage.borrow<auth(SimpleUsageSubscriptions.ManageKeys) &SimpleUsageSubscriptions.Provider>(from: SimpleUsageSubscriptions.ProviderStoragePath)
            ?? panic("rotate_key: the signer is not a provider (no Provider resource) (account \(signer.address), path \(SimpleUsageSubscriptions.ProviderStoragePath))")
    }

    execute {
        self.provider.rotateKey(id: id, newKeyHash: newKeyHash)
    }
}
