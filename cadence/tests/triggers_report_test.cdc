import Test
import "oracle_helpers.cdc"
import "oracle_fixtures.cdc"
import "FlareFDCTriggers"
import "SimpleUsageSubscriptions"

access(all) var customer: Test.TestAccount = admin
access(all) var provider1: Test.TestAccount = admin
access(all) var provider2: Test.TestAccount = admin
access(all) var readyHeight: UInt64 = 0

/// Subscriptions 1 (provider 1, 100 FLOW), 2 (provider 1, 1 FLOW), 3 (provider 2, 50 FLOW);
/// oracles 1..3 registered, threshold 2. Every test starts from this snapshot.
access(all) fun setup() {
    deployAll()
    configureOracles(keys: fxOracleKeys(), chainId: fxChainId(), verifier: fxVerifier())
    customer = newAccount(1000.0)
    provider1 = newAccount(1.0)
    provider2 = newAccount(1.0)
    txOk("transactions/subscriptions/create_subscription", customer, [provider1.address, 100.0, nil, nil])
    txOk("transactions/subscriptions/create_subscription", customer, [provider1.address, 1.0, nil, nil])
    txOk("transactions/subscriptions/create_subscription", customer, [provider2.address, 50.0, nil, nil])
    readyHeight = chainHeight()
}

access(all) fun beforeEach() {
    resetTo(readyHeight)
}

/// Submits fixture report `report` with fixture signatures `sigs`.
access(all) fun submit(_ report: FxReport, _ sigs: FxSigs): Test.TransactionResult {
    return relay("transactions/triggers/submit_report", [report.window, report.round, report.ids, report.families, report.tokens, report.requests, report.roots, sigs.signers, sigs.signatures])
}

/// Read through a script: the test script's own view of contract state goes stale after a reset.
access(all) fun subscription(_ id: UInt64): SimpleUsageSubscriptions.SubscriptionInfo {
    return scriptInline("import \"SimpleUsageSubscriptions\"\naccess(all) fun main(id: UInt64): SimpleUsageSubscriptions.SubscriptionInfo { return SimpleUsageSubscriptions.getSubscription(id)! }", [id])! as! SimpleUsageSubscriptions.SubscriptionInfo
}

access(all) fun lastSettledWindow(): UInt64 {
    return scriptInline("import \"FlareFDCTriggers\"\naccess(all) fun main(): UInt64 { return FlareFDCTriggers.lastSettledWindow! }", [])! as! UInt64
}

access(all) fun balance(_ account: Test.TestAccount): UFix64 {
    return scriptInline("import \"FungibleToken\"\naccess(all) fun main(a: Address): UFix64 { return getAccount(a).capabilities.borrow<&{FungibleToken.Balance}>(/public/flowTokenBalance)!.balance }", [account.address])! as! UFix64
}

access(all) fun testValidQuorumBillsWhatTheMirrorSays() {
    let p1Before = balance(provider1)
    let p2Before = balance(provider2)
    let chargedBefore = Test.eventsOfType(Type<FlareFDCTriggers.SubscriptionCharged>()).length
    let report = fxReport("w1")
    Test.expect(submit(report, fxSigs("w1")), Test.beSucceeded())

    let expected = fxW1Charged()
    let charges = Test.eventsOfType(Type<FlareFDCTriggers.SubscriptionCharged>())
    Test.assertEqual(chargedBefore + 4, charges.length)
    var i = 0
    while i < 4 {
        let e = charges[chargedBefore + i] as! FlareFDCTriggers.SubscriptionCharged
        Test.assertEqual(report.ids[i], e.id)
        Test.assertEqual(report.window, e.window)
        Test.assertEqual(report.tokens[i], e.tokens)
        Test.assertEqual(expected[i], e.charged)
        i = i + 1
    }
    let unbillable = Test.eventsOfType(Type<FlareFDCTriggers.UsageUnbillable>())
    let u = unbillable[unbillable.length - 1] as! FlareFDCTriggers.UsageUnbillable
    Test.assertEqual(99 as UInt64, u.id)
    Test.assertEqual("unknown", u.reason)

    let settled = Test.eventsOfType(Type<FlareFDCTriggers.UsageReportSettled>())
    let s = settled[settled.length - 1] as! FlareFDCTriggers.UsageReportSettled
    Test.assertEqual(fxW1Total(), s.charged)
    Test.assertEqual(report.digest, s.digest)
    Test.assertEqual(5 as UInt64, s.lines)
    // A report settled in one transaction is one chunk, in the window and round its oracles signed.
    Test.assertEqual(1 as UInt64, s.chunks)
    Test.assertEqual(report.window, s.window)
    Test.assertEqual(report.round, s.round)

    // Each provider paid once, the sum of its lines.
    Test.assertEqual(p1Before + expected[0] + expected[1] + expected[2], balance(provider1))
    Test.assertEqual(p2Before + expected[3], balance(provider2))
    let paid = Test.eventsOfType(Type<SimpleUsageSubscriptions.ProviderPaid>())
    Test.assertEqual(2, paid.length)

    // Subscription 2 overran its escrow: charged what was left, suspended.
    let sub2 = subscription(2)
    Test.assertEqual(0.0, sub2.balance)
    Test.assertEqual(SimpleUsageSubscriptions.Status.Suspended, sub2.status)

    // Money is conserved.
    let t = scriptInline("import \"SimpleUsageSubscriptions\"\naccess(all) fun main(): SimpleUsageSubscriptions.Totals { return SimpleUsageSubscriptions.getTotals() }", [])! as! SimpleUsageSubscriptions.Totals
    Test.assertEqual(t.deposited, t.paidToProviders + t.owedToProviders + t.refunded + t.escrow)
    Test.assertEqual(t.vaultBalance, t.owedToProviders + t.escrow)
    Test.assertEqual(151.0 - fxW1Total(), t.escrow)
    Test.assertEqual(report.window, lastSettledWindow())
}

access(all) fun testLineOfClosingSubscriptionIsStillBilled() {
    txOk("transactions/subscriptions/request_close", customer, [3 as UInt64])
    Test.expect(submit(fxReport("w1"), fxSigs("w1")), Test.beSucceeded())
    let sub3 = subscription(3)
    Test.assertEqual(50.0 - fxW1Charged()[3], sub3.balance)
    Test.assertEqual(SimpleUsageSubscriptions.Status.Closing, sub3.status)
}

access(all) fun testAllThreeOraclesAlsoAccepted() {
    Test.expect(submit(fxReport("w1"), fxSigs("w1All")), Test.beSucceeded())
}

access(all) fun testRejectsSignatureByUnregisteredKey() {
    let before = stateFingerprint()
    assertRejectedUnchanged(submit(fxReport("w1"), fxSigs("w1Unregistered")), "not enough valid oracle signatures: 1 of 2", before)
    // The same unregistered key claiming a registered oracle's id does not count either.
    assertRejectedUnchanged(submit(fxReport("w1"), fxSigs("w1UnregisteredAsKnownId")), "not enough valid oracle signatures: 1 of 2", before)
}

access(all) fun testRejectsOneOracleSigningTwice() {
    let before = stateFingerprint()
    assertRejectedUnchanged(submit(fxReport("w1"), fxSigs("w1Twice")), "not enough valid oracle signatures: 1 of 2", before)
}

access(all) fun testRejectsThresholdMinusOneSignatures() {
    let before = stateFingerprint()
    assertRejectedUnchanged(submit(fxReport("w1"), fxSigs("w1One")), "not enough valid oracle signatures: 1 of 2", before)
}

access(all) fun testRejectsTamperedLine() {
    let before = stateFingerprint()
    assertRejectedUnchanged(submit(fxReport("w1Tampered"), fxSigs("w1")), "not enough valid oracle signatures: 0 of 2", before)
}

access(all) fun testRejectsReplayedWindow() {
    Test.expect(submit(fxReport("w1"), fxSigs("w1")), Test.beSucceeded())
    let before = stateFingerprint()
    let window = fxReport("w1").window
    assertRejectedUnchanged(submit(fxReport("w1"), fxSigs("w1")), "the window was already accepted (replay): window \(window)", before)
}

access(all) fun testRejectsOlderWindow() {
    Test.expect(submit(fxReport("w2"), fxSigs("w2")), Test.beSucceeded())
    let before = stateFingerprint()
    let older = fxReport("w1").window
    let last = fxReport("w2").window
    assertRejectedUnchanged(submit(fxReport("w1"), fxSigs("w1")), "the window is older than the last accepted window (\(older) before \(last))", before)
}

access(all) fun testGapsAreAllowed() {
    Test.expect(submit(fxReport("w1"), fxSigs("w1")), Test.beSucceeded())
    Test.expect(submit(fxReport("w2"), fxSigs("w2")), Test.beSucceeded())
    Test.assertEqual(fxReport("w2").window, lastSettledWindow())
}

access(all) fun testRejectsWrongDomainTag() {
    let before = stateFingerprint()
    assertRejectedUnchanged(submit(fxReport("w1"), fxSigs("w1WrongDomain")), "not enough valid oracle signatures: 0 of 2", before)
}

access(all) fun testRejectsAnotherChainId() {
    let before = stateFingerprint()
    assertRejectedUnchanged(submit(fxReport("w1"), fxSigs("w1OtherChain")), "not enough valid oracle signatures: 0 of 2", before)
}

access(all) fun testRejectsAnotherVerifierAddress() {
    let before = stateFingerprint()
    assertRejectedUnchanged(submit(fxReport("w1"), fxSigs("w1OtherVerifier")), "not enough valid oracle signatures: 0 of 2", before)
}

access(all) fun testRejectsARequestsRootChangedAfterSigning() {
    // The root is part of the signed digest: another set of requests under the same totals fails.
    let before = stateFingerprint()
    let report = fxReport("w1")
    let sigs = fxSigs("w1")
    var roots = report.roots
    roots[1] = roots[1] ^ 1
    let result = relay("transactions/triggers/submit_report", [report.window, report.round, report.ids, report.families, report.tokens, report.requests, roots, sigs.signers, sigs.signatures])
    assertRejectedUnchanged(result, "not enough valid oracle signatures: 0 of 2", before)
}

access(all) fun testRejectsAnotherVotingRound() {
    let before = stateFingerprint()
    let report = fxReport("w1")
    let sigs = fxSigs("w1")
    let result = relay("transactions/triggers/submit_report", [report.window, report.round + 1, report.ids, report.families, report.tokens, report.requests, report.roots, sigs.signers, sigs.signatures])
    assertRejectedUnchanged(result, "not enough valid oracle signatures: 0 of 2", before)
}

access(all) fun testRejectsRemovedOraclesSignature() {
    txOk("transactions/oracle/remove_oracle", admin, [3 as UInt64])
    let before = stateFingerprint()
    assertRejectedUnchanged(submit(fxReport("w1"), fxSigs("w1Removed")), "not enough valid oracle signatures: 1 of 2", before)
}

access(all) fun testRejectsLinesOutOfOrder() {
    let before = stateFingerprint()
    let r = fxReport("w1")
    let sigs = fxSigs("w1")
    let result = relay("transactions/triggers/submit_report", [r.window, r.round, [2 as UInt64, 1 as UInt64], ["", ""], [1 as UInt64, 1 as UInt64], [1 as UInt64, 1 as UInt64], [0 as UInt256, 0 as UInt256], sigs.signers, sigs.signatures])
    assertRejectedUnchanged(result, "lines are not in report order (or repeat a subscription and family): line 1 (subscription 1, family '') follows subscription 2, family ''", before)
    let dup = relay("transactions/triggers/submit_report", [r.window, r.round, [1 as UInt64, 1 as UInt64], ["gpt-4", "gpt-4"], [1 as UInt64, 1 as UInt64], [1 as UInt64, 1 as UInt64], [0 as UInt256, 0 as UInt256], sigs.signers, sigs.signatures])
    assertRejectedUnchanged(dup, "repeat a subscription and family): line 1 (subscription 1, family 'gpt-4') follows subscription 1, family 'gpt-4'", before)
}

access(all) fun testRejectsColumnsOfDifferentLengths() {
    let before = stateFingerprint()
    let r = fxReport("w1")
    let sigs = fxSigs("w1")
    let result = relay("transactions/triggers/submit_report", [r.window, r.round, r.ids, r.families, [1 as UInt64], r.requests, r.roots, sigs.signers, sigs.signatures])
    let lines = r.ids.length
    assertRejectedUnchanged(result, "the line columns differ in length (\(lines) ids, \(lines) families, 1 tokens, \(lines) requests, \(lines) request roots)", before)
    // Each column one line short, in turn: every column is compared, not only some pairs.
    let n = lines - 1
    let short = [
        relay("transactions/triggers/submit_report", [r.window, r.round, r.ids.slice(from: 0, upTo: n), r.families, r.tokens, r.requests, r.roots, sigs.signers, sigs.signatures]),
        relay("transactions/triggers/submit_report", [r.window, r.round, r.ids, r.families.slice(from: 0, upTo: n), r.tokens, r.requests, r.roots, sigs.signers, sigs.signatures]),
        relay("transactions/triggers/submit_report", [r.window, r.round, r.ids, r.families, r.tokens, r.requests.slice(from: 0, upTo: n), r.roots, sigs.signers, sigs.signatures]),
        relay("transactions/triggers/submit_report", [r.window, r.round, r.ids, r.families, r.tokens, r.requests, r.roots.slice(from: 0, upTo: n), sigs.signers, sigs.signatures])
    ]
    let counts = [
        "\(n) ids, \(lines) families, \(lines) tokens, \(lines) requests, \(lines) request roots",
        "\(lines) ids, \(n) families, \(lines) tokens, \(lines) requests, \(lines) request roots",
        "\(lines) ids, \(lines) families, \(lines) tokens, \(n) requests, \(lines) request roots",
        "\(lines) ids, \(lines) families, \(lines) tokens, \(lines) requests, \(n) request roots"
    ]
    for i, refused in short {
        assertRejectedUnchanged(refused, "the line columns differ in length (".concat(counts[i]).concat(")"), before)
    }
}

access(all) fun testRejectsInvalidFamily() {
    let before = stateFingerprint()
    let r = fxReport("w1")
    let sigs = fxSigs("w1")
    let long = relay("transactions/triggers/submit_report", [r.window, r.round, [1 as UInt64], ["a-family-name-longer-than-31-bytes"], [1 as UInt64], [1 as UInt64], [0 as UInt256], sigs.signers, sigs.signatures])
    assertRejectedUnchanged(long, "a family name is at most 31 bytes, not 34", before)
    let nonAscii = relay("transactions/triggers/submit_report", [r.window, r.round, [1 as UInt64], ["gpt\n4"], [1 as UInt64], [1 as UInt64], [0 as UInt256], sigs.signers, sigs.signatures])
    assertRejectedUnchanged(nonAscii, "a family name is printable ASCII, not byte 10 at position 3", before)
}

access(all) fun testRejectsWindowNotYetEnded() {
    let before = stateFingerprint()
    let r = fxReport("w1")
    let sigs = fxSigs("w1")
    // Far enough ahead that no clock offset an earlier test's Test.moveTime left can reach it.
    let future: UInt64 = UInt64(scriptInline("access(all) fun main(): UFix64 { return getCurrentBlock().timestamp }", [])! as! UFix64) / 300 + 100_000
    let result = relay("transactions/triggers/submit_report", [future, r.round, r.ids, r.families, r.tokens, r.requests, r.roots, sigs.signers, sigs.signatures])
    assertRejectedUnchanged(result, "the window has not ended yet (it ends at \(UFix64(future + 1) * 300.0), the block is at ", before)
}

access(all) fun testRejectsMismatchedSignatureColumns() {
    let before = stateFingerprint()
    let r = fxReport("w1")
    let sigs = fxSigs("w1")
    let result = relay("transactions/triggers/submit_report", [r.window, r.round, r.ids, r.families, r.tokens, r.requests, r.roots, [1 as UInt64], sigs.signatures])
    let signatures = sigs.signatures.length
    assertRejectedUnchanged(result, "signers and signatures differ in length (1 signers, \(signatures) signatures)", before)
}

access(all) fun testEmptyReportSettlesTheWindow() {
    // An empty window is signed like any other; fixtures have none, so only the digest is checked.
    let digest = script("scripts/triggers/testing/report_digest", [5 as UInt64, [] as [UInt64], [] as [String], [] as [UInt64], [] as [UInt64], [] as [UInt256]])! as! String
    Test.assertEqual(64, digest.length)
}

access(all) fun testReportStartingWithTheLowestLineHashesAsTypeScriptDoes() {
    // Subscription 0 with the default family "" sorts before every other line; the order check
    // compares each line with the one before it, so a first line has nothing to be out of order with.
    let r = fxReport("w4")
    Test.assertEqual(0 as UInt64, r.ids[0])
    Test.assertEqual("", r.families[0])
    let digest = script("scripts/triggers/testing/report_digest", [r.window, r.ids, r.families, r.tokens, r.requests, r.roots])! as! String
    Test.assertEqual(r.digest, digest)
}

access(all) fun testFamiliesAtTheFormatsEdgesHashAsTypeScriptDoes() {
    // A family is at most 31 printable ASCII bytes (32 to 126): each edge accepted, hashed into
    // the same word TypeScript and Solidity put in the report.
    let r = fxReport("w5")
    Test.assertEqual([" ", "abcdefghijklmnopqrstuvwxyz01234", "~"], r.families)
    let digest = script("scripts/triggers/testing/report_digest", [r.window, r.ids, r.families, r.tokens, r.requests, r.roots])! as! String
    Test.assertEqual(r.digest, digest)
}

access(all) fun testFamiliesJustPastTheFormatsEdgesAreRefused() {
    let refusals: {String: String} = {
        "abcdefghijklmnopqrstuvwxyz012345": "a family name is at most 31 bytes, not 32",
        "\u{1f}": "a family name is printable ASCII, not byte 31 at position 0",
        "a\u{7f}": "a family name is printable ASCII, not byte 127 at position 1"
    }
    for family in refusals.keys {
        let result = Test.executeScript(code("scripts/triggers/testing/report_digest"), [5 as UInt64, [1 as UInt64], [family], [1 as UInt64], [1 as UInt64], [0 as UInt256]])
        Test.expect(result, Test.beFailed())
        Test.assert(result.error!.message.contains(refusals[family]!), message: "family 0x\(String.encodeHex(family.utf8)): ".concat(result.error!.message))
    }
}

/// Last: Test.moveTime is not undone by the reset between tests.
access(all) fun testLineOfClosedSubscriptionIsUnbillableAndBlocksNothing() {
    txOk("transactions/subscriptions/request_close", customer, [3 as UInt64])
    Test.moveTime(by: 3_601.0)
    txOk("transactions/subscriptions/finish_close", customer, [3 as UInt64])
    let before = Test.eventsOfType(Type<FlareFDCTriggers.UsageUnbillable>()).length
    Test.expect(submit(fxReport("w1"), fxSigs("w1")), Test.beSucceeded())
    let unbillable = Test.eventsOfType(Type<FlareFDCTriggers.UsageUnbillable>())
    Test.assertEqual(before + 2, unbillable.length)
    let closed = unbillable[before] as! FlareFDCTriggers.UsageUnbillable
    Test.assertEqual(3 as UInt64, closed.id)
    Test.assertEqual("closed", closed.reason)
    Test.assertEqual(0.0, subscription(3).balance)
    // The other lines are billed as usual.
    Test.assertEqual(100.0 - fxW1Charged()[0] - fxW1Charged()[1], subscription(1).balance)
}

access(all) fun testNoOutsideCodeChargesOrSettlesWithoutTheOracles() {
    // Charging lines and settling a window happen only inside submitReport and submitChunk,
    // after the oracles' quorum: no transaction can reach them directly.
    let before = stateFingerprint()
    let calls: {String: String} = {
        "chargeLines": "let _ = FlareFDCTriggers.chargeLines(window: 1, subscriptionIds: [1], families: [\"gpt-4\"], tokens: [1000])",
        "settle": "FlareFDCTriggers.settle(window: 1, round: 1, digest: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], lines: 1, charged: 1.0, chunks: 1)"
    }
    for name in calls.keys {
        let code = "import \"FlareFDCTriggers\"\ntransaction { prepare(s: &Account) {\n ".concat(calls[name]!).concat("\n } }")
        let result = Test.executeTransaction(Test.Transaction(code: code, authorizers: [], signers: [Test.createAccount()], arguments: []))
        assertRejectedUnchanged(result, "cannot access `".concat(name).concat("`"), before)
    }
}
