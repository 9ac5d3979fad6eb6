import "FlareOracleVerifier"

/// Whether a quorum of registered oracles signed the single-transaction attestation of
/// (window, digest hex, votingRound): a relayer's check before it pays for a transaction.
access(all) fun main(window: UInt64, digest: String, votingRound: UInt64, signers: [UInt64], signatures: [String]): Bool {
    let message = FlareOracleVerifier.attestation(window: window, digest: digest.decodeHex().toConstantSized<[UInt8; 32]>()!, votingRound: votingRound)
    return FlareOracleVerifier.verify(message: message, signers: signers, signatures: signatures)
}
