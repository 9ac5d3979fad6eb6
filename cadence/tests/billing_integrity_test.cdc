import Test
import "test_helpers.cdc"
import "SimpleUsageSubscriptions"
import "UsageBasedSubscriptions"

/// The attacks of issue 13 against the billing rules, each as the outcome that must hold:
/// usage that happened is paid, prices are never retroactive, only paid tokens earn the volume
/// tiers, dust cannot open or reopen a subscription.

access(all) let customer = Test.createAccount()
access(all) let provider = Test.createAccount()
access(all) var readyHeight: UInt64 = 0
access(all) let week = 604_800.0

access(all) fun setup() {
    deployAll()
    deployHarness()
    fund(customer, 100_000.0)
    readyHeight = chainHeight()
}

access(all) fun beforeEach() {
    if chainHeight() > readyHeight {
        Test.reset(to: readyHeight)
    }
}

access(all) fun chainHeight(): UInt64 {
    let result = Test.executeScript("access(all) fun main(): UInt64 { return getCurrentBlock().height }", [])
    return result.returnValue! as! UInt64
}

access(all) fun lastEvent(_ type: Type): AnyStruct {
    return Test.eventsOfType(type).removeLast()
}

access(all) fun schedule(): [UsageBasedSubscriptions.PricingConfig] {
    return script("pricing/get_pricing_schedule", [])! as! [UsageBasedSubscriptions.PricingConfig]
}

access(all) fun quoteAt(_ time: UFix64, _ model: String, _ tokens: UInt64, _ periodTokens: UInt64): UFix64 {
    return script("pricing/quote_at", [time, model, tokens, periodTokens])! as! UFix64
}

access(all) fun doubledTiers(): [AnyStruct] {
    return [([0, 100_000, 1_000_000, 10_000_000] as [UInt64]), [0.04, 0.03, 0.02, 0.016]]
}

access(all) fun halvedTiers(): [AnyStruct] {
    return [([0, 100_000, 1_000_000, 10_000_000] as [UInt64]), [0.01, 0.0075, 0.005, 0.004]]
}

// Hole 1: the customer used the key, then lowered the cap to almost nothing before the window
// settled, hoping the settlement would charge only the cap.
access(all) fun testLoweringTheCapAfterUseDoesNotLowerTheBill() {
    let id = subscribe(customer, provider, 100.0, cap: 50.0, models: nil)
    let windowStart = now()
    txOk("subscriptions/update_subscription", customer, [id, 0.00000001, nil])
    // the lower cap stops new usage at once (the key service blocks the key)...
    Test.assertEqual(SimpleUsageSubscriptions.Status.Active, info(id).status)
    chargeAt([id], ["gpt-4"], [150_000], windowStart: windowStart, usageThrough: now())
    // ...but the usage already made is charged in full
    Test.assertEqual(95.875, info(id).balance)
    Test.assertEqual(4.125, info(id).periodSpent)
    Test.assertEqual(SimpleUsageSubscriptions.Status.Suspended, info(id).status)
    Test.assertEqual("cap", info(id).suspendedFor!)
    // lifting the cap again reopens it, and closing refunds only what was not used
    txOk("subscriptions/update_subscription", customer, [id, 50.0, nil])
    Test.assertEqual(SimpleUsageSubscriptions.Status.Active, info(id).status)
    txOk("subscriptions/request_close", customer, [id])
    bill([], [], [])
    let before = flowBalance(customer)
    txOk("subscriptions/finish_close", customer, [id])
    Test.assertEqual(before + 95.875, flowBalance(customer))
    assertConserved()
}

// Hole 1, with models: narrowing the allowed models does not un-owe usage of the others.
access(all) fun testNarrowingTheModelsAfterUseDoesNotLowerTheBill() {
    let id = subscribe(customer, provider, 10.0, cap: nil, models: ["gpt-4", "claude-3-opus"])
    let windowStart = now()
    txOk("subscriptions/update_subscription", customer, [id, nil, ["gpt-4"]])
    chargeAt([id], ["claude"], [10_000], windowStart: windowStart, usageThrough: now())
    // 10 x 0.020 x 1.2
    Test.assertEqual(10.0 - 0.24, info(id).balance)
    assertConserved()
}

// Hole 2: a price rise announced while usage is in flight must not reprice it, and waits for
// the notice period.
access(all) fun testAPriceRiseWaitsForItsNoticeAndNeverReprices() {
    let id = subscribe(customer, provider, 1_000.0, cap: nil, models: nil)
    let inFlight = now()
    txOk("pricing/admin_set_tiers", contractAccount, doubledTiers())
    let announced = lastEvent(Type<UsageBasedSubscriptions.TiersUpdated>()) as! UsageBasedSubscriptions.TiersUpdated
    Test.assertEqual(true, announced.increase)
    let effective = announced.effectiveFrom
    Test.assert(effective >= inFlight + week, message: "an increase takes effect no earlier than the notice period")
    // the schedule shows it as announced, the pricing in force is unchanged
    let versions = schedule()
    Test.assertEqual(2, versions.length)
    Test.assertEqual(effective, versions[1].effectiveFrom)
    Test.assertEqual(0.04, versions[1].tiers[0].pricePer1K)
    Test.assertEqual(0.02, (script("pricing/get_pricing", [])! as! UsageBasedSubscriptions.PricingConfig).tiers[0].pricePer1K)
    // the window in flight, and one starting just before the change, pay the old price
    chargeAt([id], ["gpt-4"], [150_000], windowStart: inFlight, usageThrough: now())
    Test.assertEqual(1_000.0 - 4.125, info(id).balance)
    Test.moveTime(by: Fix64(week) - 10.0)
    chargeAt([id], ["gpt-4"], [50_000], windowStart: effective - 1.0, usageThrough: now())
    // 50K at Growth: 50 x 0.015 x 1.5
    Test.assertEqual(1_000.0 - 4.125 - 1.125, info(id).balance)
    // a window starting at the effective time pays the new price (Growth doubled: 0.03)
    Test.moveTime(by: 20.0)
    let announcedBefore = Test.eventsOfType(Type<UsageBasedSubscriptions.PricingInForce>()).length
    chargeAt([id, id], ["gpt-4", "gpt-4"], [25_000, 25_000], windowStart: effective, usageThrough: now())
    Test.assertEqual(1_000.0 - 4.125 - 1.125 - 2.25, info(id).balance)
    // announced in force once, by the first line under it, however many lines follow
    Test.assertEqual(announcedBefore + 1, Test.eventsOfType(Type<UsageBasedSubscriptions.PricingInForce>()).length)
    let inForce = lastEvent(Type<UsageBasedSubscriptions.PricingInForce>()) as! UsageBasedSubscriptions.PricingInForce
    Test.assertEqual(announced.version, inForce.version)
    // A version is announced in force once, by the first settlement under it.
    let announcements = Test.eventsOfType(Type<UsageBasedSubscriptions.PricingInForce>()).length
    chargeAt([id], ["gpt-4"], [1_000], windowStart: effective, usageThrough: now())
    Test.assertEqual(announcements, Test.eventsOfType(Type<UsageBasedSubscriptions.PricingInForce>()).length)
    assertConserved()
}

// Hole 2, through multipliers and the model map: each is an increase for the names it touches.
access(all) fun testMultiplierAndModelMapRisesWaitForTheNotice() {
    subscribe(customer, provider, 10.0, cap: nil, models: nil)
    let t = now()
    txOk("pricing/admin_set_family_multiplier", contractAccount, ["llama", 0.9])
    Test.assertEqual(true, (lastEvent(Type<UsageBasedSubscriptions.FamilyMultiplierSet>()) as! UsageBasedSubscriptions.FamilyMultiplierSet).increase)
    txOk("pricing/admin_map_model", contractAccount, ["llama-3-70b", "gpt-4"])
    Test.assertEqual(true, (lastEvent(Type<UsageBasedSubscriptions.ModelMapped>()) as! UsageBasedSubscriptions.ModelMapped).increase)
    txOk("pricing/admin_unmap_model", contractAccount, ["gpt-3.5-turbo"])
    let unmapped = lastEvent(Type<UsageBasedSubscriptions.ModelUnmapped>()) as! UsageBasedSubscriptions.ModelUnmapped
    Test.assertEqual(true, unmapped.increase)
    txOk("pricing/admin_set_default_multiplier", contractAccount, [2.0])
    Test.assertEqual(true, (lastEvent(Type<UsageBasedSubscriptions.DefaultMultiplierSet>()) as! UsageBasedSubscriptions.DefaultMultiplierSet).increase)
    // nothing of it applies before the notice has run
    Test.assertEqual(0.012, quoteAt(t + 60.0, "llama-3-70b", 1_000, 0))
    Test.assertEqual(0.016, quoteAt(t + 60.0, "gpt-3.5-turbo", 1_000, 0))
    Test.assertEqual(0.02, quoteAt(t + 60.0, "mistral", 1_000, 0))
    // afterwards all of it does
    let later = unmapped.effectiveFrom + 1.0
    Test.assertEqual(0.03, quoteAt(later, "llama-3-70b", 1_000, 0))
    Test.assertEqual(0.018, quoteAt(later, "llama", 1_000, 0))
    Test.assertEqual(0.04, quoteAt(later, "gpt-3.5-turbo", 1_000, 0))
    Test.assertEqual(0.04, quoteAt(later, "mistral", 1_000, 0))
}

// A price cut may apply from the next window; the window in flight keeps its price.
access(all) fun testAPriceCutAppliesFromTheNextWindow() {
    let id = subscribe(customer, provider, 100.0, cap: nil, models: nil)
    let inFlight = now()
    Test.moveTime(by: 5.0)
    txOk("pricing/admin_set_tiers", contractAccount, halvedTiers())
    let announced = lastEvent(Type<UsageBasedSubscriptions.TiersUpdated>()) as! UsageBasedSubscriptions.TiersUpdated
    Test.assertEqual(false, announced.increase)
    Test.assert(announced.effectiveFrom > inFlight && announced.effectiveFrom <= now(), message: "a decrease applies from the announcement")
    chargeAt([id], ["gpt-4"], [100_000], windowStart: inFlight, usageThrough: now())
    Test.assertEqual(97.0, info(id).balance)
    chargeAt([id], ["gpt-4"], [100_000], windowStart: announced.effectiveFrom, usageThrough: now())
    // 100K at the halved Growth price 0.0075 x 1.5
    Test.assertEqual(97.0 - 1.125, info(id).balance)
    // a cheaper multiplier or a cheaper family for a model is a decrease too
    txOk("pricing/admin_set_family_multiplier", contractAccount, ["gpt-4", 1.2])
    Test.assertEqual(false, (lastEvent(Type<UsageBasedSubscriptions.FamilyMultiplierSet>()) as! UsageBasedSubscriptions.FamilyMultiplierSet).increase)
    txOk("pricing/admin_map_model", contractAccount, ["gpt-4o", "llama"])
    Test.assertEqual(false, (lastEvent(Type<UsageBasedSubscriptions.ModelMapped>()) as! UsageBasedSubscriptions.ModelMapped).increase)
    // a tier table that is cheaper at some positions and dearer at others is an increase
    txOk("pricing/admin_set_tiers", contractAccount, [([0, 50_000] as [UInt64]), [0.009, 0.008]])
    Test.assertEqual(true, (lastEvent(Type<UsageBasedSubscriptions.TiersUpdated>()) as! UsageBasedSubscriptions.TiersUpdated).increase)
}

access(all) fun testAnnouncedChangesCanBeWithdrawnAndAreBounded() {
    subscribe(customer, provider, 10.0, cap: nil, models: nil)
    txFails("pricing/admin_cancel_pricing_changes", contractAccount, [], "UsageBasedSubscriptions: no announced change is pending")
    // each increase announced at another time waits as its own version; at most 8 wait at once
    var i = 0
    while i < 8 {
        txOk("pricing/admin_set_family_multiplier", contractAccount, ["claude", 1.3 + UFix64(i) * 0.1])
        Test.moveTime(by: 1.0)
        i = i + 1
    }
    txFails("pricing/admin_set_family_multiplier", contractAccount, ["claude", 3.0], "UsageBasedSubscriptions: at most 8 announced changes may wait at once")
    Test.assertEqual(9, schedule().length)
    txOk("pricing/admin_cancel_pricing_changes", contractAccount, [])
    let cancelled = lastEvent(Type<UsageBasedSubscriptions.PricingChangesCancelled>()) as! UsageBasedSubscriptions.PricingChangesCancelled
    Test.assertEqual(8, cancelled.versions.length)
    Test.assertEqual(1, schedule().length)
    Test.assertEqual(1.2, (script("pricing/get_pricing", [])! as! UsageBasedSubscriptions.PricingConfig).familyMultipliers["claude"]!)
}

// A shorter notice period cannot be used to rush an increase: it applies after the old notice.
access(all) fun testAShorterNoticeAppliesOnlyAfterTheCurrentNotice() {
    subscribe(customer, provider, 10.0, cap: nil, models: nil)
    let t = now()
    txOk("pricing/admin_set_notice_period", contractAccount, [3_600.0])
    let set = lastEvent(Type<UsageBasedSubscriptions.NoticePeriodSet>()) as! UsageBasedSubscriptions.NoticePeriodSet
    Test.assert(set.effectiveFrom >= t + week, message: "the shorter notice waits the current one")
    txOk("pricing/admin_set_tiers", contractAccount, doubledTiers())
    let rise = lastEvent(Type<UsageBasedSubscriptions.TiersUpdated>()) as! UsageBasedSubscriptions.TiersUpdated
    Test.assert(rise.effectiveFrom >= t + week, message: "an increase still waits the week")
    // a longer notice applies at once
    txOk("pricing/admin_set_notice_period", contractAccount, [2.0 * week])
    Test.assertEqual(2.0 * week, (script("pricing/get_pricing", [])! as! UsageBasedSubscriptions.PricingConfig).noticePeriod)
}

// Before the first subscription there is nobody to give notice to: deployment-time
// configuration applies at once.
access(all) fun testChangesBeforeTheFirstSubscriptionApplyAtOnce() {
    txOk("pricing/admin_set_tiers", contractAccount, doubledTiers())
    let e = lastEvent(Type<UsageBasedSubscriptions.TiersUpdated>()) as! UsageBasedSubscriptions.TiersUpdated
    Test.assertEqual(0.0, e.effectiveFrom)
    Test.assertEqual(1, schedule().length)
    Test.assertEqual(0.04, (script("pricing/get_pricing", [])! as! UsageBasedSubscriptions.PricingConfig).tiers[0].pricePer1K)
}

// A line settled after its period ended counts in the period its window started in.
access(all) fun testALateLineCountsInThePeriodItsWindowStartedIn() {
    let id = subscribe(customer, provider, 100.0, cap: nil, models: nil)
    let start = info(id).periodStart
    chargeAt([id], ["gpt-4"], [100_000], windowStart: start + 10.0, usageThrough: now())
    Test.assertEqual(97.0, info(id).balance)
    // the last window of the period settles after the period has ended (and after a top-up)
    Test.moveTime(by: 2_592_000.0 + 600.0)
    txOk("subscriptions/top_up", customer, [id, 1.0])
    chargeAt([id], ["gpt-4"], [100_000], windowStart: start + 2_592_000.0 - 300.0, usageThrough: now())
    // in the old period: at Growth, 100 x 0.015 x 1.5, not at Starter
    Test.assertEqual(98.0 - 2.25, info(id).balance)
    // the next period's first line starts at Starter
    chargeAt([id], ["gpt-4"], [100_000], windowStart: start + 2_592_000.0, usageThrough: now())
    Test.assertEqual(98.0 - 2.25 - 3.0, info(id).balance)
    Test.assertEqual(100_000 as UInt64, info(id).periodTokens)
    assertConserved()
}

// Hole 5: tokens the escrow did not pay for must not move the customer up the volume tiers.
access(all) fun testUnpaidTokensDoNotEarnTheVolumeDiscount() {
    let id = subscribe(customer, provider, 1.0, cap: nil, models: nil)
    bill([id], ["gpt-4"], [10_000_000])
    let unpaid = lastLines(1)[0]
    Test.assertEqual(1.0, unpaid.charged)
    Test.assertEqual(33_333 as UInt64, unpaid.paidTokens)
    Test.assertEqual(33_333 as UInt64, info(id).periodTokens)
    txOk("subscriptions/top_up", customer, [id, 10.0])
    bill([id], ["gpt-4"], [100_000])
    // priced from position 33,333: (66,667 x 0.020 + 33,333 x 0.015) / 1K x 1.5, not at Scale
    Test.assertEqual(11.0 - 1.0 - 2.7500025, info(id).balance)
    assertConserved()
}

// Hole 4: an exhausted escrow does not reopen for dust.
access(all) fun testAnExhaustedEscrowResumesOnlyWithTheMinimumDeposit() {
    let id = subscribe(customer, provider, 1.0, cap: nil, models: nil)
    bill([id], ["gpt-4"], [100_000])
    Test.assertEqual(SimpleUsageSubscriptions.Status.Suspended, info(id).status)
    let before = stateText(id)
    txFails("subscriptions/top_up", customer, [id, 0.00000001], "SimpleUsageSubscriptions: the escrow ran out; resume it with at least the minimum deposit of 1.00000000 FLOW")
    txFails("subscriptions/top_up", customer, [id, 0.99999999], "SimpleUsageSubscriptions: the escrow ran out; resume it with at least the minimum deposit of 1.00000000 FLOW")
    Test.assertEqual(before, stateText(id))
    txOk("subscriptions/top_up", customer, [id, 1.0])
    Test.assertEqual(SimpleUsageSubscriptions.Status.Active, info(id).status)
    // while there is escrow left, any top-up is welcome
    txOk("subscriptions/top_up", customer, [id, 0.00000001])
    assertConserved()
}

access(all) fun testTheMinimumDepositIsAnAdminSetting() {
    txOk("subscriptions/admin_set_minimum_deposit", contractAccount, [5.0])
    Test.assertEqual(5.0, (lastEvent(Type<SimpleUsageSubscriptions.MinimumDepositChanged>()) as! SimpleUsageSubscriptions.MinimumDepositChanged).amount)
    txFails("subscriptions/create_subscription", customer, [provider.address, 4.99999999, nil, nil], "SimpleUsageSubscriptions: the deposit must be at least the minimum deposit of 5.00000000 FLOW, not 4.99999999")
    subscribe(customer, provider, 5.0, cap: nil, models: nil)
    Test.assertEqual(5.0, (script("pricing/get_pricing", [])! as! UsageBasedSubscriptions.PricingConfig).minimumDeposit)
}

// Hole 2, period: a period change applies to subscriptions opened after it, never to open ones.
access(all) fun testABillingPeriodChangeLeavesOpenSubscriptionsAlone() {
    let old = subscribe(customer, provider, 10.0, cap: nil, models: nil)
    txOk("subscriptions/admin_set_period", contractAccount, [86_400.0])
    let young = subscribe(customer, provider, 10.0, cap: nil, models: nil)
    Test.assertEqual(2_592_000.0, info(old).billingPeriod)
    Test.assertEqual(86_400.0, info(young).billingPeriod)
    bill([old, young], ["gpt-4", "gpt-4"], [100_000, 100_000])
    Test.moveTime(by: 86_400.0 + 60.0)
    bill([old, young], ["gpt-4", "gpt-4"], [100_000, 100_000])
    // the old one stays in its 30-day period (Growth), the young one has a new day (Starter)
    Test.assertEqual(10.0 - 3.0 - 2.25, info(old).balance)
    Test.assertEqual(10.0 - 3.0 - 3.0, info(young).balance)
}
