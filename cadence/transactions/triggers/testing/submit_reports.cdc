import "FlareFDCTriggers"

/// Benchmark setup only: settles several windows' reports in one transaction, each exactly as
/// submit_report does (a month of 5-minute windows is 8,640 reports; one transaction each is slow).
/// Every argument is one entry per window; the authority is still each report's oracle quorum.
transaction(windows: [UInt64], votingRounds: [UInt64], subscriptionIds: [[UInt64]], families: [[String]], tokens: [[UInt64]], requests: [[UInt64]], requestRoots: [[UInt256]], signers: [[UInt64]], signatures: [[String]]) {
    // The benchmark's service account signs; it authorizes nothing the reports need.
    prepare(signer: &Account) {}

    execute {
        var i = 0
        while i < windows.length {
            FlareFDCTriggers.submitReport(window: windows[i], votingRound: votingRounds[i], subscriptionIds: subscriptionIds[i], families: families[i], tokens: tokens[i], requests: requests[i], requestRoots: requestRoots[i], signers: signers[i], signatures: signatures[i])
            i = i + 1
        }
    }
}
