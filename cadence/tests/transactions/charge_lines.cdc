import "BillingHarness"

/// Test only: charges usage lines (parallel arrays, in report order) through the test harness's
/// Biller under the pricing and period of `windowStart`, then settles through `usageThrough`.
transaction(subscriptionIds: [UInt64], families: [String], tokens: [UInt64], windowStart: UFix64, usageThrough: UFix64) {
    execute {
        BillingHarness.charge(subscriptionIds: subscriptionIds, families: families, tokens: tokens, windowStart: windowStart, usageThrough: usageThrough)
    }
}
