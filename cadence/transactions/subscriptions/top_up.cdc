import "FungibleToken"
import "FlowToken"
import "SimpleUsageSubscriptions"

/// Adds `amount` FLOW from the signer's FlowToken vault to the escrow of subscription `id`.
/// Only the subscription's customer may; a top-up lifts an escrow suspension.
transaction(id: UInt64, amount: UFix64) {
    let customer: auth(SimpleUsageSubscriptions.Manage) &SimpleUsageSubscriptions.Customer
    let payment: @FlowToken.Vault

    prepare(signer: auth(BorrowValue) &Account) {
        self.customer = signer.storage.borrow<auth(SimpleUsageSubscriptions.Manage) &SimpleUsageSubscriptions.Customer>(from: SimpleUsageSubscriptions.CustomerStoragePath)
            ?? panic("top_up: the signer has no subscriptions (no Customer resource) (account \(signer.address), path \(SimpleUsageSubscriptions.CustomerStoragePath))")
        let vault = signer.storage.borrow<auth(FungibleToken.Withdraw) &FlowToken.Vault>(from: /storage/flowTokenVault)
            ?? panic("top_up: the signer has no FlowToken vault (account \(signer.address), path /storage/flowTokenVault)")
        self.payment <- vault.withdraw(amount: amount) as! @FlowToken.Vault
    }

    execute {
        self.customer.topUp(id: id, from: <-self.payment)
    }
}
