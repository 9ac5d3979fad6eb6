import "SimpleUsageSubscriptions"

/// What the escrow contract owes `provider` until the next settlement pays it.
access(all) fun main(provider: Address): UFix64 {
    return SimpleUsageSubscriptions.getOwed(provider)
}
