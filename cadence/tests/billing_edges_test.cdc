import Test
import "test_helpers.cdc"
import "SimpleUsageSubscriptions"
import "UsageBasedSubscriptions"

// Billing at its edges: a line that empties the escrow exactly, a cap reached by a line after
// earlier spend in the period, an escrow suspension across a period rollover, and a late line
// of an ended period. 1,000 gpt-4 tokens in the Starter tier cost 0.03 FLOW; 50,000 cost 1.5.

access(all) let customer = Test.createAccount()
access(all) let provider = Test.createAccount()
access(all) let period: UFix64 = 2_592_000.0

access(all) fun setup() {
    deployAll()
    deployHarness()
    fund(customer, 10_000.0)
}

access(all) fun suspendedEvents(): Int {
    return Test.eventsOfType(Type<SimpleUsageSubscriptions.SubscriptionSuspended>()).length
}

access(all) fun testALineCostingExactlyTheEscrowSuspends() {
    let id = subscribe(customer, provider, 3.0, cap: nil, models: nil)
    // 100,000 gpt-4 tokens cost exactly 3.0
    bill([id], ["gpt-4"], [100_000])
    let line = lastLines(1)[0]
    Test.assertEqual(3.0, line.charged)
    Test.assertEqual(100_000 as UInt64, line.paidTokens)
    Test.assertEqual(0.0, info(id).balance)
    Test.assertEqual(SimpleUsageSubscriptions.Status.Suspended, info(id).status)
    Test.assertEqual("escrow", info(id).suspendedFor!)
    let suspended = Test.eventsOfType(Type<SimpleUsageSubscriptions.SubscriptionSuspended>()).removeLast() as! SimpleUsageSubscriptions.SubscriptionSuspended
    Test.assertEqual(id, suspended.id)
    Test.assertEqual("escrow", suspended.reason)
    Test.assertEqual(0.0, suspended.balance)
    Test.assertEqual(3.0, suspended.periodSpent)
    assertConserved()
}

access(all) fun testOneUnitOfEscrowLeftKeepsTheSubscriptionActive() {
    let id = subscribe(customer, provider, 3.00000001, cap: nil, models: nil)
    let before = suspendedEvents()
    bill([id], ["gpt-4"], [100_000])
    Test.assertEqual(0.00000001, info(id).balance)
    Test.assertEqual(SimpleUsageSubscriptions.Status.Active, info(id).status)
    Test.assertEqual(nil, info(id).suspendedFor)
    Test.assertEqual(before, suspendedEvents())
}

access(all) fun testTheCapCountsWhatThePeriodHasAlreadySpent() {
    let id = subscribe(customer, provider, 100.0, cap: 3.0, models: nil)
    bill([id], ["gpt-4"], [50_000])
    // 1.5 of 3.0 spent: still active
    Test.assertEqual(1.5, info(id).periodSpent)
    Test.assertEqual(SimpleUsageSubscriptions.Status.Active, info(id).status)
    // the second line brings the period's spend exactly to the cap
    bill([id], ["gpt-4"], [50_000])
    Test.assertEqual(3.0, info(id).periodSpent)
    Test.assertEqual(SimpleUsageSubscriptions.Status.Suspended, info(id).status)
    Test.assertEqual("cap", info(id).suspendedFor!)
    let suspended = Test.eventsOfType(Type<SimpleUsageSubscriptions.SubscriptionSuspended>()).removeLast() as! SimpleUsageSubscriptions.SubscriptionSuspended
    Test.assertEqual(id, suspended.id)
    Test.assertEqual("cap", suspended.reason)
    Test.assertEqual(97.0, suspended.balance)
}

access(all) fun testSpendJustUnderTheCapKeepsTheSubscriptionActive() {
    let id = subscribe(customer, provider, 100.0, cap: 3.00000001, models: nil)
    bill([id], ["gpt-4"], [50_000])
    bill([id], ["gpt-4"], [50_000])
    Test.assertEqual(3.0, info(id).periodSpent)
    Test.assertEqual(SimpleUsageSubscriptions.Status.Active, info(id).status)
}

access(all) fun testANewPeriodDoesNotLiftAnEscrowSuspension() {
    let id = subscribe(customer, provider, 1.0, cap: 50.0, models: nil)
    bill([id], ["gpt-4"], [150_000])
    Test.assertEqual(SimpleUsageSubscriptions.Status.Suspended, info(id).status)
    let resumed = Test.eventsOfType(Type<SimpleUsageSubscriptions.SubscriptionResumed>()).length
    Test.moveTime(by: 2_592_010.0)
    // reads of the new period: still suspended, for the empty escrow
    Test.assertEqual(SimpleUsageSubscriptions.Status.Suspended, info(id).status)
    Test.assertEqual("escrow", info(id).suspendedFor!)
    Test.assertEqual(0.0, info(id).periodSpent)
    // neither the period tick nor a line of the new period lifts it
    txOk("subscriptions/start_due_period", Test.createAccount(), [id])
    bill([id], ["gpt-4"], [1_000])
    Test.assertEqual(SimpleUsageSubscriptions.Status.Suspended, info(id).status)
    Test.assertEqual(resumed, Test.eventsOfType(Type<SimpleUsageSubscriptions.SubscriptionResumed>()).length)
}

access(all) fun testALateLineOfAnEndedPeriodDoesNotSuspendForThatPeriodsCap() {
    let id = subscribe(customer, provider, 100.0, cap: 3.0, models: nil)
    let start = info(id).periodStart
    Test.moveTime(by: 2_592_600.0)
    let before = suspendedEvents()
    // usage of the first period's last window, settled after that period ended: it reaches that
    // period's cap, but the period running now has spent nothing
    chargeAt([id], ["gpt-4"], [100_000], windowStart: start + period - 300.0, usageThrough: now())
    Test.assertEqual(97.0, info(id).balance)
    Test.assertEqual(SimpleUsageSubscriptions.Status.Active, info(id).status)
    Test.assertEqual(before, suspendedEvents())
    // the same usage settled while its period still runs does suspend
    let other = subscribe(customer, provider, 100.0, cap: 3.0, models: nil)
    bill([other], ["gpt-4"], [100_000])
    Test.assertEqual(SimpleUsageSubscriptions.Status.Suspended, info(other).status)
}

/// Payments announced to `provider` so far: paid, or kept owed for want of a receiver.
access(all) fun paymentsTo(_ provider: Address): Int {
    var n = 0
    for e in Test.eventsOfType(Type<SimpleUsageSubscriptions.ProviderPaid>()) {
        if (e as! SimpleUsageSubscriptions.ProviderPaid).provider == provider { n = n + 1 }
    }
    for e in Test.eventsOfType(Type<SimpleUsageSubscriptions.ProviderPaymentDeferred>()) {
        if (e as! SimpleUsageSubscriptions.ProviderPaymentDeferred).provider == provider { n = n + 1 }
    }
    return n
}

access(all) fun testASettlementThatChargesAProviderNothingPaysItNothing() {
    // A provider of its own, so every payment counted below is for this subscription.
    let alone = Test.createAccount()
    let id = subscribe(customer, alone, 3.0, cap: nil, models: nil)
    bill([id], ["gpt-4"], [100_000])
    Test.assertEqual(1, paymentsTo(alone.address))
    // Usage after the escrow is gone is billed at nothing: no payment, nothing owed.
    bill([id], ["gpt-4"], [1_000])
    Test.assertEqual(0.0, lastLines(1)[0].charged)
    Test.assertEqual(1, paymentsTo(alone.address))
    Test.assertEqual(0.0, SimpleUsageSubscriptions.getOwed(alone.address))
    assertConserved()
}
