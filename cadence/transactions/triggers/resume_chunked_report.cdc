import "FlareFDCTriggers"

/// Resumes a chunked report that made no progress for `stuckAfter` seconds: the oracles'
/// signatures over the resume attestation (a new chunk chain over the lines from `fromLine`, the
/// first line not yet charged). The chunks follow with submit_chunk, from index 0.
transaction(window: UInt64, fromLine: UInt64, chunkCount: UInt64, chunkChain: String, signers: [UInt64], signatures: [String]) {
    execute {
        FlareFDCTriggers.resumeChunkedReport(window: window, fromLine: fromLine, chunkCount: chunkCount, chunkChain: chunkChain, signers: signers, signatures: signatures)
    }
}
