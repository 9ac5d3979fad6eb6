import "UsageBasedSubscriptions"

/// Every version of the pricing schedule, oldest first, including announced changes that have
/// not taken effect yet (the page shows those with the date they apply).
access(all) fun main(): [UsageBasedSubscriptions.PricingConfig] {
    return UsageBasedSubscriptions.getPricingSchedule()
}
