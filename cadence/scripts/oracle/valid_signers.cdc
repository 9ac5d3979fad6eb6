import "FlareOracleVerifier"

/// The distinct registered oracles whose signatures over the single-transaction attestation of
/// (window, digest hex, votingRound) are valid.
access(all) fun main(window: UInt64, digest: String, votingRound: UInt64, signers: [UInt64], signatures: [String]): [UInt64] {
    let message = FlareOracleVerifier.attestation(window: window, digest: digest.decodeHex().toConstantSized<[UInt8; 32]>()!, votingRound: votingRound)
    return FlareOracleVerifier.validSigners(message: message, signers: signers, signatures: signatures)
}
