import "FlareOracleVerifier"

/// The oracle configuration: oracles (id -> key hex), threshold, source, last accepted window.
access(all) fun main(): {String: AnyStruct} {
    return {
        "oracles": FlareOracleVerifier.getOracles(),
        "threshold": FlareOracleVerifier.threshold,
        "coston2ChainId": FlareOracleVerifier.coston2ChainId,
        "verifier": FlareOracleVerifier.reportVerifier.toString(),
        "lastAcceptedWindow": FlareOracleVerifier.lastAcceptedWindow,
        "nextOracleId": FlareOracleVerifier.nextOracleId
    }
}
