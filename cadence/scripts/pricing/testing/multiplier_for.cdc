import "UsageBasedSubscriptions"

/// The multiplier `name` (family key or model name) is billed at.
access(all) fun main(name: String): UFix64 {
    return UsageBasedSubscriptions.multiplierFor(name)
}
