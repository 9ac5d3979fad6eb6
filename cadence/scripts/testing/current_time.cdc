/// Test helper: the current block's timestamp.
access(all) fun main(): UFix64 {
    return getCurrentBlock().timestamp
}
