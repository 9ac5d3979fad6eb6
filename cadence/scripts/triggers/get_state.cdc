import "FlareFDCTriggers"
import "FlareOracleVerifier"

/// Settlement state: last settled window, last accepted window, the chunked report in progress.
access(all) fun main(): {String: AnyStruct} {
    return {
        "lastSettledWindow": FlareFDCTriggers.lastSettledWindow,
        "lastAcceptedWindow": FlareOracleVerifier.lastAcceptedWindow,
        "pending": FlareFDCTriggers.pending
    }
}
