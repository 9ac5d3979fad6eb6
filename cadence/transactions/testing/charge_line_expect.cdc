import "UsageBasedSubscriptions"

/// Test helper: charges one line with the signer's Biller and fails unless the LineResult is
/// exactly the expected one (the fields FlareFDCTriggers relies on), then settles.
transaction(subscriptionId: UInt64, family: String, tokens: UInt64, cost: UFix64, charged: UFix64, unknown: Bool, closed: Bool, partial: Bool, suspended: Bool) {
    let biller: auth(UsageBasedSubscriptions.Bill) &UsageBasedSubscriptions.Biller

    prepare(signer: auth(BorrowValue) &Account) {
        self.biller = signer.storage.borrow<auth(UsageBasedSubscriptions.Bill) &UsageBasedSubscriptions.Biller>(from: UsageBasedSubscriptions.BillerStoragePath)
            ?? panic("charge_line_expect: the signer holds no Biller")
    }

    execute {
        let result = self.biller.charge(subscriptionId: subscriptionId, family: family, tokens: tokens, requests: 1, window: 1)
        assert(result.cost == cost, message: "charge_line_expect: cost ".concat(result.cost.toString()))
        assert(result.charged == charged, message: "charge_line_expect: charged ".concat(result.charged.toString()))
        assert(result.unknown == unknown, message: "charge_line_expect: unknown")
        assert(result.closed == closed, message: "charge_line_expect: closed")
        assert(result.isPartial() == partial, message: "charge_line_expect: partial")
        assert(result.suspended == suspended, message: "charge_line_expect: suspended")
        self.biller.settle(usageThrough: 0.0)
    }
}
