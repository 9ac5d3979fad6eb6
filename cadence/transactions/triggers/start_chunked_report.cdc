import "FlareFDCTriggers"

/// Opens a report too large for one transaction: the oracles' signatures over the chunked
/// attestation (digest plus the head of the chunk chain). The chunks follow with submit_chunk.
transaction(window: UInt64, votingRound: UInt64, digest: String, chunkCount: UInt64, chunkChain: String, signers: [UInt64], signatures: [String]) {
    execute {
        FlareFDCTriggers.startChunkedReport(window: window, votingRound: votingRound, digest: digest, chunkCount: chunkCount, chunkChain: chunkChain, signers: signers, signatures: signatures)
    }
}
