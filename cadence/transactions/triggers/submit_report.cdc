import "FlareFDCTriggers"

/// Relays one window's whole usage report with its oracle signatures. Anyone may sign this: the
/// contract accepts the lines only under a quorum of oracle signatures over their digest.
/// Lines are columns in report order; signers[i] names the oracle of signatures[i] (r‖s hex).
transaction(window: UInt64, votingRound: UInt64, subscriptionIds: [UInt64], families: [String], tokens: [UInt64], requests: [UInt64], requestRoots: [UInt256], signers: [UInt64], signatures: [String]) {
    execute {
        FlareFDCTriggers.submitReport(window: window, votingRound: votingRound, subscriptionIds: subscriptionIds, families: families, tokens: tokens, requests: requests, requestRoots: requestRoots, signers: signers, signatures: signatures)
    }
}
