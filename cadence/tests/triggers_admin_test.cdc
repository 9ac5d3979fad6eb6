import Test
import "oracle_helpers.cdc"
import "oracle_fixtures.cdc"
import "FlareFDCTriggers"
import "SimpleUsageSubscriptions"

access(all) var customer: Test.TestAccount = admin
access(all) var provider: Test.TestAccount = admin
access(all) var readyHeight: UInt64 = 0

access(all) fun setup() {
    deployAll()
    configureOracles(keys: fxOracleKeys(), chainId: fxChainId(), verifier: fxVerifier())
    customer = newAccount(1000.0)
    provider = newAccount(1.0)
    txOk("transactions/subscriptions/create_subscription", customer, [provider.address, 100.0, nil, nil])
    txOk("transactions/subscriptions/create_subscription", customer, [provider.address, 1.0, nil, nil])
    txOk("transactions/subscriptions/create_subscription", customer, [provider.address, 50.0, nil, nil])
    readyHeight = chainHeight()
}

access(all) fun beforeEach() {
    resetTo(readyHeight)
}

access(all) fun windowSeconds(): UInt64 {
    let state = script("scripts/triggers/get_state", [])! as! {String: AnyStruct}
    return state["windowSeconds"]! as! UInt64
}

access(all) fun testDefaultWindowIsFiveMinutes() {
    Test.assertEqual(300 as UInt64, windowSeconds())
}

access(all) fun testAStalledChunkedReportMayBeResumedAfterOneHourByDefault() {
    let state = script("scripts/triggers/get_state", [])! as! {String: AnyStruct}
    Test.assertEqual(3_600.0, state["stuckAfter"]! as! UFix64)
}

access(all) fun testAdminSetsTheWindowLengthBeforeTheFirstSettlement() {
    txOk("transactions/triggers/set_window_seconds", admin, [UInt64(30)])
    Test.assertEqual(30 as UInt64, windowSeconds())
    let events = Test.eventsOfType(Type<FlareFDCTriggers.WindowLengthSet>())
    Test.assertEqual(30 as UInt64, (events[events.length - 1] as! FlareFDCTriggers.WindowLengthSet).seconds)
}

access(all) fun testRefusesAZeroWindow() {
    let result = tx("transactions/triggers/set_window_seconds", admin, [UInt64(0)])
    Test.expect(result, Test.beFailed())
    Test.assertError(result, errorMessage: "FlareFDCTriggers: a window lasts 1 to 3600 seconds, not 0")
    Test.assertError(tx("transactions/triggers/set_window_seconds", admin, [UInt64(3_601)]), errorMessage: "FlareFDCTriggers: a window lasts 1 to 3600 seconds, not 3601")
    Test.assertEqual(300 as UInt64, windowSeconds())
}

access(all) fun testRefusesAnAccountWithoutTheAdmin() {
    let result = tx("transactions/triggers/set_window_seconds", customer, [UInt64(30)])
    Test.expect(result, Test.beFailed())
    Test.assertError(result, errorMessage: "set_window_seconds: the signer holds no FlareFDCTriggers Admin (account \(customer.address), path /storage/flareFlowTriggersAdmin)")
    Test.assertEqual(300 as UInt64, windowSeconds())
}

access(all) fun testRefusesAChangeOnceAWindowIsSettled() {
    let report = fxReport("w1")
    let sigs = fxSigs("w1")
    let settled = relay("transactions/triggers/submit_report", [report.window, report.round, report.ids, report.families, report.tokens, report.requests, report.roots, sigs.signers, sigs.signatures])
    Test.expect(settled, Test.beSucceeded())
    let result = tx("transactions/triggers/set_window_seconds", admin, [UInt64(30)])
    Test.expect(result, Test.beFailed())
    Test.assertError(result, errorMessage: "FlareFDCTriggers: the window length cannot change once a window is settled (last settled: \(report.window), in progress: none)")
    Test.assertEqual(300 as UInt64, windowSeconds())
}

access(all) fun escrowSettings(): SimpleUsageSubscriptions.Settings {
    return script("scripts/subscriptions/get_escrow_settings", [])! as! SimpleUsageSubscriptions.Settings
}

access(all) fun testTheCloseGraceAlwaysCoversTheSettlementLatency() {
    // 5-minute windows: two windows plus the 30-minute allowance
    Test.assertEqual(2_400.0, escrowSettings().minimumCloseGracePeriod)
    // 30-s windows: 2 x 30 + 1,800
    txOk("transactions/triggers/set_window_seconds", admin, [UInt64(30)])
    Test.assertEqual(1_860.0, escrowSettings().minimumCloseGracePeriod)
    txOk("transactions/subscriptions/admin_set_grace", admin, [1_860.0])
    let short = tx("transactions/subscriptions/admin_set_grace", admin, [1_859.0])
    Test.assertError(short, errorMessage: "SimpleUsageSubscriptions: the close grace must cover the settlement latency (at least 1860 seconds)")
    // hour-long windows need 9,000 s of grace: refused until the grace is raised, nothing changed
    let long = tx("transactions/triggers/set_window_seconds", admin, [UInt64(3_600)])
    Test.assertError(long, errorMessage: "SimpleUsageSubscriptions: the close grace (1860 s) is shorter than the settlement latency at this window length (9000 s); raise it first")
    Test.assertEqual(30 as UInt64, windowSeconds())
    Test.assertEqual(1_860.0, escrowSettings().minimumCloseGracePeriod)
    txOk("transactions/subscriptions/admin_set_grace", admin, [9_000.0])
    txOk("transactions/triggers/set_window_seconds", admin, [UInt64(3_600)])
    Test.assertEqual(9_000.0, escrowSettings().minimumCloseGracePeriod)
}

access(all) fun testTheWindowLengthAndStuckAfterAcceptTheirBounds() {
    // One second, the shortest window (its latency, 2 + 1,800 s, is within the default grace).
    txOk("transactions/triggers/set_window_seconds", admin, [UInt64(1)])
    Test.assertEqual(1 as UInt64, windowSeconds())
    Test.assertEqual(1_802.0, escrowSettings().minimumCloseGracePeriod)
    for seconds in [60.0, 86_400.0] {
        txOk("transactions/triggers/set_stuck_after", admin, [seconds])
        let state = script("scripts/triggers/get_state", [])! as! {String: AnyStruct}
        Test.assertEqual(seconds, state["stuckAfter"]! as! UFix64)
    }
}

access(all) fun testStuckAfterIsBoundedAndAdminOnly() {
    Test.assertError(tx("transactions/triggers/set_stuck_after", admin, [59.0]), errorMessage: "FlareFDCTriggers: stuckAfter is 60 to 86400 seconds, not 59.00000000")
    Test.assertError(tx("transactions/triggers/set_stuck_after", admin, [86_401.0]), errorMessage: "FlareFDCTriggers: stuckAfter is 60 to 86400 seconds, not 86401.00000000")
    // The smallest step past each bound is refused too.
    Test.assertError(tx("transactions/triggers/set_stuck_after", admin, [59.99999999]), errorMessage: "FlareFDCTriggers: stuckAfter is 60 to 86400 seconds, not 59.99999999")
    Test.assertError(tx("transactions/triggers/set_stuck_after", admin, [86_400.00000001]), errorMessage: "FlareFDCTriggers: stuckAfter is 60 to 86400 seconds, not 86400.00000001")
    Test.assertError(tx("transactions/triggers/set_stuck_after", customer, [600.0]), errorMessage: "set_stuck_after: the signer holds no FlareFDCTriggers Admin")
    txOk("transactions/triggers/set_stuck_after", admin, [600.0])
    let state = script("scripts/triggers/get_state", [])! as! {String: AnyStruct}
    Test.assertEqual(600.0, state["stuckAfter"]! as! UFix64)
    let events = Test.eventsOfType(Type<FlareFDCTriggers.StuckAfterSet>())
    Test.assertEqual(600.0, (events[events.length - 1] as! FlareFDCTriggers.StuckAfterSet).seconds)
}

access(all) fun testAPublishedAdminReferenceChangesNothing() {
    // The Admin's holder may publish a plain reference to it (to show it exists, say): only the
    // Configure entitlement, which no published reference carries, sets the window or stuckAfter.
    let publish = "import \"FlareFDCTriggers\"\ntransaction { prepare(s: auth(IssueStorageCapabilityController, PublishCapability) &Account) {\n s.capabilities.publish(s.capabilities.storage.issue<&FlareFDCTriggers.Admin>(FlareFDCTriggers.AdminStoragePath), at: /public/flareflowTriggersAdminRead) } }"
    Test.expect(Test.executeTransaction(Test.Transaction(code: publish, authorizers: [admin.address], signers: [admin], arguments: [])), Test.beSucceeded())
    let calls: {String: String} = {
        "setWindowSeconds": "c.setWindowSeconds(30)",
        "setStuckAfter": "c.setStuckAfter(600.0)"
    }
    for name in calls.keys {
        let code = "import \"FlareFDCTriggers\"\ntransaction(owner: Address) { prepare(s: &Account) {\n let c = getAccount(owner).capabilities.borrow<&FlareFDCTriggers.Admin>(/public/flareflowTriggersAdminRead)!\n ".concat(calls[name]!).concat("\n } }")
        let result = Test.executeTransaction(Test.Transaction(code: code, authorizers: [customer.address], signers: [customer], arguments: [admin.address]))
        Test.assertError(result, errorMessage: "cannot access `".concat(name).concat("` because function requires `Configure` authorization"))
    }
    Test.assertEqual(300 as UInt64, windowSeconds())
}
