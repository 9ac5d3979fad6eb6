import "FlareFDCTriggers"

/// chunkHash(index) (hex) of a chunk's lines.
access(all) fun main(window: UInt64, index: UInt64, chunkCount: UInt64, subscriptionIds: [UInt64], families: [String], tokens: [UInt64], requests: [UInt64], requestRoots: [UInt256]): String {
    return FlareFDCTriggers.chunkHash(window: window, index: index, chunkCount: chunkCount, subscriptionIds: subscriptionIds, families: families, tokens: tokens, requests: requests, requestRoots: requestRoots)
}
