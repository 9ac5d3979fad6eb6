import Test
import "oracle_helpers.cdc"
import "oracle_fixtures.cdc"
import "FlareFDCTriggers"
import "FlareOracleVerifier"

access(all) var readyHeight: UInt64 = 0
access(all) let zeroLink = "0000000000000000000000000000000000000000000000000000000000000000"

/// Subscriptions 1..3 as in triggers_report_test; fixture w3 is 5 lines in 3 chunks of <= 2 (and in 2 of <= 3).
access(all) fun setup() {
    deployAll()
    configureOracles(keys: fxOracleKeys(), chainId: fxChainId(), verifier: fxVerifier())
    let customer = newAccount(1000.0)
    let provider = newAccount(1.0)
    txOk("transactions/subscriptions/create_subscription", customer, [provider.address, 100.0, nil, nil])
    txOk("transactions/subscriptions/create_subscription", customer, [provider.address, 1.0, nil, nil])
    txOk("transactions/subscriptions/create_subscription", customer, [provider.address, 50.0, nil, nil])
    readyHeight = chainHeight()
}

access(all) fun beforeEach() {
    resetTo(readyHeight)
}

access(all) fun start(_ sigs: String): Test.TransactionResult {
    let r = fxReport("w3")
    let s = fxSigs(sigs)
    return relay("transactions/triggers/start_chunked_report", [r.window, r.round, fxW3Digest(), fxW3ChunkCount(), fxW3ChunkChain(), s.signers, s.signatures])
}

access(all) fun chunk(_ c: FxChunk): Test.TransactionResult {
    return relay("transactions/triggers/submit_chunk", [fxReport("w3").window, c.index, c.ids, c.families, c.tokens, c.requests, c.roots, c.nextLink])
}

access(all) fun pendingIndex(): UInt64? {
    return scriptInline("import \"FlareFDCTriggers\"\naccess(all) fun main(): UInt64? { return FlareFDCTriggers.pending?.nextIndex }", [])as! UInt64?
}

access(all) fun testChunkHashesMatchTypeScript() {
    // The chain head the oracles signed is rebuilt on chain from the chunks' lines.
    let chunks = fxW3Chunks()
    let r = fxReport("w3")
    var next = zeroLink
    var i = chunks.length - 1
    while i >= 0 {
        let c = chunks[i]
        Test.assertEqual(next, c.nextLink)
        let h = script("scripts/triggers/testing/chunk_hash", [r.window, c.index, fxW3ChunkCount(), c.ids, c.families, c.tokens, c.requests, c.roots])! as! String
        next = String.encodeHex(HashAlgorithm.KECCAK_256.hash(h.decodeHex().concat(next.decodeHex())))
        i = i - 1
    }
    Test.assertEqual(fxW3ChunkChain(), next)
}

access(all) fun testAllChunksInOrderSettleTheWindowOnce() {
    Test.expect(start("w3Chunked"), Test.beSucceeded())
    // the report announces its start: window, round, digest and chunk count
    let started = Test.eventsOfType(Type<FlareFDCTriggers.ChunkedReportStarted>()).removeLast() as! FlareFDCTriggers.ChunkedReportStarted
    Test.assertEqual(fxReport("w3").window, started.window)
    Test.assertEqual(fxReport("w3").round, started.round)
    Test.assertEqual(fxW3Digest(), started.digest)
    Test.assertEqual(fxW3ChunkCount(), started.chunkCount)
    // the verifier announces what it accepted: the window, its digest, its chunks and who signed
    let accepted = Test.eventsOfType(Type<FlareOracleVerifier.WindowAccepted>()).removeLast() as! FlareOracleVerifier.WindowAccepted
    Test.assertEqual(fxReport("w3").window, accepted.window)
    Test.assertEqual(fxW3Digest(), accepted.digest)
    Test.assertEqual(3 as UInt64, accepted.chunkCount)
    Test.assertEqual([1 as UInt64, 2 as UInt64], accepted.signers)
    let chunks = fxW3Chunks()
    Test.expect(chunk(chunks[0]), Test.beSucceeded())
    Test.expect(chunk(chunks[1]), Test.beSucceeded())
    Test.assertEqual(2 as UInt64, pendingIndex()!)
    let settledBefore = Test.eventsOfType(Type<FlareFDCTriggers.UsageReportSettled>()).length
    Test.assertEqual(0, settledBefore)
    Test.expect(chunk(chunks[2]), Test.beSucceeded())
    Test.assertEqual(nil, pendingIndex())
    let settled = Test.eventsOfType(Type<FlareFDCTriggers.UsageReportSettled>())
    Test.assertEqual(1, settled.length)
    let s = settled[0] as! FlareFDCTriggers.UsageReportSettled
    Test.assertEqual(5 as UInt64, s.lines)
    Test.assertEqual(3 as UInt64, s.chunks)
    Test.assertEqual(fxW3Digest(), s.digest)
    let charges = Test.eventsOfType(Type<FlareFDCTriggers.SubscriptionCharged>())
    Test.assertEqual(5, charges.length)
    // the window's total is what its lines were charged, summed across the chunks
    var total = 0.0
    for e in charges {
        total = total + (e as! FlareFDCTriggers.SubscriptionCharged).charged
    }
    Test.assertEqual(total, s.charged)
    Test.assert(total > 0.0, message: "w3 charges something")
    // each chunk announced as it was charged: its index, lines and their charges
    let chunkEvents = Test.eventsOfType(Type<FlareFDCTriggers.ChunkSettled>())
    Test.assertEqual(3, chunkEvents.length)
    var chunkTotal = 0.0
    var lines: UInt64 = 0
    for i, e in chunkEvents {
        let c = e as! FlareFDCTriggers.ChunkSettled
        Test.assertEqual(fxReport("w3").window, c.window)
        Test.assertEqual(UInt64(i), c.index)
        Test.assertEqual(3 as UInt64, c.chunkCount)
        Test.assertEqual(UInt64(chunks[i].ids.length), c.lines)
        chunkTotal = chunkTotal + c.charged
        lines = lines + c.lines
    }
    Test.assertEqual(total, chunkTotal)
    Test.assertEqual(5 as UInt64, lines)
}

access(all) fun testTwoChunksTheFewestSettleTheWindow() {
    // Two is the fewest chunks a chunked report may have (one goes through submitReport).
    let r = fxReport("w3")
    let sigs = fxSigs("w3TwoChunks")
    Test.expect(relay("transactions/triggers/start_chunked_report", [r.window, r.round, fxW3Digest(), fxW3TwoChunkCount(), fxW3TwoChain(), sigs.signers, sigs.signatures]), Test.beSucceeded())
    let chunks = fxW3TwoChunks()
    Test.assertEqual(2, chunks.length)
    Test.expect(chunk(chunks[0]), Test.beSucceeded())
    Test.expect(chunk(chunks[1]), Test.beSucceeded())
    Test.assertEqual(nil, pendingIndex())
    let s = Test.eventsOfType(Type<FlareFDCTriggers.UsageReportSettled>()).removeLast() as! FlareFDCTriggers.UsageReportSettled
    Test.assertEqual(5 as UInt64, s.lines)
    Test.assertEqual(2 as UInt64, s.chunks)
}

access(all) fun testRejectsReplayedChunk() {
    Test.expect(start("w3Chunked"), Test.beSucceeded())
    let chunks = fxW3Chunks()
    Test.expect(chunk(chunks[0]), Test.beSucceeded())
    let before = stateFingerprint()
    assertRejectedUnchanged(chunk(chunks[0]), "chunk out of order (replayed or skipped); expected chunk 1", before)
}

access(all) fun testRejectsChunkOutOfOrder() {
    Test.expect(start("w3Chunked"), Test.beSucceeded())
    let chunks = fxW3Chunks()
    Test.expect(chunk(chunks[0]), Test.beSucceeded())
    let before = stateFingerprint()
    assertRejectedUnchanged(chunk(chunks[2]), "chunk out of order (replayed or skipped); expected chunk 1", before)
}

access(all) fun testRejectsChunkRelabelledWithTheExpectedIndex() {
    // Chunk 2's lines sent as chunk 1: the index check passes, the chain does not.
    Test.expect(start("w3Chunked"), Test.beSucceeded())
    let chunks = fxW3Chunks()
    Test.expect(chunk(chunks[0]), Test.beSucceeded())
    let before = stateFingerprint()
    let c2 = chunks[2]
    let relabelled = FxChunk(index: 1, ids: c2.ids, families: c2.families, tokens: c2.tokens, requests: c2.requests, roots: c2.roots, nextLink: chunks[1].nextLink)
    assertRejectedUnchanged(chunk(relabelled), "the chunk does not match the signed chunk chain", before)
}

access(all) fun testRejectsTamperedChunk() {
    Test.expect(start("w3Chunked"), Test.beSucceeded())
    let before = stateFingerprint()
    let c0 = fxW3Chunks()[0]
    let tampered = FxChunk(index: 0, ids: c0.ids, families: c0.families, tokens: [c0.tokens[0] + 1, c0.tokens[1]], requests: c0.requests, roots: c0.roots, nextLink: c0.nextLink)
    assertRejectedUnchanged(chunk(tampered), "the chunk does not match the signed chunk chain", before)
}

access(all) fun testRejectsLastChunkThatDoesNotEndTheChain() {
    Test.expect(start("w3Chunked"), Test.beSucceeded())
    let chunks = fxW3Chunks()
    Test.expect(chunk(chunks[0]), Test.beSucceeded())
    Test.expect(chunk(chunks[1]), Test.beSucceeded())
    let before = stateFingerprint()
    let c2 = chunks[2]
    let open = FxChunk(index: 2, ids: c2.ids, families: c2.families, tokens: c2.tokens, requests: c2.requests, roots: c2.roots, nextLink: chunks[0].nextLink)
    assertRejectedUnchanged(chunk(open), "the last chunk must end the chain with a zero link", before)
}

access(all) fun testRejectsChunkAfterTheReportIsComplete() {
    Test.expect(start("w3Chunked"), Test.beSucceeded())
    let chunks = fxW3Chunks()
    for c in chunks {
        Test.expect(chunk(c), Test.beSucceeded())
    }
    let before = stateFingerprint()
    assertRejectedUnchanged(chunk(chunks[2]), "no chunked report is in progress", before)
}

access(all) fun testRejectsChunkWithoutStart() {
    let before = stateFingerprint()
    assertRejectedUnchanged(chunk(fxW3Chunks()[0]), "no chunked report is in progress", before)
}

access(all) fun testRejectsSingleAttestationOpeningAChunkedReport() {
    let before = stateFingerprint()
    assertRejectedUnchanged(start("w3Single"), "not enough valid oracle signatures: 0 of 2", before)
}

access(all) fun testRejectsRestartOfTheSameWindow() {
    Test.expect(start("w3Chunked"), Test.beSucceeded())
    let before = stateFingerprint()
    assertRejectedUnchanged(start("w3Chunked"), "a chunked report is in progress; finish it first (window 5000020)", before)
}

access(all) fun testRejectsWholeReportWhileChunksArePending() {
    Test.expect(start("w3Chunked"), Test.beSucceeded())
    let before = stateFingerprint()
    let r = fxReport("w1")
    let s = fxSigs("w1")
    let result = relay("transactions/triggers/submit_report", [r.window, r.round, r.ids, r.families, r.tokens, r.requests, r.roots, s.signers, s.signatures])
    assertRejectedUnchanged(result, "a chunked report is in progress; finish it first (window 5000020)", before)
}

access(all) fun testRejectsChunkForAnotherWindow() {
    Test.expect(start("w3Chunked"), Test.beSucceeded())
    let before = stateFingerprint()
    let c = fxW3Chunks()[0]
    let result = relay("transactions/triggers/submit_chunk", [fxReport("w3").window + 1, c.index, c.ids, c.families, c.tokens, c.requests, c.roots, c.nextLink])
    let window = fxReport("w3").window
    assertRejectedUnchanged(result, "the chunk is for another window than the report in progress (window \(window + 1), in progress \(window))", before)
}

access(all) fun testHashesWithA0xPrefixReadAsTheSameBytes() {
    // The relayer may pass a hash as 0x-prefixed hex (as ethers prints it) or bare: the same 32 bytes.
    let r = fxReport("w3")
    let sigs = fxSigs("w3TwoChunks")
    Test.expect(relay("transactions/triggers/start_chunked_report", [r.window, r.round, "0x".concat(fxW3Digest()), fxW3TwoChunkCount(), "0x".concat(fxW3TwoChain()), sigs.signers, sigs.signatures]), Test.beSucceeded())
    for c in fxW3TwoChunks() {
        Test.expect(relay("transactions/triggers/submit_chunk", [r.window, c.index, c.ids, c.families, c.tokens, c.requests, c.roots, "0x".concat(c.nextLink)]), Test.beSucceeded())
    }
    Test.assertEqual(nil, pendingIndex())
    let settled = Test.eventsOfType(Type<FlareFDCTriggers.UsageReportSettled>()).removeLast() as! FlareFDCTriggers.UsageReportSettled
    Test.assertEqual(fxW3Digest(), settled.digest)
}

access(all) fun testRejectsAHashThatIsNot32BytesOfHex() {
    let before = stateFingerprint()
    let r = fxReport("w3")
    let s = fxSigs("w3TwoChunks")
    let digest = fxW3Digest()
    let cases: {String: String} = {
        "0x": "got 0",
        "0": "got 1",
        "0x".concat(digest.slice(from: 0, upTo: 62)): "got 62",
        digest.concat("00"): "got 66"
    }
    for hash in cases.keys {
        let result = relay("transactions/triggers/start_chunked_report", [r.window, r.round, hash, fxW3TwoChunkCount(), fxW3TwoChain(), s.signers, s.signatures])
        assertRejectedUnchanged(result, "expected 32 bytes as 64 hex characters, ".concat(cases[hash]!), before)
    }
}

access(all) fun testRejectsChunkCountBelowTwo() {
    let before = stateFingerprint()
    let r = fxReport("w3")
    let s = fxSigs("w3Chunked")
    let result = relay("transactions/triggers/start_chunked_report", [r.window, r.round, fxW3Digest(), 1 as UInt64, fxW3ChunkChain(), s.signers, s.signatures])
    assertRejectedUnchanged(result, "a chunked report has at least 2 chunks (use submitReport), not 1", before)
}

access(all) fun testRejectsAChunkedReportOfAWindowNotYetEnded() {
    let before = stateFingerprint()
    let r = fxReport("w3")
    let s = fxSigs("w3Chunked")
    // Far enough ahead that no clock offset an earlier test's Test.moveTime left can reach it.
    let future: UInt64 = UInt64(scriptInline("access(all) fun main(): UFix64 { return getCurrentBlock().timestamp }", [])! as! UFix64) / 300 + 100_000
    let result = relay("transactions/triggers/start_chunked_report", [future, r.round, fxW3Digest(), fxW3ChunkCount(), fxW3ChunkChain(), s.signers, s.signatures])
    assertRejectedUnchanged(result, "the window has not ended yet (it ends at \(UFix64(future + 1) * 300.0), the block is at ", before)
}

access(all) fun testOlderWindowRejectedAfterChunkedReport() {
    Test.expect(start("w3Chunked"), Test.beSucceeded())
    for c in fxW3Chunks() {
        Test.expect(chunk(c), Test.beSucceeded())
    }
    let before = stateFingerprint()
    let r = fxReport("w1")
    let s = fxSigs("w1")
    let result = relay("transactions/triggers/submit_report", [r.window, r.round, r.ids, r.families, r.tokens, r.requests, r.roots, s.signers, s.signatures])
    assertRejectedUnchanged(result, "the window is older than the last accepted window", before)
}

access(all) fun resume(_ sigs: String, fromLine: UInt64, chunkCount: UInt64, chain: String): Test.TransactionResult {
    let s = fxSigs(sigs)
    return relay("transactions/triggers/resume_chunked_report", [fxReport("w3").window, fromLine, chunkCount, chain, s.signers, s.signatures])
}

access(all) fun balances(): [UFix64] {
    let out: [UFix64] = []
    var id: UInt64 = 1
    while id <= 3 {
        out.append((scriptInline("import \"SimpleUsageSubscriptions\"\naccess(all) fun main(id: UInt64): UFix64 { return SimpleUsageSubscriptions.getSubscription(id)!.balance }", [id])! as! UFix64))
        id = id + 1
    }
    return out
}

access(all) fun testRejectsAResumptionWithoutAReportInProgressOrForAnotherWindow() {
    let before = stateFingerprint()
    assertRejectedUnchanged(resume("w3Resume", fromLine: 2, chunkCount: fxW3ResumeChunkCount(), chain: fxW3ResumeChain()), "FlareFDCTriggers: no chunked report is in progress", before)
    Test.expect(start("w3Chunked"), Test.beSucceeded())
    Test.expect(chunk(fxW3Chunks()[0]), Test.beSucceeded())
    Test.moveTime(by: 3_600.0)
    let stuck = stateFingerprint()
    let s = fxSigs("w3Resume")
    let window = fxReport("w3").window
    let other = relay("transactions/triggers/resume_chunked_report", [window + 1, 2 as UInt64, fxW3ResumeChunkCount(), fxW3ResumeChain(), s.signers, s.signatures])
    assertRejectedUnchanged(other, "FlareFDCTriggers: the resumption is for another window than the report in progress (window \(window + 1), in progress \(window))", stuck)
    assertRejectedUnchanged(resume("w3Resume", fromLine: 2, chunkCount: 0, chain: fxW3ResumeChain()), "FlareFDCTriggers: a resumed report has at least one chunk", stuck)
}

/// What the whole w3 report charges when nothing goes wrong (every chunk in order).
access(all) fun balancesAfterAllChunks(): [UFix64] {
    Test.expect(start("w3Chunked"), Test.beSucceeded())
    for c in fxW3Chunks() {
        Test.expect(chunk(c), Test.beSucceeded())
    }
    let out = balances()
    resetTo(readyHeight)
    return out
}

// Hole 8: a chunk that cannot execute used to block every later window forever. After
// stuckAfter without progress, a quorum-signed new chain over the uncharged lines resumes it:
// nothing is charged twice, no line is lost, no contract upgrade.
access(all) fun testAStuckChunkedReportIsResumedWithoutChargingTwice() {
    let expected = balancesAfterAllChunks()
    Test.expect(start("w3Chunked"), Test.beSucceeded())
    Test.expect(chunk(fxW3Chunks()[0]), Test.beSucceeded())
    // chunk 1 never goes through; before stuckAfter the report is not stuck
    let early = resume("w3Resume", fromLine: 2, chunkCount: fxW3ResumeChunkCount(), chain: fxW3ResumeChain())
    Test.assertError(early, errorMessage: "FlareFDCTriggers: the report in progress is not stuck (no progress for 3600 seconds is needed); its last progress was at ")
    Test.moveTime(by: 3_600.0)
    let before = stateFingerprint()
    // a resumption must start at the first uncharged line, be signed by a quorum, and be a
    // resume attestation (not the chunked one)
    assertRejectedUnchanged(resume("w3ResumeFromOne", fromLine: 1, chunkCount: fxW3ResumeFromOneChunkCount(), chain: fxW3ResumeFromOneChain()), "FlareFDCTriggers: a resumption starts at the first uncharged line, 2", before)
    assertRejectedUnchanged(resume("w3ResumeOne", fromLine: 2, chunkCount: fxW3ResumeChunkCount(), chain: fxW3ResumeChain()), "FlareOracleVerifier: not enough valid oracle signatures: 1 of 2", before)
    assertRejectedUnchanged(resume("w3ChunkedAsResume", fromLine: 2, chunkCount: fxW3ResumeChunkCount(), chain: fxW3ResumeChain()), "FlareOracleVerifier: not enough valid oracle signatures: 0 of 2", before)
    Test.expect(resume("w3Resume", fromLine: 2, chunkCount: fxW3ResumeChunkCount(), chain: fxW3ResumeChain()), Test.beSucceeded())
    let resumed = Test.eventsOfType(Type<FlareFDCTriggers.ChunkedReportResumed>()).removeLast() as! FlareFDCTriggers.ChunkedReportResumed
    Test.assertEqual(2 as UInt64, resumed.fromLine)
    // the old chain's next chunk no longer fits; the new chain's chunks settle the window
    Test.expect(chunk(fxW3Chunks()[1]), Test.beFailed())
    for c in fxW3ResumeChunks() {
        Test.expect(chunk(c), Test.beSucceeded())
    }
    Test.assertEqual(nil, pendingIndex())
    let settled = Test.eventsOfType(Type<FlareFDCTriggers.UsageReportSettled>()).removeLast() as! FlareFDCTriggers.UsageReportSettled
    Test.assertEqual(fxReport("w3").window, settled.window)
    Test.assertEqual(5 as UInt64, settled.lines)
    Test.assertEqual(4 as UInt64, settled.chunks)
    // exactly what the undisturbed report charges
    Test.assertEqual(expected, balances())
    // a resumption of a settled window is refused
    Test.expect(resume("w3Resume", fromLine: 2, chunkCount: fxW3ResumeChunkCount(), chain: fxW3ResumeChain()), Test.beFailed())
}

// A resumption may be a single chunk (the uncharged lines fit one transaction): the verifier
// accepts it and announces it, and that one chunk settles the window as the undisturbed report would.
access(all) fun testAStuckChunkedReportIsResumedInOneChunk() {
    let expected = balancesAfterAllChunks()
    Test.expect(start("w3Chunked"), Test.beSucceeded())
    Test.expect(chunk(fxW3Chunks()[0]), Test.beSucceeded())
    Test.moveTime(by: 3_600.0)
    Test.assertEqual(1 as UInt64, fxW3ResumeWholeChunkCount())
    Test.expect(resume("w3ResumeWhole", fromLine: 2, chunkCount: fxW3ResumeWholeChunkCount(), chain: fxW3ResumeWholeChain()), Test.beSucceeded())
    let resumed = Test.eventsOfType(Type<FlareOracleVerifier.WindowResumed>()).removeLast() as! FlareOracleVerifier.WindowResumed
    Test.assertEqual(fxReport("w3").window, resumed.window)
    Test.assertEqual(fxW3Digest(), resumed.digest)
    Test.assertEqual(2 as UInt64, resumed.fromLine)
    Test.assertEqual(1 as UInt64, resumed.chunkCount)
    Test.assertEqual([1 as UInt64, 2 as UInt64], resumed.signers)
    Test.expect(chunk(fxW3ResumeWholeChunks()[0]), Test.beSucceeded())
    Test.assertEqual(nil, pendingIndex())
    Test.assertEqual(expected, balances())
}
