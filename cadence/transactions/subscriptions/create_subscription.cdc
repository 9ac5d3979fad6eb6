import "FungibleToken"
import "FlowToken"
import "SimpleUsageSubscriptions"

/// Opens a subscription to `provider`, escrowing `deposit` FLOW from the signer's FlowToken vault.
/// `maxBudgetPerPeriod` caps what one billing period may cost (nil: no cap); `allowedModels`
/// restricts the key to these models (nil: all models). The signer's Customer resource is created
/// on first use.
transaction(provider: Address, deposit: UFix64, maxBudgetPerPeriod: UFix64?, allowedModels: [String]?) {
    let customer: auth(SimpleUsageSubscriptions.Manage) &SimpleUsageSubscriptions.Customer
    let payment: @FlowToken.Vault

    prepare(signer: auth(BorrowValue, SaveValue) &Account) {
        if signer.storage.borrow<&SimpleUsageSubscriptions.Customer>(from: SimpleUsageSubscriptions.CustomerStoragePath) == nil {
            signer.storage.save(<- SimpleUsageSubscriptions.createCustomer(), to: SimpleUsageSubscriptions.CustomerStoragePath)
        }
        self.customer = signer.storage.borrow<auth(SimpleUsageSubscriptions.Manage) &SimpleUsageSubscriptions.Customer>(from: SimpleUsageSubscriptions.CustomerStoragePath)
            ?? panic("create_subscription: the signer's Customer resource has the wrong type (account \(signer.address), path \(SimpleUsageSubscriptions.CustomerStoragePath))")
        let vault = signer.storage.borrow<auth(FungibleToken.Withdraw) &FlowToken.Vault>(from: /storage/flowTokenVault)
            ?? panic("create_subscription: the signer has no FlowToken vault (account \(signer.address), path /storage/flowTokenVault)")
        self.payment <- vault.withdraw(amount: deposit) as! @FlowToken.Vault
    }

    execute {
        let _ = self.customer.createSubscription(provider: provider, deposit: <-self.payment, maxBudgetPerPeriod: maxBudgetPerPeriod, allowedModels: allowedModels)
    }
}
