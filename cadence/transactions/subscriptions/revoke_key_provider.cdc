import "SimpleUsageSubscriptions"

/// The provider detaches subscription `id`'s key hash.
transaction(id: UInt64) {
    let provider: auth(SimpleUsageSubscriptions.ManageKeys) &SimpleUsageSubscriptions.Provider

    prepare(signer: auth(BorrowValue) &Account) {
        self.provider = signer.storage.borrow<auth(SimpleUsageSubscriptions.ManageKeys) &SimpleUsageSubscriptions.Provider>(from: SimpleUsageSubscriptions.ProviderStoragePath)
            ?? panic("revoke_key_provider: the signer is not a provider (no Provider resource) (account \(signer.address), path \(SimpleUsageSubscriptions.ProviderStoragePath))")
    }

    execute {
        self.provider.revokeKey(id: id)
    }
}
