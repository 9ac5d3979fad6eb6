import "FungibleToken"
import "FlowToken"
import "SimpleUsageSubscriptions"

/// The provider takes what settlements could not pay it (it had no FlowToken receiver then).
transaction {
    let provider: auth(SimpleUsageSubscriptions.ManageKeys) &SimpleUsageSubscriptions.Provider
    let receiver: &{FungibleToken.Receiver}

    prepare(signer: auth(BorrowValue) &Account) {
        self.provider = signer.storage.borrow<auth(SimpleUsageSubscriptions.ManageKeys) &SimpleUsageSubscriptions.Provider>(from: SimpleUsageSubscriptions.ProviderStoragePath)
            ?? panic("collect_owed: the signer is not a provider (no Provider resource) (account \(signer.address), path \(SimpleUsageSubscriptions.ProviderStoragePath))")
        self.receiver = signer.storage.borrow<&FlowToken.Vault>(from: /storage/flowTokenVault)
            ?? panic("collect_owed: the signer has no FlowToken vault (account \(signer.address), path /storage/flowTokenVault)")
    }

    execute {
        self.receiver.deposit(from: <-self.provider.collectOwed())
    }
}
