import "FungibleToken"
import "FlowToken"
import "SimpleUsageSubscriptions"

/// Test only (the billing property test): applies one step of customer operations to the
/// signer's subscriptions in one transaction. ops[i] on ids[i]: 1 top up amounts[i];
/// 2 set the cap to caps[i] (nil: no cap) and the models to models[i]; 3 request the close;
/// 4 finish the close (the refund returns to the signer's vault).
transaction(ids: [UInt64], ops: [UInt8], amounts: [UFix64], caps: [UFix64?], models: [[String]?]) {
    let customer: auth(SimpleUsageSubscriptions.Manage) &SimpleUsageSubscriptions.Customer
    let vault: auth(FungibleToken.Withdraw) &FlowToken.Vault

    prepare(signer: auth(BorrowValue) &Account) {
        self.customer = signer.storage.borrow<auth(SimpleUsageSubscriptions.Manage) &SimpleUsageSubscriptions.Customer>(from: SimpleUsageSubscriptions.CustomerStoragePath)
            ?? panic("customer_ops: the signer has no Customer resource (account \(signer.address), path \(SimpleUsageSubscriptions.CustomerStoragePath))")
        self.vault = signer.storage.borrow<auth(FungibleToken.Withdraw) &FlowToken.Vault>(from: /storage/flowTokenVault)
            ?? panic("customer_ops: the signer has no FlowToken vault (account \(signer.address), path /storage/flowTokenVault)")
    }

    pre {
        ids.length == ops.length && ops.length == amounts.length && amounts.length == caps.length && caps.length == models.length:
            "customer_ops: the arrays differ in length"
    }

    execute {
        var i = 0
        while i < ids.length {
            switch ops[i] {
                case 1:
                    self.customer.topUp(id: ids[i], from: <- (self.vault.withdraw(amount: amounts[i]) as! @FlowToken.Vault))
                case 2:
                    self.customer.update(id: ids[i], maxBudgetPerPeriod: caps[i], allowedModels: models[i])
                case 3:
                    self.customer.requestClose(id: ids[i])
                case 4:
                    self.vault.deposit(from: <- self.customer.finishClose(id: ids[i]))
                default:
                    panic("customer_ops: unknown op \(ops[i])")
            }
            i = i + 1
        }
    }
}
