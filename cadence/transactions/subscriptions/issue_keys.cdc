import "SimpleUsageSubscriptions"

/// The provider attaches the first key hash of many subscriptions in one transaction:
/// `keyHashes[i]` (sha256 of the LiteLLM key, 64 lowercase hex characters) to `ids[i]`.
/// Subscriptions that closed or already carry a key are skipped; the KeyIssued events name the
/// ones attached. The signer's Provider resource is created on first use.
transaction(ids: [UInt64], keyHashes: [String]) {
    let provider: auth(SimpleUsageSubscriptions.ManageKeys) &SimpleUsageSubscriptions.Provider

    prepare(signer: auth(BorrowValue, SaveValue) &Account) {
        if signer.storage.borrow<&SimpleUsageSubscriptions.Provider>(from: SimpleUsageSubscriptions.ProviderStoragePath) == nil {
            signer.storage.save(<- SimpleUsageSubscriptions.createProvider(), to: SimpleUsageSubscriptions.ProviderStoragePath)
        }
        self.provider = signer.storage.borrow<auth(SimpleUsageSubscriptions.ManageKeys) &SimpleUsageSubscriptions.Provider>(from: SimpleUsageSubscriptions.ProviderStoragePath)
            ?? panic("issue_keys: the signer's Provider resource has the wrong type (account \(signer.address), path \(SimpleUsageSubscriptions.ProviderStoragePath))")
    }

    execute {
        // Which keys landed is in the KeyIssued events; skipped ones are not an error.
        let _ = self.provider.issueKeys(ids: ids, keyHashes: keyHashes)
    }
}
