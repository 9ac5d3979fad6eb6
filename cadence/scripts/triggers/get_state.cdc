import "FlareFDCTriggers"
import "FlareOracleVerifier"

/// Settlement state: window length, last settled window, last accepted window, the chunked
/// report in progress and how long it may stall before it can be resumed.
access(all) fun main(): {String: AnyStruct} {
    return {
        "windowSeconds": FlareFDCTriggers.WindowSeconds,
        "lastSettledWindow": FlareFDCTriggers.lastSettledWindow,
        "lastAcceptedWindow": FlareOracleVerifier.lastAcceptedWindow,
        "pending": FlareFDCTriggers.pending,
        "stuckAfter": FlareFDCTriggers.stuckAfter
    }
}
