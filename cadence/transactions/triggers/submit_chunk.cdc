import "FlareFDCTriggers"

/// Relays chunk `index` of the open chunked report; `nextLink` is the chain link after it
/// (64 zero hex digits for the last chunk).
transaction(window: UInt64, index: UInt64, subscriptionIds: [UInt64], families: [String], tokens: [UInt64], requests: [UInt64], requestRoots: [UInt256], nextLink: String) {
    execute {
        FlareFDCTriggers.submitChunk(window: window, index: index, subscriptionIds: subscriptionIds, families: families, tokens: tokens, requests: requests, requestRoots: requestRoots, nextLink: nextLink)
    }
}
