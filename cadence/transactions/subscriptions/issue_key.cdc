import "SimpleUsageSubscriptions"

/// The provider attaches `keyHash`, the sha256 (64 lowercase hex characters) of the LiteLLM key it
/// generated for subscription `id`. The key itself never comes on chain. The signer's Provider
/// resource is created on first use.
transaction(id: UInt64, keyHash: String) {
    let provider: auth(SimpleUsageSubscriptions.ManageKeys) &SimpleUsageSubscriptions.Provider

    prepare(signer: auth(BorrowValue, SaveValue) &Account) {
        if signer.storage.borrow<&SimpleUsageSubscriptions.Provider>(from: SimpleUsageSubscriptions.ProviderStoragePath) == nil {
            signer.storage.save(<- SimpleUsageSubscriptions.createProvider(), to: SimpleUsageSubscriptions.ProviderStoragePath)
        }
        self.provider = signer.storage.borrow<auth(SimpleUsageSubscriptions.ManageKeys) &SimpleUsageSubscriptions.Provider>(from: SimpleUsageSubscriptions.ProviderStoragePath)
            ?? panic("issue_key: the signer's Provider resource has the wrong type (account \(signer.address), path \(SimpleUsageSubscriptions.ProviderStoragePath))")
    }

    execute {
        self.provider.issueKey(id: id, keyHash: keyHash)
    }
}
