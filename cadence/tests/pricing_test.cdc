import Test
import "test_helpers.cdc"
import "SimpleUsageSubscriptions"
import "UsageBasedSubscriptions"

access(all) let outsider = Test.createAccount()

access(all) fun setup() {
    deployAll()
}

access(all) fun quote(_ model: String, _ tokens: UInt64, _ periodTokens: UInt64): UFix64 {
    return script("pricing/quote", [model, tokens, periodTokens])! as! UFix64
}

access(all) fun quoteWithTiers(_ thresholds: [UInt64], _ prices: [UFix64], _ multiplier: UFix64, _ tokens: UInt64, _ periodTokens: UInt64): Test.ScriptResult {
    return Test.executeScript(scriptCode("pricing/testing/quote_with_tiers"), [thresholds, prices, multiplier, tokens, periodTokens])
}

access(all) fun paidTokens(_ thresholds: [UInt64], _ prices: [UFix64], _ multiplier: UFix64, _ tokens: UInt64, _ periodTokens: UInt64, _ budget: UFix64): UInt64 {
    return script("pricing/testing/paid_tokens", [thresholds, prices, multiplier, tokens, periodTokens, budget])! as! UInt64
}

access(all) fun pricing(): UsageBasedSubscriptions.PricingConfig {
    return script("pricing/get_pricing", [])! as! UsageBasedSubscriptions.PricingConfig
}

/// Tiers as text, to compare a whole table in one assertion.
access(all) fun tiersText(): String {
    var text = ""
    for tier in pricing().tiers {
        text = text.concat(tier.threshold.toString()).concat("@").concat(tier.pricePer1K.toString()).concat(" ")
    }
    return text
}

access(all) let defaultTiers = "0@0.02000000 100000@0.01500000 1000000@0.01000000 10000000@0.00800000 "

access(all) fun testDesignExample() {
    // DESIGN.md: (100 x 0.020 + 50 x 0.015) x 1.5
    Test.assertEqual(4.125, quote("gpt-4", 150_000, 0))
}

access(all) fun testSharedVectors() {
    let rows = vectorRows("default")
    Test.assert(rows.length >= 50, message: "expected about 50 default vectors")
    for row in rows {
        let got = quote(row[0], UInt64.fromString(row[1])!, UInt64.fromString(row[2])!)
        Test.assertEqual(ufix(row[3]), got)
    }
}

access(all) fun testSharedCustomVectors() {
    let rows = vectorRows("custom")
    Test.assert(rows.length >= 5, message: "expected custom vectors")
    for row in rows {
        let thresholds: [UInt64] = []
        for t in row[0].split(separator: "|") {
            thresholds.append(UInt64.fromString(t)!)
        }
        let prices: [UFix64] = []
        for p in row[1].split(separator: "|") {
            prices.append(ufix(p))
        }
        let result = quoteWithTiers(thresholds, prices, ufix(row[2]), UInt64.fromString(row[3])!, UInt64.fromString(row[4])!)
        Test.expect(result, Test.beSucceeded())
        Test.assertEqual(ufix(row[5]), result.returnValue! as! UFix64)
    }
}

/// A budget pays for the most tokens whose cost it covers, to the 1e-8 FLOW: a budget of exactly
/// what n tokens cost pays for n of them, one unit (1e-8 FLOW) less for n - 1, from the start of
/// a period and from just below a tier boundary, up to amounts over a thousand FLOW.
access(all) fun testPaidTokensAreTheMostTheBudgetCovers() {
    let thresholds: [UInt64] = [0, 100_000, 1_000_000, 10_000_000]
    let prices = [0.02, 0.015, 0.01, 0.008]
    let starts: [UInt64] = [0, 99_990]
    let sizes: [UInt64] = [1, 7, 150_000, 1_000_000, 123_456_789]
    for periodTokens in starts {
        for n in sizes {
            let exact = quoteWithTiers(thresholds, prices, 1.5, n, periodTokens).returnValue! as! UFix64
            Test.assertEqual(n, paidTokens(thresholds, prices, 1.5, 1_000_000_000_000, periodTokens, exact))
            Test.assertEqual(n - 1, paidTokens(thresholds, prices, 1.5, 1_000_000_000_000, periodTokens, exact - 0.00000001))
        }
    }
    // A budget beyond the line's whole cost pays for the whole line, one in the first tier and
    // one reaching into the last (278.25 FLOW).
    Test.assertEqual(5 as UInt64, paidTokens(thresholds, prices, 1.5, 5, 0, 1000.0))
    Test.assertEqual(20_000_000 as UInt64, paidTokens(thresholds, prices, 1.5, 20_000_000, 0, 1000.0))
    // At 1e-8 FLOW a token, n units of budget pay for n tokens, not n + 1.
    let units: [UInt64] = [1, 2, 999, 1_000]
    for n in units {
        Test.assertEqual(n, paidTokens([0], [0.00001], 1.0, 1_000_000, 0, UFix64(n) / 100_000_000.0))
    }
    // Tokens whose whole cost truncates to 0 are paid by an empty budget: at 1e-19 FLOW a token,
    // 99,999,999,999 of them (1e-8 FLOW would buy 100,000,000,000).
    Test.assertEqual(99_999_999_999 as UInt64, paidTokens([0], [0.00000001], 0.00000001, 1_000_000_000_000, 0, 0.0))
}

access(all) fun testEveryBoundaryForEveryFamily() {
    // cost of the first n tokens at multiplier m: Starter 0.020, Growth 0.015, Scale 0.010
    let families = ["gpt-4", "gpt-3.5", "claude", "llama", "not-a-family"]
    let multipliers = [1.5, 0.8, 1.2, 0.6, 1.0]
    var i = 0
    while i < families.length {
        let f = families[i]
        let m = multipliers[i]
        Test.assertEqual(1.99998 * m, quote(f, 99_999, 0))
        Test.assertEqual(2.0 * m, quote(f, 100_000, 0))
        Test.assertEqual(2.000015 * m, quote(f, 100_001, 0))
        Test.assertEqual(15.5 * m, quote(f, 1_000_000, 0))
        Test.assertEqual(105.5 * m, quote(f, 10_000_000, 0))
        Test.assertEqual(105.500008 * m, quote(f, 10_000_001, 0))
        // one token on either side of each threshold, mid-period
        Test.assertEqual(0.00002 * m, quote(f, 1, 99_999))
        Test.assertEqual(0.000015 * m, quote(f, 1, 100_000))
        Test.assertEqual(0.000015 * m, quote(f, 1, 999_999))
        Test.assertEqual(0.00001 * m, quote(f, 1, 1_000_000))
        Test.assertEqual(0.00001 * m, quote(f, 1, 9_999_999))
        Test.assertEqual(0.000008 * m, quote(f, 1, 10_000_000))
        i = i + 1
    }
}

access(all) fun testOneLineCrossingThreeTiers() {
    // 50,000 to 10,050,000: 50K Starter + 900K Growth + 9M Scale + 50K Enterprise, x1.2
    // (1 + 13.5 + 90 + 0.4) x 1.2 = 125.88
    Test.assertEqual(125.88, quote("claude", 10_000_000, 50_000))
}

access(all) fun testUnmappedModelUsesDefaultMultiplier() {
    Test.assertEqual(2.75, quote("mistral-large", 150_000, 0))
    Test.assertEqual(1.0, script("pricing/testing/multiplier_for", ["mistral-large"])! as! UFix64)
    Test.assertEqual(4.125, quote("gpt-4o", 150_000, 0))
    Test.assertEqual(3.3, quote("claude-3-opus", 150_000, 0))
}

access(all) fun testDefaultPricingConfig() {
    let config = pricing()
    Test.assertEqual(defaultTiers, tiersText())
    Test.assertEqual(1.5, config.familyMultipliers["gpt-4"]!)
    Test.assertEqual(0.8, config.familyMultipliers["gpt-3.5"]!)
    Test.assertEqual(1.2, config.familyMultipliers["claude"]!)
    Test.assertEqual(0.6, config.familyMultipliers["llama"]!)
    Test.assertEqual(1.0, config.defaultMultiplier)
    Test.assertEqual("gpt-4", config.modelFamilies["gpt-4o"]!)
    Test.assertEqual(2_592_000.0, config.billingPeriod)
    Test.assertEqual(3_600.0, config.closeGracePeriod)
}

access(all) fun testInvalidTierTablesAreRejected() {
    let cases: [[AnyStruct]] = [
        [([0, 200, 100] as [UInt64]), [0.02, 0.015, 0.01], "UsageBasedSubscriptions: tier thresholds must be strictly ascending (tier 3 starts at 100, tier 2 at 200)"],
        [([0, 100, 100] as [UInt64]), [0.02, 0.015, 0.01], "UsageBasedSubscriptions: tier thresholds must be strictly ascending (tier 3 starts at 100, tier 2 at 100)"],
        [([0, 100] as [UInt64]), [0.02, 0.0], "UsageBasedSubscriptions: tier prices must be positive (tier 2 costs 0.00000000)"],
        [([0] as [UInt64]), [0.0], "UsageBasedSubscriptions: tier prices must be positive (tier 1 costs 0.00000000)"],
        [([5, 100] as [UInt64]), [0.02, 0.01], "UsageBasedSubscriptions: the first tier must start at 0 tokens, not 5"],
        [([0, 100] as [UInt64]), [0.02], "UsageBasedSubscriptions: thresholds and prices differ in length (2 thresholds, 1 prices)"],
        [[] as [UInt64], [] as [UFix64], "UsageBasedSubscriptions: a tier table needs at least one tier"],
        [([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16] as [UInt64]), [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0], "UsageBasedSubscriptions: a tier table has at most 16 tiers, not 17"]
    ]
    let before = Test.eventsOfType(Type<UsageBasedSubscriptions.TiersUpdated>()).length
    for c in cases {
        let thresholds = c[0] as! [UInt64]
        let prices = c[1] as! [UFix64]
        let message = c[2] as! String
        // through the admin: fails, nothing changes, no event
        txFails("pricing/admin_set_tiers", contractAccount, [thresholds, prices], message)
        Test.assertEqual(defaultTiers, tiersText())
        // through the quote script: same rule, same message
        Test.assertError(quoteWithTiers(thresholds, prices, 1.0, 1000, 0), errorMessage: message)
    }
    Test.assertEqual(before, Test.eventsOfType(Type<UsageBasedSubscriptions.TiersUpdated>()).length)
    Test.assertError(quoteWithTiers([0], [0.02], 0.0, 1000, 0), errorMessage: "UsageBasedSubscriptions: a multiplier must be positive and at most 100, not 0.00000000")
}

access(all) fun testNonAdminCannotChangePricing() {
    txFails("pricing/admin_set_tiers", outsider, [([0] as [UInt64]), [1.0]], "admin_set_tiers: the signer holds no UsageBasedSubscriptions Admin (account \(outsider.address), path /storage/flareFlowPricingAdmin)")
    txFails("pricing/admin_set_family_multiplier", outsider, ["gpt-4", 0.01], "admin_set_family_multiplier: the signer holds no UsageBasedSubscriptions Admin")
    txFails("pricing/admin_set_default_multiplier", outsider, [0.01], "admin_set_default_multiplier: the signer holds no UsageBasedSubscriptions Admin")
    txFails("pricing/admin_map_model", outsider, ["gpt-4o", "llama"], "admin_map_model: the signer holds no UsageBasedSubscriptions Admin")
    txFails("pricing/admin_unmap_model", outsider, ["gpt-4o"], "admin_unmap_model: the signer holds no UsageBasedSubscriptions Admin")
    txFails("subscriptions/admin_set_period", outsider, [60.0], "admin_set_period: the signer holds no SimpleUsageSubscriptions Admin (account \(outsider.address), path /storage/flareFlowEscrowAdmin)")
    txFails("subscriptions/admin_set_grace", outsider, [3_000.0], "admin_set_grace: the signer holds no SimpleUsageSubscriptions Admin")
    txFails("subscriptions/admin_set_minimum_deposit", outsider, [0.01], "admin_set_minimum_deposit: the signer holds no SimpleUsageSubscriptions Admin")
    txFails("pricing/admin_set_notice_period", outsider, [3_600.0], "admin_set_notice_period: the signer holds no UsageBasedSubscriptions Admin")
    txFails("pricing/admin_cancel_pricing_changes", outsider, [], "admin_cancel_pricing_changes: the signer holds no UsageBasedSubscriptions Admin")
    // Nor can anyone make an Admin of their own, or reach the pricing state directly.
    let forge = txInline("import \"UsageBasedSubscriptions\"\ntransaction { prepare(s: auth(SaveValue) &Account) { s.storage.save(<- create UsageBasedSubscriptions.Admin(), to: /storage/fakeAdmin) } }", [outsider], [])
    Test.assertError(forge, errorMessage: "cannot create resource type outside of containing contract: `UsageBasedSubscriptions.Admin`")
    let poke = txInline("import \"UsageBasedSubscriptions\"\ntransaction { prepare(s: &Account) { UsageBasedSubscriptions.versions.removeLast() } }", [outsider], [])
    Test.assertError(poke, errorMessage: "cannot access `versions` because field requires `self` authorization")
    Test.assertEqual(defaultTiers, tiersText())
    Test.assertEqual(4.125, quote("gpt-4o", 150_000, 0))
}

access(all) fun testAdminChangesPricingWithEvents() {
    txOk("pricing/admin_set_tiers", contractAccount, [([0, 1000] as [UInt64]), [0.1, 0.05]])
    let tiersEvent = Test.eventsOfType(Type<UsageBasedSubscriptions.TiersUpdated>()).removeLast() as! UsageBasedSubscriptions.TiersUpdated
    Test.assertEqual(([0, 1000] as [UInt64]), tiersEvent.thresholds)
    Test.assertEqual([0.1, 0.05], tiersEvent.pricesPer1K)
    Test.assertEqual("0@0.10000000 1000@0.05000000 ", tiersText())
    // 1,000 x 0.1/1K + 1,000 x 0.05/1K = 0.15; gpt-4 x1.5
    Test.assertEqual(0.225, quote("gpt-4", 2_000, 0))

    txOk("pricing/admin_set_family_multiplier", contractAccount, ["mistral", 0.5])
    let familyEvent = Test.eventsOfType(Type<UsageBasedSubscriptions.FamilyMultiplierSet>()).removeLast() as! UsageBasedSubscriptions.FamilyMultiplierSet
    Test.assertEqual("mistral", familyEvent.family)
    Test.assertEqual(0.5, familyEvent.multiplier)
    Test.assertEqual(0.075, quote("mistral", 2_000, 0))

    txOk("pricing/admin_map_model", contractAccount, ["mistral-large", "mistral"])
    let mapEvent = Test.eventsOfType(Type<UsageBasedSubscriptions.ModelMapped>()).removeLast() as! UsageBasedSubscriptions.ModelMapped
    Test.assertEqual("mistral-large", mapEvent.model)
    Test.assertEqual("mistral", mapEvent.family)
    Test.assertEqual(0.075, quote("mistral-large", 2_000, 0))
    Test.assertEqual("mistral", script("pricing/testing/family_of", ["mistral-large"])! as! String)
    Test.assertEqual("mistral", script("pricing/testing/family_of", ["mistral"])! as! String)
    Test.assertEqual(nil, script("pricing/testing/family_of", ["never-heard-of-it"]))

    txOk("pricing/admin_unmap_model", contractAccount, ["mistral-large"])
    Test.assertEqual(1, Test.eventsOfType(Type<UsageBasedSubscriptions.ModelUnmapped>()).length)
    Test.assertEqual(0.15, quote("mistral-large", 2_000, 0))

    txOk("pricing/admin_set_default_multiplier", contractAccount, [2.0])
    let defaultEvent = Test.eventsOfType(Type<UsageBasedSubscriptions.DefaultMultiplierSet>()).removeLast() as! UsageBasedSubscriptions.DefaultMultiplierSet
    Test.assertEqual(2.0, defaultEvent.multiplier)
    Test.assertEqual(0.3, quote("mistral-large", 2_000, 0))

    txOk("subscriptions/admin_set_period", contractAccount, [86_400.0])
    Test.assertEqual(86_400.0, pricing().billingPeriod)
    txOk("subscriptions/admin_set_grace", contractAccount, [7_200.0])
    Test.assertEqual(7_200.0, pricing().closeGracePeriod)
    Test.assertEqual(1, Test.eventsOfType(Type<SimpleUsageSubscriptions.BillingPeriodChanged>()).length)
    Test.assertEqual(1, Test.eventsOfType(Type<SimpleUsageSubscriptions.CloseGracePeriodChanged>()).length)

    // restore the defaults for the tests after this one
    txOk("pricing/admin_set_tiers", contractAccount, [([0, 100_000, 1_000_000, 10_000_000] as [UInt64]), [0.02, 0.015, 0.01, 0.008]])
    txOk("pricing/admin_set_default_multiplier", contractAccount, [1.0])
    Test.assertEqual(defaultTiers, tiersText())
}

access(all) fun testInvalidAdminInputIsRejected() {
    let before = pricing()
    txFails("pricing/admin_set_family_multiplier", contractAccount, ["gpt-4", 0.0], "UsageBasedSubscriptions: a multiplier must be positive and at most 100, not 0.00000000")
    txFails("pricing/admin_set_family_multiplier", contractAccount, ["", 1.0], "UsageBasedSubscriptions: a family key is 1 to 31 ASCII bytes, not '' (0 bytes)")
    txFails("pricing/admin_set_family_multiplier", contractAccount, ["a-family-key-longer-than-31-bytes", 1.0], "UsageBasedSubscriptions: a family key is 1 to 31 ASCII bytes, not 'a-family-key-longer-than-31-bytes' (33 bytes)")
    txFails("pricing/admin_set_family_multiplier", contractAccount, ["gpt-4\u{e9}", 1.0], "UsageBasedSubscriptions: a family key is 1 to 31 ASCII bytes, not 'gpt-4\u{e9}' (7 bytes)")
    txFails("pricing/admin_set_default_multiplier", contractAccount, [0.0], "UsageBasedSubscriptions: a multiplier must be positive and at most 100, not 0.00000000")
    txFails("pricing/admin_map_model", contractAccount, ["gpt-5", "no-such-family"], "UsageBasedSubscriptions: unknown family; set its multiplier first (family 'no-such-family')")
    txFails("pricing/admin_map_model", contractAccount, ["", "gpt-4"], "UsageBasedSubscriptions: a model name is 1 to 128 bytes, not 0")
    txFails("pricing/admin_unmap_model", contractAccount, ["never-mapped"], "UsageBasedSubscriptions: the model is not mapped (model 'never-mapped')")
    txFails("pricing/admin_set_family_multiplier", contractAccount, ["gpt-4", 100.00000001], "UsageBasedSubscriptions: a multiplier must be positive and at most 100, not 100.00000001")
    txFails("pricing/admin_set_default_multiplier", contractAccount, [100.00000001], "UsageBasedSubscriptions: a multiplier must be positive and at most 100, not 100.00000001")
    txFails("pricing/admin_set_tiers", contractAccount, [([0] as [UInt64]), [1_000.00000001]], "UsageBasedSubscriptions: a tier price is at most 1000 FLOW per 1,000 tokens (tier 1 costs 1000.00000001)")
    txFails("pricing/admin_set_tiers", contractAccount, [([0, 1_000_000_000_000_001] as [UInt64]), [1.0, 0.5]], "UsageBasedSubscriptions: a tier threshold is at most 1000000000000000 tokens (tier 2 starts at 1000000000000001)")
    // Every escrow setting is bounded: a huge period or grace would overflow timestamp arithmetic,
    // a grace shorter than the settlement latency would let a closing customer skip a bill.
    txFails("subscriptions/admin_set_period", contractAccount, [59.0], "SimpleUsageSubscriptions: the billing period must be between 60 and 31622400 seconds, not 59.00000000")
    txFails("subscriptions/admin_set_period", contractAccount, [31_622_401.0], "SimpleUsageSubscriptions: the billing period must be between 60 and 31622400 seconds, not 31622401.00000000")
    txFails("subscriptions/admin_set_period", contractAccount, [UFix64.max], "SimpleUsageSubscriptions: the billing period must be between 60 and 31622400 seconds, not \(UFix64.max)")
    txFails("subscriptions/admin_set_grace", contractAccount, [2_399.0], "SimpleUsageSubscriptions: the close grace must cover the settlement latency (at least 2400 seconds), not 2399.00000000")
    txFails("subscriptions/admin_set_grace", contractAccount, [2_592_001.0], "SimpleUsageSubscriptions: the close grace is at most 2592000 seconds (30 days), not 2592001.00000000")
    txFails("subscriptions/admin_set_grace", contractAccount, [UFix64.max], "SimpleUsageSubscriptions: the close grace is at most 2592000 seconds (30 days), not \(UFix64.max)")
    txFails("subscriptions/admin_set_minimum_deposit", contractAccount, [0.00999999], "SimpleUsageSubscriptions: the minimum deposit must be between 0.01000000 and 10000.00000000 FLOW, not 0.00999999")
    txFails("subscriptions/admin_set_minimum_deposit", contractAccount, [10_000.00000001], "SimpleUsageSubscriptions: the minimum deposit must be between 0.01000000 and 10000.00000000 FLOW, not 10000.00000001")
    txFails("pricing/admin_set_notice_period", contractAccount, [3_599.0], "UsageBasedSubscriptions: the notice period must be between 3600 and 7776000 seconds, not 3599.00000000")
    txFails("pricing/admin_set_notice_period", contractAccount, [7_776_001.0], "UsageBasedSubscriptions: the notice period must be between 3600 and 7776000 seconds, not 7776001.00000000")
    Test.assertEqual(before.billingPeriod, pricing().billingPeriod)
    Test.assertEqual(before.closeGracePeriod, pricing().closeGracePeriod)
    Test.assertEqual(1.0, pricing().minimumDeposit)
    Test.assertEqual(604_800.0, pricing().noticePeriod)
    Test.assertEqual(before.version, pricing().version)
    Test.assertEqual(1.5, pricing().familyMultipliers["gpt-4"]!)
    Test.assertEqual(1.0, pricing().defaultMultiplier)
}

/// The escrow settings' bounds are inclusive, as their refusals say ("between 60 and 31622400
/// seconds", "at most 2592000 seconds"): the bound itself is a setting an admin may choose.
access(all) fun testEscrowSettingsAcceptTheirBounds() {
    let before = pricing()
    for seconds in [60.0, 31_622_400.0] {
        txOk("subscriptions/admin_set_period", contractAccount, [seconds])
        Test.assertEqual(seconds, pricing().billingPeriod)
    }
    txOk("subscriptions/admin_set_grace", contractAccount, [2_592_000.0])
    Test.assertEqual(2_592_000.0, pricing().closeGracePeriod)
    for amount in [0.01, 10_000.0] {
        txOk("subscriptions/admin_set_minimum_deposit", contractAccount, [amount])
        Test.assertEqual(amount, pricing().minimumDeposit)
    }
    // restore the settings for the tests after this one
    txOk("subscriptions/admin_set_period", contractAccount, [before.billingPeriod])
    txOk("subscriptions/admin_set_grace", contractAccount, [before.closeGracePeriod])
    txOk("subscriptions/admin_set_minimum_deposit", contractAccount, [before.minimumDeposit])
    Test.assertEqual(before.billingPeriod, pricing().billingPeriod)
}

access(all) fun testCostIsCappedAtUFix64Max() {
    Test.assertEqual(UFix64.max, quote("llama", UInt64.max, 0))
    Test.assertEqual(0.0, quote("gpt-4", 0, 5_000_000))
}
