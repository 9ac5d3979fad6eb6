/// What an account's storage needs of its FLOW: "balance" and "availableBalance" (FLOW not held
/// back for storage) in FLOW, "storageUsed" and "storageCapacity" in bytes.
access(all) fun main(account: Address): {String: UFix64} {
    let acct = getAccount(account)
    return {
        "balance": acct.balance,
        "availableBalance": acct.availableBalance,
        "storageUsed": UFix64(acct.storage.used),
        "storageCapacity": UFix64(acct.storage.capacity)
    }
}
