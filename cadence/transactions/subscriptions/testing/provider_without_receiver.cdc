import "SimpleUsageSubscriptions"

/// Test only: makes the signer a provider that cannot receive FLOW (its Provider resource saved,
/// its FlowToken receiver unpublished), so settlements leave its earnings owed until it collects.
transaction {
    prepare(signer: auth(BorrowValue, SaveValue, UnpublishCapability) &Account) {
        if signer.storage.borrow<&SimpleUsageSubscriptions.Provider>(from: SimpleUsageSubscriptions.ProviderStoragePath) == nil {
            signer.storage.save(<- SimpleUsageSubscriptions.createProvider(), to: SimpleUsageSubscriptions.ProviderStoragePath)
        }
        let _ = signer.capabilities.unpublish(/public/flowTokenReceiver)
    }
}
