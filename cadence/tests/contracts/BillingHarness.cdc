import "UsageBasedSubscriptions"

/// Test only, never deployed outside `flow test`: stands in for FlareFDCTriggers as the holder of
/// the one Biller, so the billing rules can be tested line by line without oracle signatures.
/// Deployed on the contracts' account in place of FlareFDCTriggers (the Biller is made once:
/// whichever contract takes it first is the only one that can ever bill).
access(all) contract BillingHarness {

    /// One charged line as the Biller reported it.
    access(all) event LineCharged(id: UInt64, family: String, tokens: UInt64, cost: UFix64, charged: UFix64, paidTokens: UInt64, unknown: Bool, closed: Bool, suspended: Bool)

    access(self) let biller: @UsageBasedSubscriptions.Biller

    /// Charges the lines in order under the pricing and period of `windowStart`, then settles
    /// through `usageThrough`.
    access(all) fun charge(subscriptionIds: [UInt64], families: [String], tokens: [UInt64], windowStart: UFix64, usageThrough: UFix64) {
        pre {
            subscriptionIds.length == families.length && families.length == tokens.length: "BillingHarness: the line arrays differ in length"
        }
        let biller = &self.biller as auth(UsageBasedSubscriptions.Bill) &UsageBasedSubscriptions.Biller
        let unknown = UsageBasedSubscriptions.LineOutcome.Unknown.rawValue
        let closed = UsageBasedSubscriptions.LineOutcome.Closed.rawValue
        let suspended = UsageBasedSubscriptions.LineOutcome.Suspended.rawValue
        let _ = biller.chargeLines(
            subscriptionIds: &subscriptionIds as &[UInt64],
            families: &families as &[String],
            tokens: &tokens as &[UInt64],
            windowStart: windowStart,
            onLine: fun (i: Int, cost: UFix64, charged: UFix64, paidTokens: UInt64, outcome: UInt8) {
                emit LineCharged(id: subscriptionIds[i], family: families[i], tokens: tokens[i], cost: cost, charged: charged, paidTokens: paidTokens, unknown: outcome == unknown, closed: outcome == closed, suspended: outcome == suspended)
            }
        )
        self.biller.settle(usageThrough: usageThrough)
    }

    init() {
        self.biller <- UsageBasedSubscriptions.issueBiller()
    }
}
