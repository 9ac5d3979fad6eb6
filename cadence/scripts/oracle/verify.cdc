import "FlareOracleVerifier"

/// Whether a quorum of registered oracles signed the single-transaction attestation of
/// (window, digest hex, votingRound), and which oracles counted.
access(all) fun main(window: UInt64, digest: String, votingRound: UInt64, signers: [UInt64], signatures: [String]): {String: AnyStruct} {
    let message = FlareOracleVerifier.attestation(window: window, digest: digest.decodeHex().toConstantSized<[UInt8; 32]>()!, votingRound: votingRound)
    return {
        "valid": FlareOracleVerifier.verify(message: message, signers: signers, signatures: signatures),
        "counted": FlareOracleVerifier.validSigners(message: message, signers: signers, signatures: signatures)
    }
}
