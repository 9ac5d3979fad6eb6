import Test
import "test_helpers.cdc"
import "SimpleUsageSubscriptions"
import "UsageBasedSubscriptions"

access(all) let customer = Test.createAccount()
access(all) let provider = Test.createAccount()
access(all) let stranger = Test.createAccount()

access(all) fun setup() {
    deployAll()
    deployHarness()
    fund(customer, 10_000.0)
    fund(stranger, 100.0)
}

access(all) fun testDesignExampleIsChargedAndPaid() {
    let id = subscribe(customer, provider, 100.0, cap: nil, models: nil)
    let providerBefore = flowBalance(provider)
    bill([id], ["gpt-4"], [150_000])
    let i = info(id)
    Test.assertEqual(95.875, i.balance)
    Test.assertEqual(4.125, i.spent)
    Test.assertEqual(4.125, i.periodSpent)
    Test.assertEqual(150_000 as UInt64, i.periodTokens)
    Test.assertEqual(providerBefore + 4.125, flowBalance(provider))
    let paid = Test.eventsOfType(Type<SimpleUsageSubscriptions.ProviderPaid>()).removeLast() as! SimpleUsageSubscriptions.ProviderPaid
    Test.assertEqual(provider.address, paid.provider)
    Test.assertEqual(4.125, paid.amount)
    Test.assertEqual(0.0, script("subscriptions/get_owed", [provider.address])! as! UFix64)
    // the next quote for this subscription starts in the Growth tier
    Test.assertEqual(1.125, script("pricing/quote_subscription", [id, "gpt-4", 50_000 as UInt64])! as! UFix64)
    assertConserved()
}

access(all) fun testSeveralLinesOfOneSubscriptionInOneCharge() {
    let id = subscribe(customer, provider, 50.0, cap: nil, models: nil)
    // 0-60K gpt-4: 60 x 0.020 x 1.5 = 1.8
    // 60K-120K claude: (40 x 0.020 + 20 x 0.015) x 1.2 = 1.32
    // 120K-1.02M llama: (880 x 0.015 + 20 x 0.010) x 0.6 = 8.04
    bill([id, id, id], ["gpt-4", "claude", "llama"], [60_000, 60_000, 900_000])
    Test.assertEqual(50.0 - 11.16, info(id).balance)
    Test.assertEqual(1_020_000 as UInt64, info(id).periodTokens)
    assertConserved()
}

access(all) fun testEveryBoundaryForEveryFamilyInOneReport() {
    let families = ["gpt-4", "gpt-3.5", "claude", "llama", "mistral-large"]
    let multipliers = [1.5, 0.8, 1.2, 0.6, 1.0]
    let ids: [UInt64] = []
    let lineIds: [UInt64] = []
    let lineFamilies: [String] = []
    let lineTokens: [UInt64] = []
    for f in families {
        let id = subscribe(customer, provider, 200.0, cap: nil, models: nil)
        ids.append(id)
        // 99,999 | 100,000 | 100,001 | ... | 1M | ... | 10M | 10M + 1
        for t in ([99_999, 1, 1, 899_999, 1, 8_999_999, 1, 1] as [UInt64]) {
            lineIds.append(id)
            lineFamilies.append(f)
            lineTokens.append(t)
        }
    }
    bill(lineIds, lineFamilies, lineTokens)
    var i = 0
    while i < families.length {
        // (2 + 13.5 + 90) + 2 x 0.000008 for the first two Enterprise tokens
        Test.assertEqual(200.0 - 105.500016 * multipliers[i], info(ids[i]).balance)
        Test.assertEqual(10_000_002 as UInt64, info(ids[i]).periodTokens)
        i = i + 1
    }
    assertConserved()
}

access(all) fun testOneLineCrossingThreeTiers() {
    let id = subscribe(customer, provider, 200.0, cap: nil, models: nil)
    bill([id], ["claude"], [50_000])
    Test.assertEqual(198.8, info(id).balance)
    // 50K-10.05M: (50 x 0.020 + 900 x 0.015 + 9000 x 0.010 + 50 x 0.008) x 1.2 = 125.88
    bill([id], ["claude-3-opus"], [10_000_000])
    Test.assertEqual(198.8 - 125.88, info(id).balance)
    assertConserved()
}

access(all) fun testUnmappedModelUsesDefaultMultiplier() {
    let id = subscribe(customer, provider, 10.0, cap: nil, models: nil)
    bill([id], ["mistral-large"], [150_000])
    Test.assertEqual(7.25, info(id).balance)
}

access(all) fun testPeriodRolloverResetsTheCount() {
    let id = subscribe(customer, provider, 100.0, cap: nil, models: nil)
    bill([id], ["gpt-4"], [100_000])
    Test.assertEqual(97.0, info(id).balance)
    let start = info(id).periodStart
    Test.moveTime(by: 2_592_000.0)
    // reads already show the new period
    Test.assertEqual(0 as UInt64, info(id).periodTokens)
    Test.assertEqual(start + 2_592_000.0, info(id).periodStart)
    bill([id], ["gpt-4"], [100_000])
    // priced from 0 again (Starter), not at the Growth price 2.25
    Test.assertEqual(94.0, info(id).balance)
    Test.assertEqual(100_000 as UInt64, info(id).periodTokens)
    let started = Test.eventsOfType(Type<SimpleUsageSubscriptions.SubscriptionPeriodStarted>()).removeLast() as! SimpleUsageSubscriptions.SubscriptionPeriodStarted
    Test.assertEqual(id, started.id)
    Test.assertEqual(start + 2_592_000.0, started.periodStart)
    // three periods later, the start moves by whole periods
    Test.moveTime(by: 7_776_000.0 + 10.0)
    bill([id], ["gpt-4"], [1_000])
    Test.assertEqual(start + 4.0 * 2_592_000.0, info(id).periodStart)
    Test.assertEqual(1_000 as UInt64, info(id).periodTokens)
}

access(all) fun testEscrowRunsOutChargesWhatIsLeftAndSuspends() {
    let id = subscribe(customer, provider, 1.0, cap: nil, models: nil)
    let providerBefore = flowBalance(provider)
    bill([id], ["gpt-4"], [150_000])
    let i = info(id)
    Test.assertEqual(0.0, i.balance)
    Test.assertEqual(1.0, i.spent)
    Test.assertEqual(SimpleUsageSubscriptions.Status.Suspended, i.status)
    Test.assertEqual("escrow", i.suspendedFor!)
    // 1 FLOW pays for the first 33,333 tokens at 0.03 per 1K (33,334 would cost 1.00002):
    // only those count towards the tier position
    Test.assertEqual(33_333 as UInt64, i.periodTokens)
    Test.assertEqual(33_333 as UInt64, lastLines(1)[0].paidTokens)
    Test.assertEqual(providerBefore + 1.0, flowBalance(provider))
    let suspended = Test.eventsOfType(Type<SimpleUsageSubscriptions.SubscriptionSuspended>()).removeLast() as! SimpleUsageSubscriptions.SubscriptionSuspended
    Test.assertEqual(id, suspended.id)
    Test.assertEqual("escrow", suspended.reason)
    // late usage while suspended: nothing to take, nothing paid, the position stays
    bill([id], ["gpt-4"], [1_000])
    Test.assertEqual(0.0, info(id).balance)
    Test.assertEqual(33_333 as UInt64, info(id).periodTokens)
    Test.assertEqual(0 as UInt64, lastLines(1)[0].paidTokens)
    // a top-up of at least the minimum deposit lifts the suspension
    txOk("subscriptions/top_up", customer, [id, 10.0])
    Test.assertEqual(SimpleUsageSubscriptions.Status.Active, info(id).status)
    let resumed = Test.eventsOfType(Type<SimpleUsageSubscriptions.SubscriptionResumed>()).removeLast() as! SimpleUsageSubscriptions.SubscriptionResumed
    Test.assertEqual(id, resumed.id)
    Test.assertEqual(10.0, resumed.balance)
    assertConserved()
}

access(all) fun testThePeriodCapSuspendsButNeverDiscountsACharge() {
    let id = subscribe(customer, provider, 100.0, cap: 2.0, models: nil)
    // 100K gpt-4 costs 3.0: charged in full although the cap is 2.0, then suspended
    bill([id], ["gpt-4"], [100_000])
    Test.assertEqual(97.0, info(id).balance)
    Test.assertEqual(3.0, info(id).periodSpent)
    Test.assertEqual(SimpleUsageSubscriptions.Status.Suspended, info(id).status)
    Test.assertEqual("cap", info(id).suspendedFor!)
    let suspended = Test.eventsOfType(Type<SimpleUsageSubscriptions.SubscriptionSuspended>()).removeLast() as! SimpleUsageSubscriptions.SubscriptionSuspended
    Test.assertEqual("cap", suspended.reason)
    // raising the cap above the spend lifts it
    txOk("subscriptions/update_subscription", customer, [id, 5.0, nil])
    Test.assertEqual(SimpleUsageSubscriptions.Status.Active, info(id).status)
    // 100K-200K gpt-4: 100 x 0.015 x 1.5 = 2.25: 5.25 spent, over the cap of 5, all charged
    bill([id], ["gpt-4"], [100_000])
    Test.assertEqual(94.75, info(id).balance)
    Test.assertEqual(5.25, info(id).periodSpent)
    Test.assertEqual(SimpleUsageSubscriptions.Status.Suspended, info(id).status)
    // usage that was already under way is still charged in full while suspended
    bill([id], ["gpt-4"], [1_000])
    Test.assertEqual(94.75 - 0.0225, info(id).balance)
    // a new period lifts a cap suspension (reads see it at once, billing makes it so)
    Test.moveTime(by: 2_592_000.0)
    Test.assertEqual(SimpleUsageSubscriptions.Status.Active, info(id).status)
    Test.assertEqual(nil, info(id).suspendedFor)
    bill([id], ["gpt-4"], [1_000])
    Test.assertEqual(94.75 - 0.0225 - 0.03, info(id).balance)
    Test.assertEqual(SimpleUsageSubscriptions.Status.Active, info(id).status)
    assertConserved()
}

access(all) fun testAnyoneStartsADuePeriodWhichLiftsACapSuspension() {
    let id = subscribe(customer, provider, 100.0, cap: 2.0, models: nil)
    bill([id], ["gpt-4"], [100_000])
    Test.assertEqual(SimpleUsageSubscriptions.Status.Suspended, info(id).status)
    let stranger = Test.createAccount()
    let resumedBefore = Test.eventsOfType(Type<SimpleUsageSubscriptions.SubscriptionResumed>()).length
    // before the period ends: nothing changes
    txOk("subscriptions/start_due_period", stranger, [id])
    Test.assertEqual(SimpleUsageSubscriptions.Status.Suspended, info(id).status)
    Test.assertEqual(resumedBefore, Test.eventsOfType(Type<SimpleUsageSubscriptions.SubscriptionResumed>()).length)
    // after it: the suspension is lifted, with its event, without usage
    Test.moveTime(by: 2_592_000.0)
    txOk("subscriptions/start_due_period", stranger, [id])
    Test.assertEqual(SimpleUsageSubscriptions.Status.Active, info(id).status)
    Test.assertEqual(0.0, info(id).periodSpent)
    let resumed = Test.eventsOfType(Type<SimpleUsageSubscriptions.SubscriptionResumed>()).removeLast() as! SimpleUsageSubscriptions.SubscriptionResumed
    Test.assertEqual(id, resumed.id)
    Test.assertEqual(97.0, info(id).balance)
    assertConserved()
}

access(all) fun testStartDuePeriodRefusesAnUnknownId() {
    let result = tx("subscriptions/start_due_period", Test.createAccount(), [UInt64(999_999)])
    Test.expect(result, Test.beFailed())
    Test.assertError(result, errorMessage: "SimpleUsageSubscriptions: unknown subscription id 999999")
}

access(all) fun testExactCapSuspends() {
    let id = subscribe(customer, provider, 100.0, cap: 3.0, models: nil)
    bill([id], ["gpt-4"], [100_000])
    Test.assertEqual(97.0, info(id).balance)
    Test.assertEqual(SimpleUsageSubscriptions.Status.Suspended, info(id).status)
}

access(all) fun testUnknownSubscriptionDoesNotBlockTheReport() {
    let id = subscribe(customer, provider, 10.0, cap: nil, models: nil)
    let totals = script("subscriptions/testing/get_totals", [])! as! SimpleUsageSubscriptions.Totals
    bill([987_654, id, 987_655], ["gpt-4", "gpt-4", "claude"], [1_000, 1_000, 1_000])
    Test.assertEqual(10.0 - 0.03, info(id).balance)
    Test.assertEqual(nil, script("subscriptions/get_subscription", [987_654 as UInt64]))
    let after = script("subscriptions/testing/get_totals", [])! as! SimpleUsageSubscriptions.Totals
    Test.assertEqual(totals.deposited, after.deposited)
    Test.assertEqual(totals.paidToProviders + 0.03, after.paidToProviders)
    assertConserved()
}

access(all) fun testClosingSubscriptionIsStillBilledThenRefunded() {
    let c = newAccount(100.0)
    let id = subscribe(c, provider, 10.0, cap: nil, models: nil)
    txOk("subscriptions/request_close", c, [id])
    // usage from before the close arrives in the next report: billed while Closing
    bill([id], ["gpt-4"], [150_000])
    Test.assertEqual(5.875, info(id).balance)
    Test.assertEqual(SimpleUsageSubscriptions.Status.Closing, info(id).status)
    // that report settled through the close: the refund needs no grace period
    let before = flowBalance(c)
    txOk("subscriptions/finish_close", c, [id])
    let closed = Test.eventsOfType(Type<SimpleUsageSubscriptions.SubscriptionClosed>()).removeLast() as! SimpleUsageSubscriptions.SubscriptionClosed
    Test.assertEqual(5.875, closed.refund)
    Test.assertEqual(true, closed.settled)
    Test.assertEqual(before + 5.875, flowBalance(c))
    // a line for a closed subscription changes nothing
    let state = stateText(id)
    bill([id], ["gpt-4"], [150_000])
    Test.assertEqual(state, stateText(id))
    assertConserved()
}

access(all) fun testEachProviderIsPaidOncePerSettlement() {
    let p2 = Test.createAccount()
    let a = subscribe(customer, provider, 10.0, cap: nil, models: nil)
    let b = subscribe(customer, provider, 10.0, cap: nil, models: nil)
    let c = subscribe(customer, p2, 10.0, cap: nil, models: nil)
    let paidEvents = Test.eventsOfType(Type<SimpleUsageSubscriptions.ProviderPaid>()).length
    let before1 = flowBalance(provider)
    let before2 = flowBalance(p2)
    bill([a, a, b, c, c, b], ["gpt-4", "llama", "claude", "gpt-3.5", "gpt-4", "gpt-4"], [1_000, 1_000, 1_000, 1_000, 1_000, 1_000])
    let events = Test.eventsOfType(Type<SimpleUsageSubscriptions.ProviderPaid>())
    Test.assertEqual(paidEvents + 2, events.length)
    // provider: 0.03 + 0.012 + 0.024 + 0.03; p2: 0.016 + 0.03
    Test.assertEqual(before1 + 0.096, flowBalance(provider))
    Test.assertEqual(before2 + 0.046, flowBalance(p2))
    assertConserved()
}

access(all) fun testProviderWithoutReceiverIsPaidLater() {
    let p = Test.createAccount()
    let id = subscribe(customer, p, 10.0, cap: nil, models: nil)
    txOk("subscriptions/issue_key", p, [id, hashA])
    Test.expect(txInline("transaction { prepare(s: auth(UnpublishCapability) &Account) { s.capabilities.unpublish(/public/flowTokenReceiver) } }", [p], []), Test.beSucceeded())
    let before = flowBalance(p)
    bill([id], ["gpt-4"], [1_000])
    let deferred = Test.eventsOfType(Type<SimpleUsageSubscriptions.ProviderPaymentDeferred>()).removeLast() as! SimpleUsageSubscriptions.ProviderPaymentDeferred
    Test.assertEqual(p.address, deferred.provider)
    Test.assertEqual(0.03, deferred.amount)
    Test.assertEqual(0.03, script("subscriptions/get_owed", [p.address])! as! UFix64)
    assertConserved()
    let owedBefore = (script("subscriptions/testing/get_totals", [])! as! SimpleUsageSubscriptions.Totals).owedToProviders
    txOk("subscriptions/collect_owed", p, [])
    Test.assertEqual(0.0, script("subscriptions/get_owed", [p.address])! as! UFix64)
    Test.assertEqual(owedBefore - 0.03, (script("subscriptions/testing/get_totals", [])! as! SimpleUsageSubscriptions.Totals).owedToProviders)
    Test.assertEqual(before + 0.03, flowBalance(p))
    assertConserved()
}

access(all) fun testChargingWithoutTheBiller() {
    let id = subscribe(customer, provider, 10.0, cap: nil, models: nil)
    let state = stateText(id)
    // nobody can make a Biller: not by creating one...
    expectError(
        txInline("import \"UsageBasedSubscriptions\"\ntransaction { prepare(s: auth(SaveValue) &Account) { s.storage.save(<- create UsageBasedSubscriptions.Biller(), to: /storage/b) } }", [stranger], []),
        "cannot create resource type outside of containing contract: `UsageBasedSubscriptions.Biller`"
    )
    // ...nor by asking the contract, even signed by the contracts' account
    expectError(
        txInline("import \"UsageBasedSubscriptions\"\ntransaction { prepare(s: auth(SaveValue) &Account) { s.storage.save(<- UsageBasedSubscriptions.issueBiller(), to: /storage/b) } }", [contractAccount], []),
        "cannot access `issueBiller` because function requires `account` authorization"
    )
    // the admin resource has no way to make one
    expectError(
        txInline("import \"UsageBasedSubscriptions\"\ntransaction { prepare(s: auth(BorrowValue, SaveValue) &Account) { let a = s.storage.borrow<auth(UsageBasedSubscriptions.Configure) &UsageBasedSubscriptions.Admin>(from: UsageBasedSubscriptions.AdminStoragePath)!; s.storage.save(<- a.createBiller(), to: /storage/b) } }", [contractAccount], []),
        "has no member `createBiller`"
    )
    // ...and a second contract on the same account gets none: there is only one
    let second = "import UsageBasedSubscriptions from 0x0000000000000007\naccess(all) contract SecondBiller { access(self) let b: @UsageBasedSubscriptions.Biller\n init() { self.b <- UsageBasedSubscriptions.issueBiller() } }"
    expectError(
        txInline("transaction(code: String) { prepare(s: auth(AddContract) &Account) { s.contracts.add(name: \"SecondBiller\", code: code.utf8) } }", [contractAccount], [second]),
        "UsageBasedSubscriptions: the Biller was issued already; there is only one"
    )
    Test.assertEqual(1, Test.eventsOfType(Type<UsageBasedSubscriptions.BillerIssued>()).length)
    // nor does the escrow contract's billing hook answer anyone else
    expectError(
        txInline("import \"SimpleUsageSubscriptions\"\ntransaction(id: UInt64) { prepare(s: &Account) { SimpleUsageSubscriptions.borrowForBilling(id)!.debit(amount: 1.0, paidTokens: 1, now: 0.0) } }", [stranger], [id]),
        "cannot access `borrowForBilling` because function requires `account` authorization"
    )
    Test.assertEqual(state, stateText(id))
    assertConserved()
}

access(all) fun testMoneyIsConservedOverASequence() {
    let c = newAccount(500.0)
    let p = Test.createAccount()
    let startBalance = flowBalance(c)
    let a = subscribe(c, p, 20.0, cap: nil, models: nil)
    let b = subscribe(c, p, 3.0, cap: 1.0, models: nil)
    assertConserved()
    bill([a, b, a], ["gpt-4", "claude", "llama"], [300_000, 200_000, 5_000_000])
    assertConserved()
    txOk("subscriptions/top_up", c, [b, 4.0])
    bill([b, a], ["gpt-3.5", "gpt-4"], [10_000, 2_000_000])
    assertConserved()
    txOk("subscriptions/request_close", c, [a])
    txOk("subscriptions/request_close", c, [b])
    bill([a], ["gpt-4"], [1])
    txOk("subscriptions/finish_close", c, [a])
    Test.moveTime(by: 3_600.0)
    txOk("subscriptions/finish_close", c, [b])
    assertConserved()
    // for this customer: deposits = provider income + refunds
    let ia = info(a)
    let ib = info(b)
    Test.assertEqual(ia.deposited + ib.deposited, ia.spent + ib.spent + ia.refunded + ib.refunded)
    Test.assertEqual(startBalance - ia.spent - ib.spent, flowBalance(c))
    Test.assertEqual(ia.spent + ib.spent, flowBalance(p))
}

access(all) fun testLineResultsTellTheCallerWhatHappened() {
    let full = subscribe(customer, provider, 100.0, cap: nil, models: nil)
    let short = subscribe(customer, provider, 1.0, cap: nil, models: nil)
    let gone = subscribe(customer, provider, 1.0, cap: nil, models: nil)
    txOk("subscriptions/request_close", customer, [gone])
    Test.moveTime(by: 3_600.0)
    txOk("subscriptions/finish_close", customer, [gone])
    bill([full, short, short, gone, 888_888], ["gpt-4", "gpt-4", "gpt-4", "gpt-4", "gpt-4"], [150_000, 150_000, 1_000, 1_000, 1_000])
    let r = lastLines(5)
    // (cost, charged, paidTokens, unknown, closed, partial, suspended)
    Test.assertEqual([4.125, 4.125], [r[0].cost, r[0].charged])
    Test.assertEqual([150_000 as UInt64, 0, 0], [r[0].paidTokens, r[0].unknown ? 1 : 0, r[0].suspended ? 1 : 0])
    Test.assertEqual([4.125, 1.0], [r[1].cost, r[1].charged])
    Test.assertEqual(33_333 as UInt64, r[1].paidTokens)
    Test.assertEqual(true, r[1].suspended)
    // the second line of the exhausted subscription is priced at its (paid) position: Starter
    Test.assertEqual([0.03, 0.0], [r[2].cost, r[2].charged])
    Test.assertEqual(0 as UInt64, r[2].paidTokens)
    Test.assertEqual(true, r[2].suspended)
    Test.assertEqual([0.0, 0.0], [r[3].cost, r[3].charged])
    Test.assertEqual(0 as UInt64, r[3].paidTokens)
    Test.assertEqual(true, r[3].closed)
    Test.assertEqual(false, r[3].unknown)
    Test.assertEqual([0.0, 0.0], [r[4].cost, r[4].charged])
    Test.assertEqual(0 as UInt64, r[4].paidTokens)
    Test.assertEqual(true, r[4].unknown)
    Test.assertEqual(false, r[4].closed)
    assertConserved()
}
