import "SimpleUsageSubscriptions"

/// UsageBasedSubscriptions prices LLM usage and bills it against SimpleUsageSubscriptions escrow.
///
/// Pricing (DESIGN.md, normative): graduated tiers over the period's cumulative token count,
/// priced per 1,000 tokens, times a model-family multiplier. A line is computed exactly in
/// integers (units of 1e-8 FLOW) and truncated once; the TypeScript mirror in src/pricing does the
/// same arithmetic, so both give the same UFix64 for every input.
///
/// Only the `Admin` resource (Configure entitlement) changes pricing; only a `Biller` resource
/// (Bill entitlement), which the Admin creates, charges usage. Both live in storage, so holding
/// them is the proof: there is no caller check to forge.
access(all) contract UsageBasedSubscriptions {

    /// Changes pricing, the billing period and the close grace period, and issues Billers.
    access(all) entitlement Configure
    /// Charges usage lines and settles them.
    access(all) entitlement Bill

    access(all) let AdminStoragePath: StoragePath
    access(all) let BillerStoragePath: StoragePath

    /// 1 FLOW in the integer units pricing is computed in.
    access(all) let UnitsPerFlow: UInt64
    /// Tiers are walked per line; the bound keeps a line's cost constant-bounded.
    access(all) let MaxTiers: Int

    access(all) event TiersUpdated(thresholds: [UInt64], pricesPer1K: [UFix64])
    access(all) event FamilyMultiplierSet(family: String, multiplier: UFix64)
    access(all) event DefaultMultiplierSet(multiplier: UFix64)
    access(all) event ModelMapped(model: String, family: String)
    access(all) event ModelUnmapped(model: String)
    access(all) event BillerIssued(billerId: UInt64)

    /// One pricing tier: tokens from `threshold` (period-to-date) up to the next tier's threshold
    /// cost `pricePer1K` FLOW per 1,000 tokens.
    access(all) struct Tier {
        access(all) let threshold: UInt64
        access(all) let pricePer1K: UFix64

        view init(threshold: UInt64, pricePer1K: UFix64) {
            self.threshold = threshold
            self.pricePer1K = pricePer1K
        }
    }

    /// The whole pricing configuration, for mirrors (src/pricing) and the page.
    access(all) struct PricingConfig {
        access(all) let tiers: [Tier]
        access(all) let familyMultipliers: {String: UFix64}
        access(all) let defaultMultiplier: UFix64
        access(all) let modelFamilies: {String: String}
        access(all) let billingPeriod: UFix64
        access(all) let closeGracePeriod: UFix64

        view init(tiers: [Tier], familyMultipliers: {String: UFix64}, defaultMultiplier: UFix64, modelFamilies: {String: String}, billingPeriod: UFix64, closeGracePeriod: UFix64) {
            self.tiers = tiers
            self.familyMultipliers = familyMultipliers
            self.defaultMultiplier = defaultMultiplier
            self.modelFamilies = modelFamilies
            self.billingPeriod = billingPeriod
            self.closeGracePeriod = closeGracePeriod
        }
    }

    /// What charging one usage line did. Kept to five fields: one is built per line of a
    /// settlement, and the caller already knows the line's id and tokens.
    access(all) struct LineResult {
        /// The line's full price.
        access(all) let cost: UFix64
        /// What was taken from the escrow: the cost, or less if the escrow or period budget ran out.
        access(all) let charged: UFix64
        /// No such subscription: nothing changed (record the line as unbillable).
        access(all) let unknown: Bool
        /// The subscription is closed: nothing changed.
        access(all) let closed: Bool
        /// The subscription is suspended after this line.
        access(all) let suspended: Bool

        view init(cost: UFix64, charged: UFix64, unknown: Bool, closed: Bool, suspended: Bool) {
            self.cost = cost
            self.charged = charged
            self.unknown = unknown
            self.closed = closed
            self.suspended = suspended
        }

        /// True if the escrow or the period budget covered only part of the line (its tokens
        /// still count towards the period).
        access(all) view fun isPartial(): Bool {
            return self.charged < self.cost
        }
    }

    /// Charges verified usage. Issued by the Admin, at deployment to FlareFDCTriggers alone.
    access(all) resource Biller {

        /// Charges one usage line to subscription `subscriptionId`: the graduated price of `tokens`
        /// after the period's count so far, times the multiplier of `family` (a family key or a
        /// mapped model name; anything else uses the default multiplier). Never panics on an
        /// unknown or closed subscription: the result says so and nothing changes. Emits no
        /// per-line event (the caller emits one with its window); suspension emits its event.
        /// `window` is the caller's usage window id and `requests` the line's request count; the
        /// caller's per-line event carries them, pricing uses neither (the period a line counts
        /// in is the one current when it is billed).
        access(Bill) fun charge(subscriptionId: UInt64, family: String, tokens: UInt64, requests: UInt64, window: UInt64): LineResult {
            if let s = SimpleUsageSubscriptions.borrowForBilling(subscriptionId) {
                if s.statusCode == 3 { // Closed
                    return LineResult(cost: 0.0, charged: 0.0, unknown: false, closed: true, suspended: false)
                }
                // The period check is inlined: a settlement runs this hundreds of times.
                let now = getCurrentBlock().timestamp
                if now >= s.periodStart + SimpleUsageSubscriptions.billingPeriod {
                    s.rollPeriod(now: now)
                }
                let units = UsageBasedSubscriptions.graduatedCostUnits(
                    thresholds: &UsageBasedSubscriptions.tierThresholds as &[UInt64],
                    priceUnits: &UsageBasedSubscriptions.tierPriceUnits as &[UInt64],
                    multiplierUnits: UsageBasedSubscriptions.familyMultiplierUnits[family] ?? UsageBasedSubscriptions.multiplierUnitsFor(family),
                    periodTokens: s.periodTokens,
                    tokens: tokens
                )
                // fromUnits, inlined
                let cost = UFix64(units / 100_000_000) + UFix64(units % 100_000_000) / 100_000_000.0
                let charged = s.debit(cost: cost, tokens: tokens)
                return LineResult(cost: cost, charged: charged, unknown: false, closed: false, suspended: s.statusCode == 1)
            }
            return LineResult(cost: 0.0, charged: 0.0, unknown: true, closed: false, suspended: false)
        }

        /// Ends a settlement: pays each provider what its lines earned (one transfer per provider)
        /// and records that all usage up to `usageThrough` (the settled window's end) is billed,
        /// which lets closing subscriptions refund. Returns the total paid.
        access(Bill) fun settle(usageThrough: UFix64): UFix64 {
            SimpleUsageSubscriptions.markSettledThrough(usageThrough)
            return SimpleUsageSubscriptions.payProviders()
        }
    }

    /// The pricing administrator. Saved in the deploying account's storage; never published.
    access(all) resource Admin {

        /// Replaces the tier table. thresholds[i] is where tier i starts (period-to-date tokens);
        /// the first must be 0, the rest strictly ascending; every price must be positive.
        access(Configure) fun setTiers(thresholds: [UInt64], pricesPer1K: [UFix64]) {
            UsageBasedSubscriptions.assertValidTiers(thresholds: thresholds, pricesPer1K: pricesPer1K)
            var units: [UInt64] = []
            for price in pricesPer1K {
                units.append(UsageBasedSubscriptions.toUnits(price))
            }
            UsageBasedSubscriptions.tierThresholds = thresholds
            UsageBasedSubscriptions.tierPriceUnits = units
            emit TiersUpdated(thresholds: thresholds, pricesPer1K: pricesPer1K)
        }

        /// Sets (or adds) a model family's multiplier.
        access(Configure) fun setFamilyMultiplier(family: String, multiplier: UFix64) {
            pre {
                UsageBasedSubscriptions.isFamilyKey(family): "UsageBasedSubscriptions: a family key is 1 to 31 ASCII bytes"
                multiplier > 0.0: "UsageBasedSubscriptions: a multiplier must be positive"
            }
            UsageBasedSubscriptions.familyMultiplierUnits[family] = UsageBasedSubscriptions.toUnits(multiplier)
            emit FamilyMultiplierSet(family: family, multiplier: multiplier)
        }

        /// Sets the multiplier of models in no family.
        access(Configure) fun setDefaultMultiplier(multiplier: UFix64) {
            pre {
                multiplier > 0.0: "UsageBasedSubscriptions: a multiplier must be positive"
            }
            UsageBasedSubscriptions.defaultMultiplierUnits = UsageBasedSubscriptions.toUnits(multiplier)
            emit DefaultMultiplierSet(multiplier: multiplier)
        }

        /// Puts a model name (as LiteLLM reports it, e.g. "gpt-4o") in a family that has a multiplier.
        access(Configure) fun mapModel(model: String, family: String) {
            pre {
                model.length > 0 && model.utf8.length <= 128: "UsageBasedSubscriptions: a model name is 1 to 128 bytes"
                UsageBasedSubscriptions.familyMultiplierUnits.containsKey(family): "UsageBasedSubscriptions: unknown family; set its multiplier first"
            }
            UsageBasedSubscriptions.modelFamilies[model] = family
            emit ModelMapped(model: model, family: family)
        }

        /// Removes a model's mapping; it then uses the default multiplier.
        access(Configure) fun unmapModel(model: String) {
            pre {
                UsageBasedSubscriptions.modelFamilies.containsKey(model): "UsageBasedSubscriptions: the model is not mapped"
            }
            UsageBasedSubscriptions.modelFamilies.remove(key: model)
            emit ModelUnmapped(model: model)
        }

        /// Sets the billing period (seconds) for every subscription; counted from each
        /// subscription's start.
        access(Configure) fun setBillingPeriod(seconds: UFix64) {
            pre {
                seconds >= 60.0: "UsageBasedSubscriptions: the billing period must be at least 60 seconds"
            }
            SimpleUsageSubscriptions.setBillingPeriod(seconds)
        }

        /// Sets how long after a close request the customer may finish the close without a settlement.
        access(Configure) fun setCloseGracePeriod(seconds: UFix64) {
            pre {
                seconds >= 300.0: "UsageBasedSubscriptions: the grace period must cover at least one 5-minute window"
            }
            SimpleUsageSubscriptions.setCloseGracePeriod(seconds)
        }

        /// A new Biller, for the contract that settles verified usage.
        access(Configure) fun createBiller(): @Biller {
            let biller <- create Biller()
            emit BillerIssued(billerId: biller.uuid)
            return <- biller
        }
    }

    access(self) var tierThresholds: [UInt64]
    /// Tier prices per 1,000 tokens, in units of 1e-8 FLOW.
    access(self) var tierPriceUnits: [UInt64]
    /// Multipliers in units of 1e-8.
    access(self) let familyMultiplierUnits: {String: UInt64}
    access(self) var defaultMultiplierUnits: UInt64
    access(self) let modelFamilies: {String: String}

    /// The price of `tokens` tokens of `model` (a model name or family key) after `periodTokens`
    /// tokens already counted this period, under the current configuration.
    access(all) view fun quote(model: String, tokens: UInt64, periodTokens: UInt64): UFix64 {
        return self.fromUnits(self.configuredCostUnits(multiplierUnits: self.multiplierUnitsFor(model), periodTokens: periodTokens, tokens: tokens))
    }

    /// The price of `tokens` tokens of `model` for subscription `id` now; nil for an unknown id.
    access(all) view fun quoteForSubscription(id: UInt64, model: String, tokens: UInt64): UFix64? {
        if let info = SimpleUsageSubscriptions.getSubscription(id) {
            return self.quote(model: model, tokens: tokens, periodTokens: info.periodTokens)
        }
        return nil
    }

    /// The price under a caller-given tier table and multiplier (validated like setTiers), so a
    /// differential test can try random tables without changing the configuration.
    access(all) fun quoteWithTiers(thresholds: [UInt64], pricesPer1K: [UFix64], multiplier: UFix64, tokens: UInt64, periodTokens: UInt64): UFix64 {
        pre {
            multiplier > 0.0: "UsageBasedSubscriptions: a multiplier must be positive"
        }
        self.assertValidTiers(thresholds: thresholds, pricesPer1K: pricesPer1K)
        var units: [UInt64] = []
        for price in pricesPer1K {
            units.append(self.toUnits(price))
        }
        return self.fromUnits(self.graduatedCostUnits(
            thresholds: &thresholds as &[UInt64],
            priceUnits: &units as &[UInt64],
            multiplierUnits: self.toUnits(multiplier),
            periodTokens: periodTokens,
            tokens: tokens
        ))
    }

    /// The multiplier `name` is billed at: its own if it is a family key, its family's if it is
    /// a mapped model, the default otherwise.
    access(all) view fun multiplierFor(_ name: String): UFix64 {
        return self.fromUnits(self.multiplierUnitsFor(name))
    }

    /// The family a model name is billed as; nil means the default multiplier.
    access(all) view fun familyOf(_ name: String): String? {
        if self.familyMultiplierUnits.containsKey(name) {
            return name
        }
        return self.modelFamilies[name]
    }

    /// The full pricing configuration.
    access(all) fun getPricing(): PricingConfig {
        var tiers: [Tier] = []
        var i = 0
        while i < self.tierThresholds.length {
            tiers.append(Tier(threshold: self.tierThresholds[i], pricePer1K: self.fromUnits(self.tierPriceUnits[i])))
            i = i + 1
        }
        var families: {String: UFix64} = {}
        for family in self.familyMultiplierUnits.keys {
            families[family] = self.fromUnits(self.familyMultiplierUnits[family]!)
        }
        return PricingConfig(
            tiers: tiers,
            familyMultipliers: families,
            defaultMultiplier: self.fromUnits(self.defaultMultiplierUnits),
            modelFamilies: self.modelFamilies,
            billingPeriod: SimpleUsageSubscriptions.billingPeriod,
            closeGracePeriod: SimpleUsageSubscriptions.closeGracePeriod
        )
    }

    /// Panics with the first problem of a tier table.
    access(all) view fun assertValidTiers(thresholds: [UInt64], pricesPer1K: [UFix64]) {
        assert(thresholds.length > 0, message: "UsageBasedSubscriptions: a tier table needs at least one tier")
        assert(thresholds.length <= self.MaxTiers, message: "UsageBasedSubscriptions: a tier table has at most 16 tiers")
        assert(thresholds.length == pricesPer1K.length, message: "UsageBasedSubscriptions: thresholds and prices differ in length")
        assert(thresholds[0] == 0, message: "UsageBasedSubscriptions: the first tier must start at 0 tokens")
        var i = 0
        while i < thresholds.length {
            assert(pricesPer1K[i] > 0.0, message: "UsageBasedSubscriptions: tier prices must be positive")
            if i > 0 {
                assert(thresholds[i] > thresholds[i - 1], message: "UsageBasedSubscriptions: tier thresholds must be strictly ascending")
            }
            i = i + 1
        }
    }

    /// The exact graduated cost in units of 1e-8 FLOW, truncated once: each token is priced by
    /// the tier its period-to-date position falls in, then the sum is scaled by the multiplier.
    /// A cost beyond UFix64's range is capped at its maximum (more than any escrow), so an
    /// absurd line cannot make a whole settlement panic.
    access(all) view fun graduatedCostUnits(thresholds: &[UInt64], priceUnits: &[UInt64], multiplierUnits: UInt64, periodTokens: UInt64, tokens: UInt64): UInt64 {
        if tokens == 0 {
            return 0
        }
        let start = UInt256(periodTokens)
        let end = start + UInt256(tokens)
        let n = thresholds.length
        var sum: UInt256 = 0
        var i = 0
        while i < n {
            let low = UInt256(thresholds[i])
            if low >= end {
                break
            }
            let high = i + 1 < n ? UInt256(thresholds[i + 1]) : end
            if high > start {
                let from = low > start ? low : start
                let to = high < end ? high : end
                sum = sum + (to - from) * UInt256(priceUnits[i])
            }
            i = i + 1
        }
        // Prices are per 1,000 tokens and multipliers in units of 1e-8:
        // units = sum * (multiplierUnits / 1e8) / 1000, divided once so only one truncation happens.
        let units = sum * UInt256(multiplierUnits) / 100_000_000_000
        return units > UInt256(UInt64.max) ? UInt64.max : UInt64(units)
    }

    /// Exact FLOW amount in units of 1e-8.
    access(all) view fun toUnits(_ amount: UFix64): UInt64 {
        let whole = UInt64(amount)
        // The fraction is below 1, so scaling it by 1e8 is exact and cannot overflow.
        return whole * self.UnitsPerFlow + UInt64((amount - UFix64(whole)) * 100_000_000.0)
    }

    /// Units of 1e-8 FLOW as a UFix64 (exact).
    access(all) view fun fromUnits(_ units: UInt64): UFix64 {
        return UFix64(units / self.UnitsPerFlow) + UFix64(units % self.UnitsPerFlow) / 100_000_000.0
    }

    /// True for 1 to 31 ASCII bytes, so a family key fits the report's bytes32.
    access(all) view fun isFamilyKey(_ s: String): Bool {
        let bytes = s.utf8
        if bytes.length == 0 || bytes.length > 31 {
            return false
        }
        for b in bytes {
            if b < 32 || b > 126 {
                return false
            }
        }
        return true
    }

    access(contract) view fun configuredCostUnits(multiplierUnits: UInt64, periodTokens: UInt64, tokens: UInt64): UInt64 {
        return self.graduatedCostUnits(
            thresholds: &self.tierThresholds as &[UInt64],
            priceUnits: &self.tierPriceUnits as &[UInt64],
            multiplierUnits: multiplierUnits,
            periodTokens: periodTokens,
            tokens: tokens
        )
    }

    access(contract) view fun multiplierUnitsFor(_ name: String): UInt64 {
        if let units = self.familyMultiplierUnits[name] {
            return units
        }
        if let family = self.modelFamilies[name] {
            return self.familyMultiplierUnits[family] ?? self.defaultMultiplierUnits
        }
        return self.defaultMultiplierUnits
    }

    init() {
        self.AdminStoragePath = /storage/flareFlowPricingAdmin
        self.BillerStoragePath = /storage/flareFlowBiller
        self.UnitsPerFlow = 100_000_000
        self.MaxTiers = 16

        // DESIGN.md, Pricing: Starter, Growth, Scale, Enterprise.
        self.tierThresholds = [0, 100_000, 1_000_000, 10_000_000]
        self.tierPriceUnits = [2_000_000, 1_500_000, 1_000_000, 800_000]
        self.familyMultiplierUnits = {
            "gpt-4": 150_000_000,
            "gpt-3.5": 80_000_000,
            "claude": 120_000_000,
            "llama": 60_000_000
        }
        self.defaultMultiplierUnits = 100_000_000
        // Common LiteLLM model names; the admin maps more with mapModel.
        self.modelFamilies = {
            "gpt-4o": "gpt-4",
            "gpt-4-turbo": "gpt-4",
            "gpt-4o-mini": "gpt-4",
            "gpt-3.5-turbo": "gpt-3.5",
            "claude-3-opus": "claude",
            "claude-3-sonnet": "claude",
            "claude-3-haiku": "claude",
            "claude-3-5-sonnet": "claude",
            "llama-3-70b": "llama",
            "llama-3-8b": "llama",
            "llama-3.1-405b": "llama"
        }

        self.account.storage.save(<- create Admin(), to: self.AdminStoragePath)
    }
}
