import "EVM"
import "FlareOracleVerifier"
import "SimpleUsageSubscriptions"
import "UsageBasedSubscriptions"

/// FlareFDCTriggers is where verified usage enters billing.
///
/// A relayer hands over one 5-minute window's report lines (columns: ids, families, tokens,
/// requests, request roots, in report order) with oracle signatures. The contract recomputes the report digest
/// from the lines, has FlareOracleVerifier check that a quorum signed it and that the window is
/// after the last one, and charges every line through the Biller it holds; providers are paid
/// once, when the window is settled.
///
/// Reports too large for one transaction travel in chunks (see startChunkedReport): the oracles
/// sign, beside the digest, the head of a hash chain over the chunks, and each chunk is checked
/// against the link it opens before any of its lines is charged.
///
/// A chunked report whose next chunk cannot execute (it does not fit a transaction, say) would
/// block every later window. After `stuckAfter` seconds without progress it can be resumed: the
/// oracles sign a new chunk chain over the lines not yet charged (resumeChunkedReport), so
/// nothing is charged twice and no line is lost, with no contract upgrade.
///
/// Anyone may relay: the submit functions are public on purpose, because their authority is the
/// oracle quorum checked inside them, not the caller. Every other change goes through the
/// resources this contract keeps to itself: the one Biller and the one Acceptor, both made at
/// this contract's deployment and never handed out.
access(all) contract FlareFDCTriggers {

    /// Seconds in one usage window; window id = window start / WindowSeconds. 300 unless the
    /// admin set another length before the first settlement (the local stack uses 30).
    access(all) var WindowSeconds: UInt64
    /// Where the Admin resource is stored.
    access(all) let AdminStoragePath: StoragePath

    /// The right to configure settlement.
    access(all) entitlement Configure
    /// keccak256("FlareFlow.UsageReport.v2"), the digest's first word (v2: lines carry requestsRoot).
    access(all) let ReportDomain: [UInt8; 32]
    /// keccak256("FlareFlow.UsageReportChunk.v2"), the first word of a chunk's hash.
    access(all) let ChunkDomain: [UInt8; 32]

    access(all) event UsageReportSettled(window: UInt64, round: UInt64, digest: String, lines: UInt64, charged: UFix64, chunks: UInt64)
    /// One line charged: `cost` is its full price, `charged` what the escrow paid. If the escrow
    /// ran out, charged < cost and only `paidTokens` of `tokens` were paid for (the rest is
    /// recorded here as unpaid and does not advance the tier position).
    access(all) event SubscriptionCharged(id: UInt64, window: UInt64, family: String, tokens: UInt64, paidTokens: UInt64, cost: UFix64, charged: UFix64)
    /// reason: "unknown" (no such subscription) or "closed".
    access(all) event UsageUnbillable(id: UInt64, window: UInt64, family: String, tokens: UInt64, reason: String)
    access(all) event ChunkedReportStarted(window: UInt64, round: UInt64, digest: String, chunkCount: UInt64)
    access(all) event ChunkSettled(window: UInt64, index: UInt64, chunkCount: UInt64, lines: UInt64, charged: UFix64)
    access(all) event ChunkedReportResumed(window: UInt64, round: UInt64, fromLine: UInt64, chunkCount: UInt64)
    access(all) event WindowLengthSet(seconds: UInt64)
    access(all) event StuckAfterSet(seconds: UFix64)

    /// Held by the account that deployed the contract.
    access(all) resource Admin {
        /// Sets the window length. Window ids count windows of this length, so it can change
        /// only while nothing is settled or in progress: afterwards ids would mean other times.
        /// The close grace must cover the settlement latency at the new length: raise it first
        /// if it does not (SimpleUsageSubscriptions refuses otherwise).
        access(Configure) fun setWindowSeconds(_ seconds: UInt64) {
            pre {
                seconds >= 1 && seconds <= FlareFDCTriggers.MaxWindowSeconds: "FlareFDCTriggers: a window lasts 1 to \(FlareFDCTriggers.MaxWindowSeconds) seconds, not \(seconds)"
                FlareFDCTriggers.lastSettledWindow == nil && FlareFDCTriggers.pending == nil:
                    "FlareFDCTriggers: the window length cannot change once a window is settled (last settled: \(FlareFDCTriggers.lastSettledWindow == nil ? "none" : FlareFDCTriggers.lastSettledWindow!.toString()), in progress: \(FlareFDCTriggers.pending == nil ? "none" : FlareFDCTriggers.pending!.window.toString()))"
            }
            FlareFDCTriggers.WindowSeconds = seconds
            SimpleUsageSubscriptions.setMinimumCloseGracePeriod(FlareFDCTriggers.settlementLatency())
            emit WindowLengthSet(seconds: seconds)
        }

        /// Sets how long a chunked report must make no progress before it can be resumed.
        access(Configure) fun setStuckAfter(_ seconds: UFix64) {
            pre {
                seconds >= 60.0 && seconds <= 86_400.0: "FlareFDCTriggers: stuckAfter is 60 to 86400 seconds, not \(seconds)"
            }
            FlareFDCTriggers.stuckAfter = seconds
            emit StuckAfterSet(seconds: seconds)
        }
    }

    /// A chunked report between its start and its last chunk.
    access(all) struct PendingReport {
        access(all) let window: UInt64
        access(all) let round: UInt64
        access(all) let digest: [UInt8; 32]
        access(all) let chunkCount: UInt64
        /// The index the next chunk must carry.
        access(all) let nextIndex: UInt64
        /// keccak256(chunkHash(nextIndex) ‖ link after it): what the next chunk must open.
        access(all) let expectedLink: [UInt8; 32]
        /// Lines charged so far (the report's first `lines` lines).
        access(all) let lines: UInt64
        access(all) let charged: UFix64
        /// When the report last made progress (opened, a chunk charged, resumed).
        access(all) let updatedAt: UFix64
        /// Chunks charged so far, across resumptions (for the settled event).
        access(all) let chunksDone: UInt64

        view init(window: UInt64, round: UInt64, digest: [UInt8; 32], chunkCount: UInt64, nextIndex: UInt64, expectedLink: [UInt8; 32], lines: UInt64, charged: UFix64, updatedAt: UFix64, chunksDone: UInt64) {
            self.window = window
            self.round = round
            self.digest = digest
            self.chunkCount = chunkCount
            self.nextIndex = nextIndex
            self.expectedLink = expectedLink
            self.lines = lines
            self.charged = charged
            self.updatedAt = updatedAt
            self.chunksDone = chunksDone
        }
    }

    access(self) let biller: @UsageBasedSubscriptions.Biller
    access(self) let acceptor: @FlareOracleVerifier.Acceptor
    /// The last window whose every line has been charged; nil before the first.
    access(all) var lastSettledWindow: UInt64?
    access(all) var pending: PendingReport?
    /// Seconds without progress after which a chunked report can be resumed.
    access(all) var stuckAfter: UFix64
    /// The longest window length the admin can set.
    access(all) let MaxWindowSeconds: UInt64
    /// What the settlement latency bound allows beyond two windows for Flare's voting round and
    /// its finalization, the Data Availability proof, Coston2, the oracles and retries.
    access(all) let LatencyAllowance: UFix64

    /// Settles a whole window in one transaction. The lines are the report's, in report order
    /// (subscription id, then family bytes, ascending, no duplicate); the signatures are the
    /// oracles' over the single-transaction attestation of the digest of these lines.
    access(all) fun submitReport(window: UInt64, votingRound: UInt64, subscriptionIds: [UInt64], families: [String], tokens: [UInt64], requests: [UInt64], requestRoots: [UInt256], signers: [UInt64], signatures: [String]) {
        pre {
            self.pending == nil: "FlareFDCTriggers: a chunked report is in progress; finish it first (window \(self.pending!.window))"
            self.windowEnd(window) <= getCurrentBlock().timestamp: "FlareFDCTriggers: the window has not ended yet (it ends at \(self.windowEnd(window)), the block is at \(getCurrentBlock().timestamp))"
        }
        post {
            self.lastSettledWindow == window: "FlareFDCTriggers: the window was not settled (window \(window))"
        }
        let digest = self.digestOf(window: window, subscriptionIds: subscriptionIds, families: families, tokens: tokens, requests: requests, requestRoots: requestRoots)
        self.acceptor.accept(window: window, digest: digest, votingRound: votingRound, chunkCount: 1, chunkChain: digest, signers: signers, signatures: signatures)
        let charged = self.chargeLines(window: window, subscriptionIds: subscriptionIds, families: families, tokens: tokens)
        self.settle(window: window, round: votingRound, digest: digest, lines: UInt64(subscriptionIds.length), charged: charged, chunks: 1)
    }

    /// Opens a report that travels in `chunkCount` (>= 2) chunks. The oracles sign the chunked
    /// attestation: the window's digest plus `chunkChain`, the head of the chain
    ///   link[n] = 32 zero bytes, link[i] = keccak256(chunkHash(i) ‖ link[i+1]), chunkChain = link[0]
    /// where chunkHash(i) = keccak256(abi.encode(ChunkDomain, window, i, n, lines of chunk i)).
    /// Nothing is charged until submitChunk proves a chunk's lines.
    access(all) fun startChunkedReport(window: UInt64, votingRound: UInt64, digest: String, chunkCount: UInt64, chunkChain: String, signers: [UInt64], signatures: [String]) {
        pre {
            self.pending == nil: "FlareFDCTriggers: a chunked report is in progress; finish it first (window \(self.pending!.window))"
            chunkCount >= 2: "FlareFDCTriggers: a chunked report has at least 2 chunks (use submitReport), not \(chunkCount)"
            self.windowEnd(window) <= getCurrentBlock().timestamp: "FlareFDCTriggers: the window has not ended yet (it ends at \(self.windowEnd(window)), the block is at \(getCurrentBlock().timestamp))"
        }
        post {
            self.pending != nil: "FlareFDCTriggers: the chunked report was not opened"
        }
        let digestBytes = self.bytes32FromHex(digest)
        let head = self.bytes32FromHex(chunkChain)
        self.acceptor.accept(window: window, digest: digestBytes, votingRound: votingRound, chunkCount: chunkCount, chunkChain: head, signers: signers, signatures: signatures)
        self.pending = PendingReport(window: window, round: votingRound, digest: digestBytes, chunkCount: chunkCount, nextIndex: 0, expectedLink: head, lines: 0, charged: 0.0, updatedAt: getCurrentBlock().timestamp, chunksDone: 0)
        emit ChunkedReportStarted(window: window, round: votingRound, digest: String.encodeHex(digestBytes.toVariableSized()), chunkCount: chunkCount)
    }

    /// Charges chunk `index` of the open chunked report. `nextLink` is link[index + 1] (32 zero
    /// bytes for the last chunk). Accepted only if it is the next chunk and
    /// keccak256(chunkHash(index) ‖ nextLink) equals the link the previous chunk revealed.
    access(all) fun submitChunk(window: UInt64, index: UInt64, subscriptionIds: [UInt64], families: [String], tokens: [UInt64], requests: [UInt64], requestRoots: [UInt256], nextLink: String) {
        pre {
            self.pending != nil: "FlareFDCTriggers: no chunked report is in progress"
            self.pending!.window == window: "FlareFDCTriggers: the chunk is for another window than the report in progress (window \(window), in progress \(self.pending!.window))"
            index == self.pending!.nextIndex: "FlareFDCTriggers: chunk out of order (replayed or skipped); expected chunk \(self.pending!.nextIndex)"
        }
        let report = self.pending!
        let next = self.bytes32FromHex(nextLink)
        let last = index + 1 == report.chunkCount
        assert(!last || next == self.zero32(), message: "FlareFDCTriggers: the last chunk must end the chain with a zero link")
        let chunkHash = self.chunkHashOf(window: window, index: index, chunkCount: report.chunkCount, subscriptionIds: subscriptionIds, families: families, tokens: tokens, requests: requests, requestRoots: requestRoots)
        assert(self.link(chunkHash: chunkHash, next: next) == report.expectedLink, message: "FlareFDCTriggers: the chunk does not match the signed chunk chain")

        let charged = self.chargeLines(window: window, subscriptionIds: subscriptionIds, families: families, tokens: tokens)
        let lines = UInt64(subscriptionIds.length)
        emit ChunkSettled(window: window, index: index, chunkCount: report.chunkCount, lines: lines, charged: charged)
        if last {
            self.pending = nil
            self.settle(window: window, round: report.round, digest: report.digest, lines: report.lines + lines, charged: report.charged + charged, chunks: report.chunksDone + 1)
        } else {
            self.pending = PendingReport(window: window, round: report.round, digest: report.digest, chunkCount: report.chunkCount, nextIndex: index + 1, expectedLink: next, lines: report.lines + lines, charged: report.charged + charged, updatedAt: getCurrentBlock().timestamp, chunksDone: report.chunksDone + 1)
        }
    }

    /// Recovers a chunked report whose next chunk has not gone through for `stuckAfter`
    /// seconds: the oracles sign a new chunk chain (same link rule as startChunkedReport) over
    /// the report's lines from `fromLine` on, which must be exactly the lines not yet charged.
    /// Charged lines stay charged; the rest is charged once, by the new chain's chunks.
    access(all) fun resumeChunkedReport(window: UInt64, fromLine: UInt64, chunkCount: UInt64, chunkChain: String, signers: [UInt64], signatures: [String]) {
        pre {
            self.pending != nil: "FlareFDCTriggers: no chunked report is in progress"
            self.pending!.window == window: "FlareFDCTriggers: the resumption is for another window than the report in progress (window \(window), in progress \(self.pending!.window))"
            fromLine == self.pending!.lines: "FlareFDCTriggers: a resumption starts at the first uncharged line, \(self.pending!.lines)"
            chunkCount >= 1: "FlareFDCTriggers: a resumed report has at least one chunk"
            getCurrentBlock().timestamp >= self.pending!.updatedAt + self.stuckAfter:
                "FlareFDCTriggers: the report in progress is not stuck (no progress for \(UInt64(self.stuckAfter)) seconds is needed); its last progress was at \(self.pending!.updatedAt), the block is at \(getCurrentBlock().timestamp)"
        }
        let report = self.pending!
        let head = self.bytes32FromHex(chunkChain)
        self.acceptor.acceptResume(window: window, digest: report.digest, votingRound: report.round, fromLine: fromLine, chunkCount: chunkCount, chunkChain: head, signers: signers, signatures: signatures)
        self.pending = PendingReport(window: window, round: report.round, digest: report.digest, chunkCount: chunkCount, nextIndex: 0, expectedLink: head, lines: report.lines, charged: report.charged, updatedAt: getCurrentBlock().timestamp, chunksDone: report.chunksDone)
        emit ChunkedReportResumed(window: window, round: report.round, fromLine: fromLine, chunkCount: chunkCount)
    }

    /// The report digest of these lines (hex), as Coston2 stores it; panics on invalid lines.
    access(all) fun reportDigest(window: UInt64, subscriptionIds: [UInt64], families: [String], tokens: [UInt64], requests: [UInt64], requestRoots: [UInt256]): String {
        return String.encodeHex(self.digestOf(window: window, subscriptionIds: subscriptionIds, families: families, tokens: tokens, requests: requests, requestRoots: requestRoots).toVariableSized())
    }

    /// chunkHash(index) of these lines (hex), for relayers and tests.
    access(all) fun chunkHash(window: UInt64, index: UInt64, chunkCount: UInt64, subscriptionIds: [UInt64], families: [String], tokens: [UInt64], requests: [UInt64], requestRoots: [UInt256]): String {
        return String.encodeHex(self.chunkHashOf(window: window, index: index, chunkCount: chunkCount, subscriptionIds: subscriptionIds, families: families, tokens: tokens, requests: requests, requestRoots: requestRoots).toVariableSized())
    }

    /// The end (unix seconds) of a window: usage up to it is billed once the window settles.
    access(all) view fun windowEnd(_ window: UInt64): UFix64 {
        return UFix64((window + 1) * self.WindowSeconds)
    }

    /// The start (unix seconds) of a window: its lines are priced by the pricing in force then,
    /// in the billing period it falls in.
    access(all) view fun windowStart(_ window: UInt64): UFix64 {
        return UFix64(window * self.WindowSeconds)
    }

    /// The worst-case time from a window's end to its settlement that the close grace must
    /// cover: two windows (the window a close falls in, and one of usage logged late) plus
    /// LatencyAllowance.
    access(all) view fun settlementLatency(): UFix64 {
        return UFix64(2 as UInt64 * self.WindowSeconds) + self.LatencyAllowance
    }

    /// keccak256 of `head` followed by the lines' static tuples, ABI-encoded. The lines are
    /// appended to the head as a flat list of words (id, family, tokens, requests, requestsRoot,
    /// ...): a line is a static tuple, so abi.encode lays it out as exactly these 5 words, and a
    /// flat list of primitives is the cheapest thing EVM.encodeABI takes (no struct per line).
    /// A requestsRoot travels as a UInt256: the bytes32 read big-endian, encoded as the same word.
    /// Validates the report format on the way: equal column lengths, families of at most 31
    /// printable ASCII bytes, lines strictly ascending by (id, family). Each family's word is
    /// built once per call (a report has few families).
    access(self) fun hashLines(head: [AnyStruct], subscriptionIds: [UInt64], families: [String], tokens: [UInt64], requests: [UInt64], requestRoots: [UInt256]): [UInt8; 32] {
        pre {
            subscriptionIds.length == families.length && families.length == tokens.length && tokens.length == requests.length && requests.length == requestRoots.length:
                "FlareFDCTriggers: the line columns differ in length (\(subscriptionIds.length) ids, \(families.length) families, \(tokens.length) tokens, \(requests.length) requests, \(requestRoots.length) request roots)"
        }
        let values = head
        let familyWords: {String: UInt256} = {}
        let n = subscriptionIds.length
        var prevId: UInt64 = 0
        var prevFamily = ""
        var i = 0
        while i < n {
            let id = subscriptionIds[i]
            let family = families[i]
            if i > 0 {
                // `if` and `panic` rather than `assert`, whose message would be built for every line.
                if !(prevId < id || (prevId == id && prevFamily < family)) {
                    panic("FlareFDCTriggers: lines are not in report order (or repeat a subscription and family): line \(i) (subscription \(id), family '\(family)') follows subscription \(prevId), family '\(prevFamily)'")
                }
            }
            var word = familyWords[family]
            if word == nil {
                word = self.familyWord(family)
                familyWords[family] = word
            }
            values.append(id)
            values.append(word!)
            values.append(tokens[i])
            values.append(requests[i])
            values.append(requestRoots[i])
            prevId = id
            prevFamily = family
            i = i + 1
        }
        return self.keccak(EVM.encodeABI(values))
    }

    /// keccak256(abi.encode(ReportDomain, uint64 window, Line[] lines)): the head is
    /// domain | window | offset 0x60 | length.
    access(self) fun digestOf(window: UInt64, subscriptionIds: [UInt64], families: [String], tokens: [UInt64], requests: [UInt64], requestRoots: [UInt256]): [UInt8; 32] {
        let head: [AnyStruct] = [EVM.EVMBytes32(value: self.ReportDomain), window, 96 as UInt256, UInt256(subscriptionIds.length)]
        return self.hashLines(head: head, subscriptionIds: subscriptionIds, families: families, tokens: tokens, requests: requests, requestRoots: requestRoots)
    }

    /// keccak256(abi.encode(ChunkDomain, uint64 window, uint64 index, uint64 chunkCount, Line[] lines)):
    /// the head is domain | window | index | chunkCount | offset 0xa0 | length.
    access(self) fun chunkHashOf(window: UInt64, index: UInt64, chunkCount: UInt64, subscriptionIds: [UInt64], families: [String], tokens: [UInt64], requests: [UInt64], requestRoots: [UInt256]): [UInt8; 32] {
        let head: [AnyStruct] = [EVM.EVMBytes32(value: self.ChunkDomain), window, index, chunkCount, 160 as UInt256, UInt256(subscriptionIds.length)]
        return self.hashLines(head: head, subscriptionIds: subscriptionIds, families: families, tokens: tokens, requests: requests, requestRoots: requestRoots)
    }

    access(self) fun link(chunkHash: [UInt8; 32], next: [UInt8; 32]): [UInt8; 32] {
        return self.keccak(chunkHash.toVariableSized().concat(next.toVariableSized()))
    }

    /// Charges every line; returns the total taken from escrow. An unknown or closed
    /// subscription's line is recorded as unbillable and does not stop the others.
    access(self) fun chargeLines(window: UInt64, subscriptionIds: [UInt64], families: [String], tokens: [UInt64]): UFix64 {
        let biller = &self.biller as auth(UsageBasedSubscriptions.Bill) &UsageBasedSubscriptions.Biller
        // Raw values read once for the whole report, not per line.
        let unknown = UsageBasedSubscriptions.LineOutcome.Unknown.rawValue
        let closed = UsageBasedSubscriptions.LineOutcome.Closed.rawValue
        return biller.chargeLines(
            subscriptionIds: &subscriptionIds as &[UInt64],
            families: &families as &[String],
            tokens: &tokens as &[UInt64],
            windowStart: self.windowStart(window),
            onLine: fun (i: Int, cost: UFix64, charged: UFix64, paidTokens: UInt64, outcome: UInt8) {
                if outcome == unknown || outcome == closed {
                    emit UsageUnbillable(id: subscriptionIds[i], window: window, family: families[i], tokens: tokens[i], reason: outcome == unknown ? "unknown" : "closed")
                } else {
                    emit SubscriptionCharged(id: subscriptionIds[i], window: window, family: families[i], tokens: tokens[i], paidTokens: paidTokens, cost: cost, charged: charged)
                }
            }
        )
    }

    /// Pays each provider once for the whole window and records the window as settled, which
    /// lets closing subscriptions refund what is left.
    access(self) fun settle(window: UInt64, round: UInt64, digest: [UInt8; 32], lines: UInt64, charged: UFix64, chunks: UInt64) {
        let _ = self.biller.settle(usageThrough: self.windowEnd(window))
        self.lastSettledWindow = window
        emit UsageReportSettled(window: window, round: round, digest: String.encodeHex(digest.toVariableSized()), lines: lines, charged: charged, chunks: chunks)
    }

    /// A family name as the report's bytes32, read as a big-endian uint256 (the same 32 bytes):
    /// left-aligned ASCII, zero-padded; "" is 0.
    access(self) fun familyWord(_ family: String): UInt256 {
        let utf8 = family.utf8
        if utf8.length > 31 {
            panic("FlareFDCTriggers: a family name is at most 31 bytes, not \(utf8.length)")
        }
        var word: UInt256 = 0
        var i = 0
        while i < 32 {
            word = word << 8
            if i < utf8.length {
                if utf8[i] < 32 || utf8[i] > 126 {
                    panic("FlareFDCTriggers: a family name is printable ASCII, not byte \(utf8[i]) at position \(i)")
                }
                word = word | UInt256(utf8[i])
            }
            i = i + 1
        }
        return word
    }

    access(self) fun keccak(_ data: [UInt8]): [UInt8; 32] {
        return HashAlgorithm.KECCAK_256.hash(data).toConstantSized<[UInt8; 32]>()!
    }

    access(self) fun bytes32FromHex(_ hex: String): [UInt8; 32] {
        let trimmed = hex.length >= 2 && hex.slice(from: 0, upTo: 2) == "0x" ? hex.slice(from: 2, upTo: hex.length) : hex
        if trimmed.length != 64 {
            panic("FlareFDCTriggers: expected 32 bytes as 64 hex characters, got \(trimmed.length)")
        }
        return trimmed.decodeHex().toConstantSized<[UInt8; 32]>()!
    }

    access(self) view fun zero32(): [UInt8; 32] {
        return [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    }

    init() {
        self.WindowSeconds = 300
        self.AdminStoragePath = /storage/flareFlowTriggersAdmin
        self.account.storage.save(<- create Admin(), to: self.AdminStoragePath)
        self.ReportDomain = HashAlgorithm.KECCAK_256.hash("FlareFlow.UsageReport.v2".utf8).toConstantSized<[UInt8; 32]>()!
        self.ChunkDomain = HashAlgorithm.KECCAK_256.hash("FlareFlow.UsageReportChunk.v2".utf8).toConstantSized<[UInt8; 32]>()!
        self.lastSettledWindow = nil
        self.pending = nil
        self.stuckAfter = 3_600.0
        self.MaxWindowSeconds = 3_600
        self.LatencyAllowance = 1_800.0
        // The one Biller and the one Acceptor: made here, by functions only this account's code
        // can call and only once, and never handed out.
        self.biller <- UsageBasedSubscriptions.issueBiller()
        self.acceptor <- FlareOracleVerifier.issueAcceptor()
        SimpleUsageSubscriptions.setMinimumCloseGracePeriod(self.settlementLatency())
    }
}
