import "UsageBasedSubscriptions"

/// The family `name` is billed as; nil: the default multiplier.
access(all) fun main(name: String): String? {
    return UsageBasedSubscriptions.familyOf(name)
}
