import "FungibleToken"
import "FlowToken"
import "SimpleUsageSubscriptions"

/// Finishes closing subscription `id` and deposits the unbilled escrow into the signer's FlowToken
/// vault. Possible once usage up to the close request is settled, or after the grace period.
transaction(id: UInt64) {
    let customer: auth(SimpleUsageSubscriptions.Manage) &SimpleUsageSubscriptions.Customer
    let receiver: &{FungibleToken.Receiver}

    prepare(signer: auth(BorrowValue) &Account) {
        self.customer = signer.storage.borrow<auth(SimpleUsageSubscriptions.Manage) &SimpleUsageSubscriptions.Customer>(from: SimpleUsageSubscriptions.CustomerStoragePath)
            ?? panic("finish_close: the signer has no subscriptions (no Customer resource) (account \(signer.address), path \(SimpleUsageSubscriptions.CustomerStoragePath))")
        self.receiver = signer.storage.borrow<&FlowToken.Vault>(from: /storage/flowTokenVault)
            ?? panic("finish_close: the signer has no FlowToken vault (account \(signer.address), path /storage/flowTokenVault)")
    }

    execute {
        self.receiver.deposit(from: <-self.customer.finishClose(id: id))
    }
}
