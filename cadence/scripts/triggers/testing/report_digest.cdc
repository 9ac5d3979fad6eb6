import "FlareFDCTriggers"

/// The report digest (hex) Flow computes for these lines; must equal the TypeScript and Solidity one.
access(all) fun main(window: UInt64, subscriptionIds: [UInt64], families: [String], tokens: [UInt64], requests: [UInt64], requestRoots: [UInt256]): String {
    return FlareFDCTriggers.reportDigest(window: window, subscriptionIds: subscriptionIds, families: families, tokens: tokens, requests: requests, requestRoots: requestRoots)
}
