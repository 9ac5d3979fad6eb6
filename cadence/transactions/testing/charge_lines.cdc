import "UsageBasedSubscriptions"

/// Test stand-in for FlareFDCTriggers: charges usage lines (parallel arrays, in report order)
/// with the signer's Biller, then settles through `usageThrough` (pays each provider once).
transaction(subscriptionIds: [UInt64], families: [String], tokens: [UInt64], requests: [UInt64], window: UInt64, usageThrough: UFix64) {
    let biller: auth(UsageBasedSubscriptions.Bill) &UsageBasedSubscriptions.Biller

    prepare(signer: auth(BorrowValue) &Account) {
        self.biller = signer.storage.borrow<auth(UsageBasedSubscriptions.Bill) &UsageBasedSubscriptions.Biller>(from: UsageBasedSubscriptions.BillerStoragePath)
            ?? panic("charge_lines: the signer holds no Biller")
    }

    pre {
        subscriptionIds.length == families.length && families.length == tokens.length && tokens.length == requests.length:
            "charge_lines: the line arrays differ in length"
    }

    execute {
        var i = 0
        while i < subscriptionIds.length {
            self.biller.charge(subscriptionId: subscriptionIds[i], family: families[i], tokens: tokens[i], requests: requests[i], window: window)
            i = i + 1
        }
        self.biller.settle(usageThrough: usageThrough)
    }
}
