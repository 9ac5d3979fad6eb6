import "FungibleToken"
import "FlowToken"
import "SimpleUsageSubscriptions"

/// Benchmark setup only: opens `count` subscriptions to `provider`, `deposit` FLOW each, from the
/// signer (a settlement benchmark needs hundreds of subscriptions, one transaction each is slow).
transaction(provider: Address, count: Int, deposit: UFix64) {
    prepare(signer: auth(BorrowValue, SaveValue) &Account) {
        if signer.storage.borrow<&SimpleUsageSubscriptions.Customer>(from: SimpleUsageSubscriptions.CustomerStoragePath) == nil {
            signer.storage.save(<- SimpleUsageSubscriptions.createCustomer(), to: SimpleUsageSubscriptions.CustomerStoragePath)
        }
        let customer = signer.storage.borrow<auth(SimpleUsageSubscriptions.Manage) &SimpleUsageSubscriptions.Customer>(from: SimpleUsageSubscriptions.CustomerStoragePath)
            ?? panic("create_subscriptions: the signer's Customer resource has the wrong type (account \(signer.address), path \(SimpleUsageSubscriptions.CustomerStoragePath))")
        let vault = signer.storage.borrow<auth(FungibleToken.Withdraw) &FlowToken.Vault>(from: /storage/flowTokenVault)
            ?? panic("create_subscriptions: the signer has no FlowToken vault (account \(signer.address), path /storage/flowTokenVault)")
        var i = 0
        while i < count {
            let _ = customer.createSubscription(provider: provider, deposit: <- (vault.withdraw(amount: deposit) as! @FlowToken.Vault), maxBudgetPerPeriod: nil, allowedModels: nil)
            i = i + 1
        }
    }
}
