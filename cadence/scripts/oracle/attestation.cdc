import "FlareOracleVerifier"

/// The signed data (hex) of a single-transaction attestation, or of a chunked one when
/// chunkCount >= 2, under the current source configuration.
access(all) fun main(window: UInt64, digest: String, votingRound: UInt64, chunkCount: UInt64, chunkChain: String): String {
    let d = digest.decodeHex().toConstantSized<[UInt8; 32]>()!
    if chunkCount < 2 {
        return String.encodeHex(FlareOracleVerifier.attestation(window: window, digest: d, votingRound: votingRound))
    }
    let c = chunkChain.decodeHex().toConstantSized<[UInt8; 32]>()!
    return String.encodeHex(FlareOracleVerifier.chunkedAttestation(window: window, digest: d, votingRound: votingRound, chunkCount: chunkCount, chunkChain: c))
}
