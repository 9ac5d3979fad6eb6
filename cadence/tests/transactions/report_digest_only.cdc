import "FlareFDCTriggers"

/// Bench only (scripts/bench-flow-settlement.ts): what the report digest alone costs, the same
/// computation submitReport does to check a report against its attestation (order, format,
/// ABI encoding, keccak), with no signature and no charge.
transaction(window: UInt64, subscriptionIds: [UInt64], families: [String], tokens: [UInt64], requests: [UInt64], requestRoots: [UInt256]) {
    execute {
        // 32 bytes as hex: the digest was computed (and the report's format checked).
        assert(FlareFDCTriggers.reportDigest(window: window, subscriptionIds: subscriptionIds, families: families, tokens: tokens, requests: requests, requestRoots: requestRoots).length == 64)
    }
}
