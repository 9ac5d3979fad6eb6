import "FungibleToken"
import "FlowToken"

/// Test helper: the service account sends `amount` FLOW to `recipient`.
transaction(recipient: Address, amount: UFix64) {
    let payment: @{FungibleToken.Vault}

    prepare(service: auth(BorrowValue) &Account) {
        let vault = service.storage.borrow<auth(FungibleToken.Withdraw) &FlowToken.Vault>(from: /storage/flowTokenVault)
            ?? panic("fund_account: the signer has no FlowToken vault (account \(service.address), path /storage/flowTokenVault)")
        self.payment <- vault.withdraw(amount: amount)
    }

    execute {
        getAccount(recipient).capabilities.borrow<&{FungibleToken.Receiver}>(/public/flowTokenReceiver)!
            .deposit(from: <-self.payment)
    }
}
