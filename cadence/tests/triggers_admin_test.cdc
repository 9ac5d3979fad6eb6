import Test
import "oracle_helpers.cdc"
import "oracle_fixtures.cdc"
import "FlareFDCTriggers"

access(all) var customer: Test.TestAccount = admin
access(all) var provider: Test.TestAccount = admin
access(all) var readyHeight: UInt64 = 0

access(all) fun setup() {
    deployAll()
    configureOracles(keys: fxOracleKeys(), chainId: fxChainId(), verifier: fxVerifier())
    customer = newAccount(1000.0)
    provider = newAccount(1.0)
    txOk("transactions/create_subscription", customer, [provider.address, 100.0, nil, nil])
    txOk("transactions/create_subscription", customer, [provider.address, 1.0, nil, nil])
    txOk("transactions/create_subscription", customer, [provider.address, 50.0, nil, nil])
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

access(all) fun testAdminSetsTheWindowLengthBeforeTheFirstSettlement() {
    txOk("transactions/triggers/set_window_seconds", admin, [UInt64(30)])
    Test.assertEqual(30 as UInt64, windowSeconds())
    let events = Test.eventsOfType(Type<FlareFDCTriggers.WindowLengthSet>())
    Test.assertEqual(30 as UInt64, (events[events.length - 1] as! FlareFDCTriggers.WindowLengthSet).seconds)
}

access(all) fun testRefusesAZeroWindow() {
    let result = tx("transactions/triggers/set_window_seconds", admin, [UInt64(0)])
    Test.expect(result, Test.beFailed())
    Test.assertError(result, errorMessage: "FlareFDCTriggers: a window lasts at least one second")
    Test.assertEqual(300 as UInt64, windowSeconds())
}

access(all) fun testRefusesAnAccountWithoutTheAdmin() {
    let result = tx("transactions/triggers/set_window_seconds", customer, [UInt64(30)])
    Test.expect(result, Test.beFailed())
    Test.assertError(result, errorMessage: "set_window_seconds: the signer holds no FlareFDCTriggers Admin")
    Test.assertEqual(300 as UInt64, windowSeconds())
}

access(all) fun testRefusesAChangeOnceAWindowIsSettled() {
    let report = fxReport("w1")
    let sigs = fxSigs("w1")
    let settled = relay("transactions/triggers/submit_report", [report.window, report.round, report.ids, report.families, report.tokens, report.requests, sigs.signers, sigs.signatures])
    Test.expect(settled, Test.beSucceeded())
    let result = tx("transactions/triggers/set_window_seconds", admin, [UInt64(30)])
    Test.expect(result, Test.beFailed())
    Test.assertError(result, errorMessage: "FlareFDCTriggers: the window length cannot change once a window is settled")
    Test.assertEqual(300 as UInt64, windowSeconds())
}
