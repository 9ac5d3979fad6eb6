import "SimpleUsageSubscriptions"

/// Starts subscription `id`'s new billing period if the current one has ended (a no-op before).
/// Anyone may send it; the key service does, for subscriptions suspended at their period cap.
transaction(id: UInt64) {
    prepare(signer: &Account) {}

    execute {
        SimpleUsageSubscriptions.startDuePeriod(id)
    }
}
