import "SimpleUsageSubscriptions"

/// UsageBasedSubscriptions prices LLM usage and bills it against SimpleUsageSubscriptions escrow.
///
/// Pricing (DESIGN.md, normative): graduated tiers over the period's cumulative count of paid
/// tokens, priced per 1,000 tokens, times a model-family multiplier. A line is computed exactly
/// in integers (units of 1e-8 FLOW) and truncated once; the TypeScript mirror in src/pricing does
/// the same arithmetic, so both give the same UFix64 for every input.
///
/// Prices are never retroactive. Pricing is a schedule of versions, each in force from its
/// `effectiveFrom`; a line is priced by the version in force when its usage window started. A
/// change that raises any price takes effect no earlier than the notice period after it is
/// announced; one that raises none may apply from the next window. Until the first subscription
/// opens there is nobody to give notice to, and every change applies at once (deployment).
///
/// Only the `Admin` resource (Configure entitlement) announces pricing; only the one `Biller`
/// (Bill entitlement) charges usage. The Biller is made once, by `issueBiller`, which only code
/// deployed on this account can call and which FlareFDCTriggers calls at its deployment: no
/// transaction or admin can make another.
access(all) contract UsageBasedSubscriptions {

    /// Announces pricing changes and sets the notice period.
    access(all) entitlement Configure
    /// Charges usage lines and settles them.
    access(all) entitlement Bill

    access(all) let AdminStoragePath: StoragePath

    /// 1 FLOW in the integer units pricing is computed in.
    access(all) let UnitsPerFlow: UInt64
    /// Tiers are walked per line; the bound keeps a line's cost constant-bounded.
    access(all) let MaxTiers: Int
    /// Bounds of the admin settings: with them no arithmetic path overflows (a line's cost is
    /// computed in UInt256 and capped at UFix64's maximum; the schedule stays small).
    access(all) let MaxThreshold: UInt64
    access(all) let MaxPricePer1K: UFix64
    access(all) let MaxMultiplier: UFix64
    access(all) let MaxFamilies: Int
    access(all) let MaxMappedModels: Int
    access(all) let MaxPendingVersions: Int
    access(all) let MinNoticePeriod: UFix64
    access(all) let MaxNoticePeriod: UFix64

    /// Every pricing announcement names the version it creates, when it takes effect, and
    /// whether it raises any price (then it waited the notice period).
    access(all) event TiersUpdated(version: UInt64, effectiveFrom: UFix64, increase: Bool, thresholds: [UInt64], pricesPer1K: [UFix64])
    access(all) event FamilyMultiplierSet(version: UInt64, effectiveFrom: UFix64, increase: Bool, family: String, multiplier: UFix64)
    access(all) event DefaultMultiplierSet(version: UInt64, effectiveFrom: UFix64, increase: Bool, multiplier: UFix64)
    access(all) event ModelMapped(version: UInt64, effectiveFrom: UFix64, increase: Bool, model: String, family: String)
    access(all) event ModelUnmapped(version: UInt64, effectiveFrom: UFix64, increase: Bool, model: String)
    /// Announced versions that had not taken effect were withdrawn.
    access(all) event PricingChangesCancelled(versions: [UInt64])
    /// The first settlement priced by a version: from here on its prices are being charged.
    access(all) event PricingInForce(version: UInt64, effectiveFrom: UFix64)
    access(all) event NoticePeriodSet(seconds: UFix64, effectiveFrom: UFix64)
    access(all) event BillerIssued(billerId: UInt64)

    /// What charging a line did, passed to `chargeLines`' `onLine` as its raw value. Only
    /// Charged and Suspended changed anything.
    access(all) enum LineOutcome: UInt8 {
        /// Charged (in full, or what the escrow held).
        access(all) case Charged
        /// Charged, and the subscription is suspended after it (escrow used up or cap reached).
        access(all) case Suspended
        /// No subscription has the line's id.
        access(all) case Unknown
        /// The subscription is closed.
        access(all) case Closed
    }

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

    /// One version of the pricing schedule, in integer units (what billing reads per line).
    access(all) struct PricingVersion {
        access(all) let version: UInt64
        /// In force for usage windows starting at or after this time (until the next version).
        access(all) let effectiveFrom: UFix64
        access(all) let announcedAt: UFix64
        access(all) let thresholds: [UInt64]
        /// Tier prices per 1,000 tokens, in units of 1e-8 FLOW.
        access(all) let priceUnits: [UInt64]
        /// Multipliers in units of 1e-8.
        access(all) let familyMultiplierUnits: {String: UInt64}
        access(all) let defaultMultiplierUnits: UInt64
        access(all) let modelFamilies: {String: String}

        view init(version: UInt64, effectiveFrom: UFix64, announcedAt: UFix64, thresholds: [UInt64], priceUnits: [UInt64], familyMultiplierUnits: {String: UInt64}, defaultMultiplierUnits: UInt64, modelFamilies: {String: String}) {
            self.version = version
            self.effectiveFrom = effectiveFrom
            self.announcedAt = announcedAt
            self.thresholds = thresholds
            self.priceUnits = priceUnits
            self.familyMultiplierUnits = familyMultiplierUnits
            self.defaultMultiplierUnits = defaultMultiplierUnits
            self.modelFamilies = modelFamilies
        }

        /// The multiplier `name` is billed at: its own if it is a family key, its family's if it
        /// is a mapped model, the default otherwise.
        access(all) view fun multiplierUnitsFor(_ name: String): UInt64 {
            if let units = self.familyMultiplierUnits[name] {
                return units
            }
            if let family = self.modelFamilies[name] {
                return self.familyMultiplierUnits[family] ?? self.defaultMultiplierUnits
            }
            return self.defaultMultiplierUnits
        }

        /// The tier price (units per 1,000 tokens) of the token at period position `position`.
        access(all) view fun priceAt(_ position: UInt64): UInt64 {
            var i = self.thresholds.length - 1
            while i > 0 && self.thresholds[i] > position {
                i = i - 1
            }
            return self.priceUnits[i]
        }
    }

    /// A pricing version as FLOW amounts, for mirrors (src/pricing) and the page, with the escrow
    /// settings a customer sees beside it.
    access(all) struct PricingConfig {
        access(all) let version: UInt64
        access(all) let effectiveFrom: UFix64
        access(all) let announcedAt: UFix64
        access(all) let tiers: [Tier]
        access(all) let familyMultipliers: {String: UFix64}
        access(all) let defaultMultiplier: UFix64
        access(all) let modelFamilies: {String: String}
        /// The billing period of subscriptions opened now (open ones keep theirs).
        access(all) let billingPeriod: UFix64
        access(all) let closeGracePeriod: UFix64
        access(all) let minimumDeposit: UFix64
        /// How long before it applies a price increase is announced.
        access(all) let noticePeriod: UFix64

        view init(version: UInt64, effectiveFrom: UFix64, announcedAt: UFix64, tiers: [Tier], familyMultipliers: {String: UFix64}, defaultMultiplier: UFix64, modelFamilies: {String: String}, billingPeriod: UFix64, closeGracePeriod: UFix64, minimumDeposit: UFix64, noticePeriod: UFix64) {
            self.version = version
            self.effectiveFrom = effectiveFrom
            self.announcedAt = announcedAt
            self.tiers = tiers
            self.familyMultipliers = familyMultipliers
            self.defaultMultiplier = defaultMultiplier
            self.modelFamilies = modelFamilies
            self.billingPeriod = billingPeriod
            self.closeGracePeriod = closeGracePeriod
            self.minimumDeposit = minimumDeposit
            self.noticePeriod = noticePeriod
        }
    }

    /// Charges verified usage. There is one, made by issueBiller for FlareFDCTriggers.
    access(all) resource Biller {

        /// Charges a settlement's lines in order. Line i is `tokens[i]` tokens of `families[i]`
        /// used by subscription `subscriptionIds[i]`, priced at the graduated price of its tokens
        /// after the period's paid tokens so far, times the multiplier of its family (a family
        /// key or a mapped model name; anything else uses the default multiplier), all under the
        /// pricing in force at `windowStart`, in the period `windowStart` falls in. Charged in
        /// full up to the escrow; the period cap never discounts. Never panics on an unknown or
        /// closed subscription: nothing changes and the line's outcome says so.
        ///
        /// After each line it calls `onLine(i, cost, charged, paidTokens, outcome)`: the line's
        /// full price; what was taken from the escrow (the cost, or what was left if the escrow
        /// ran out); the tokens `charged` paid for (all of them unless the escrow ran out; only
        /// these advance the period's tier position); and the outcome, a LineOutcome's raw value
        /// (a plain UInt8: an enum value would cost a read of its raw value at every comparison).
        /// Emits no per-line event (the caller's `onLine` emits one with its window); suspension
        /// emits its event. Returns the total taken from escrow.
        /// `onLine` is the Biller holder's own code, trusted as the holder is.
        ///
        /// One call per report, with plain values per line rather than a result struct: what is
        /// the same for every line (the pricing version, each family's multiplier, the block
        /// time) is looked up once, what is owed to providers is written once per provider, and
        /// each lookup, write or struct field costs every line.
        access(Bill) fun chargeLines(subscriptionIds: &[UInt64], families: &[String], tokens: &[UInt64], windowStart: UFix64, onLine: fun(Int, UFix64, UFix64, UInt64, UInt8): Void): UFix64 {
            pre {
                subscriptionIds.length == families.length && families.length == tokens.length:
                    "UsageBasedSubscriptions: the line columns differ in length (\(subscriptionIds.length) ids, \(families.length) families, \(tokens.length) tokens)"
            }
            let now = getCurrentBlock().timestamp
            let pricing = UsageBasedSubscriptions.borrowPricingAt(windowStart)
            let thresholds = pricing.thresholds
            let priceUnits = pricing.priceUnits
            let multipliers: {String: UInt64} = {}
            // The first line charged under a version announces it in force (PricingInForce).
            var inForce = pricing.version <= UsageBasedSubscriptions.versionInForce
            var total = 0.0
            // What the lines take, per provider: added to what the contract owes once, below.
            let owed: {Address: UFix64} = {}
            let owedRef = &owed as auth(Mutate) &{Address: UFix64}
            // The outcomes' raw values, looked up once rather than per line.
            let lineCharged = LineOutcome.Charged.rawValue
            let lineSuspended = LineOutcome.Suspended.rawValue
            let lineUnknown = LineOutcome.Unknown.rawValue
            let lineClosed = LineOutcome.Closed.rawValue
            // Subscription.isClosed() per line, without a call per line: a function call costs a
            // line about 0.1 computation (8.68 → 8.78 measured), the enum's raw value read once does not.
            let closedStatus = SimpleUsageSubscriptions.Status.Closed.rawValue
            let n = subscriptionIds.length
            var i = 0
            while i < n {
                let lineTokens = tokens[i]
                // Every subscription field below is read once into a local.
                if let s = SimpleUsageSubscriptions.borrowForBilling(subscriptionIds[i]) {
                    if s.statusCode == closedStatus {
                        onLine(i, 0.0, 0.0, 0, lineClosed)
                    } else {
                        let periodTokens = s.rollPeriodTo(windowStart, now: now)
                        let family = families[i]
                        var multiplierUnits = multipliers[family]
                        if multiplierUnits == nil {
                            multiplierUnits = pricing.multiplierUnitsFor(family)
                            multipliers[family] = multiplierUnits
                        }
                        let units = UsageBasedSubscriptions.graduatedCostUnits(
                            thresholds: thresholds,
                            priceUnits: priceUnits,
                            multiplierUnits: multiplierUnits!,
                            periodTokens: periodTokens,
                            tokens: lineTokens
                        )
                        // fromUnits, inlined: a call on the contract first looks its name up among
                        // the contract's fields (a dictionary read), then reads UnitsPerFlow.
                        let cost = UFix64(units / 100_000_000) + UFix64(units % 100_000_000) / 100_000_000.0
                        let balance = s.balance
                        var charged = cost
                        var paidTokens = lineTokens
                        if cost > balance {
                            // The escrow pays for the first tokens it covers; the rest is unpaid.
                            charged = balance
                            paidTokens = UsageBasedSubscriptions.paidTokens(
                                thresholds: thresholds,
                                priceUnits: priceUnits,
                                multiplierUnits: multiplierUnits!,
                                periodTokens: periodTokens,
                                tokens: lineTokens,
                                budgetUnits: UsageBasedSubscriptions.toUnits(charged)
                            )
                        }
                        let suspended = s.debit(amount: charged, paidTokens: paidTokens, now: now, owed: owedRef)
                        if !inForce {
                            UsageBasedSubscriptions.markInForce(version: pricing.version, effectiveFrom: pricing.effectiveFrom)
                            inForce = true
                        }
                        total = total + charged
                        onLine(i, cost, charged, paidTokens, suspended ? lineSuspended : lineCharged)
                    }
                } else {
                    onLine(i, 0.0, 0.0, 0, lineUnknown)
                }
                i = i + 1
            }
            SimpleUsageSubscriptions.accrue(owed)
            return total
        }

        /// Ends a settlement: pays each provider what its lines earned (one transfer per provider)
        /// and records that all usage up to `usageThrough` (the settled window's end) is billed,
        /// which lets closing subscriptions refund. Returns the total paid.
        access(Bill) fun settle(usageThrough: UFix64): UFix64 {
            pre {
                usageThrough <= getCurrentBlock().timestamp: "UsageBasedSubscriptions: usage cannot be settled beyond the present (\(usageThrough) is after the block's \(getCurrentBlock().timestamp))"
            }
            SimpleUsageSubscriptions.markSettledThrough(usageThrough)
            return SimpleUsageSubscriptions.payProviders()
        }
    }

    /// The pricing administrator. Saved in the deploying account's storage; never published.
    /// Every change is announced as a new version of the schedule (see the contract comment).
    access(all) resource Admin {

        /// Replaces the tier table. thresholds[i] is where tier i starts (period-to-date tokens);
        /// the first must be 0, the rest strictly ascending; every price positive and bounded.
        access(Configure) fun setTiers(thresholds: [UInt64], pricesPer1K: [UFix64]) {
            UsageBasedSubscriptions.assertValidTiers(thresholds: thresholds, pricesPer1K: pricesPer1K)
            var units: [UInt64] = []
            for price in pricesPer1K {
                units.append(UsageBasedSubscriptions.toUnits(price))
            }
            let latest = UsageBasedSubscriptions.latest()
            let increase = UsageBasedSubscriptions.raisesAnyTierPrice(latest: latest, thresholds: thresholds, priceUnits: units)
            let next = UsageBasedSubscriptions.announce(increase: increase, thresholds: thresholds, priceUnits: units, familyMultiplierUnits: latest.familyMultiplierUnits, defaultMultiplierUnits: latest.defaultMultiplierUnits, modelFamilies: latest.modelFamilies)
            emit TiersUpdated(version: next.version, effectiveFrom: next.effectiveFrom, increase: increase, thresholds: thresholds, pricesPer1K: pricesPer1K)
        }

        /// Sets (or adds) a model family's multiplier.
        access(Configure) fun setFamilyMultiplier(family: String, multiplier: UFix64) {
            pre {
                UsageBasedSubscriptions.isFamilyKey(family): "UsageBasedSubscriptions: a family key is 1 to 31 ASCII bytes, not '\(family)' (\(family.utf8.length) bytes)"
                multiplier > 0.0 && multiplier <= UsageBasedSubscriptions.MaxMultiplier: "UsageBasedSubscriptions: a multiplier must be positive and at most \(UInt64(UsageBasedSubscriptions.MaxMultiplier)), not \(multiplier)"
            }
            let latest = UsageBasedSubscriptions.latest()
            if !latest.familyMultiplierUnits.containsKey(family) && latest.familyMultiplierUnits.length >= UsageBasedSubscriptions.MaxFamilies {
                panic("UsageBasedSubscriptions: at most \(UsageBasedSubscriptions.MaxFamilies) families ('\(family)' would be one more)")
            }
            let units = UsageBasedSubscriptions.toUnits(multiplier)
            // Names billed as this family: the key itself and the models mapped to it.
            var increase = units > latest.multiplierUnitsFor(family)
            for model in latest.modelFamilies.keys {
                if latest.modelFamilies[model] == family && units > latest.multiplierUnitsFor(model) {
                    increase = true
                }
            }
            let families = latest.familyMultiplierUnits
            families[family] = units
            let next = UsageBasedSubscriptions.announce(increase: increase, thresholds: latest.thresholds, priceUnits: latest.priceUnits, familyMultiplierUnits: families, defaultMultiplierUnits: latest.defaultMultiplierUnits, modelFamilies: latest.modelFamilies)
            emit FamilyMultiplierSet(version: next.version, effectiveFrom: next.effectiveFrom, increase: increase, family: family, multiplier: multiplier)
        }

        /// Sets the multiplier of models in no family.
        access(Configure) fun setDefaultMultiplier(multiplier: UFix64) {
            pre {
                multiplier > 0.0 && multiplier <= UsageBasedSubscriptions.MaxMultiplier: "UsageBasedSubscriptions: a multiplier must be positive and at most \(UInt64(UsageBasedSubscriptions.MaxMultiplier)), not \(multiplier)"
            }
            let latest = UsageBasedSubscriptions.latest()
            let units = UsageBasedSubscriptions.toUnits(multiplier)
            let increase = units > latest.defaultMultiplierUnits
            let next = UsageBasedSubscriptions.announce(increase: increase, thresholds: latest.thresholds, priceUnits: latest.priceUnits, familyMultiplierUnits: latest.familyMultiplierUnits, defaultMultiplierUnits: units, modelFamilies: latest.modelFamilies)
            emit DefaultMultiplierSet(version: next.version, effectiveFrom: next.effectiveFrom, increase: increase, multiplier: multiplier)
        }

        /// Puts a model name (as LiteLLM reports it, e.g. "gpt-4o") in a family that has a multiplier.
        access(Configure) fun mapModel(model: String, family: String) {
            pre {
                model.length > 0 && model.utf8.length <= 128: "UsageBasedSubscriptions: a model name is 1 to 128 bytes, not \(model.utf8.length)"
            }
            let latest = UsageBasedSubscriptions.latest()
            if !latest.familyMultiplierUnits.containsKey(family) {
                panic("UsageBasedSubscriptions: unknown family; set its multiplier first (family '\(family)')")
            }
            if !latest.modelFamilies.containsKey(model) && latest.modelFamilies.length >= UsageBasedSubscriptions.MaxMappedModels {
                panic("UsageBasedSubscriptions: at most \(UsageBasedSubscriptions.MaxMappedModels) mapped models ('\(model)' would be one more)")
            }
            // A family key keeps its own multiplier whatever the map says.
            let before = latest.multiplierUnitsFor(model)
            let after = latest.familyMultiplierUnits[model] ?? latest.familyMultiplierUnits[family]!
            let increase = after > before
            let models = latest.modelFamilies
            models[model] = family
            let next = UsageBasedSubscriptions.announce(increase: increase, thresholds: latest.thresholds, priceUnits: latest.priceUnits, familyMultiplierUnits: latest.familyMultiplierUnits, defaultMultiplierUnits: latest.defaultMultiplierUnits, modelFamilies: models)
            emit ModelMapped(version: next.version, effectiveFrom: next.effectiveFrom, increase: increase, model: model, family: family)
        }

        /// Removes a model's mapping; it then uses the default multiplier.
        access(Configure) fun unmapModel(model: String) {
            let latest = UsageBasedSubscriptions.latest()
            if !latest.modelFamilies.containsKey(model) {
                panic("UsageBasedSubscriptions: the model is not mapped (model '\(model)')")
            }
            let before = latest.multiplierUnitsFor(model)
            let after = latest.familyMultiplierUnits[model] ?? latest.defaultMultiplierUnits
            let increase = after > before
            let models = latest.modelFamilies
            let _ = models.remove(key: model)
            let next = UsageBasedSubscriptions.announce(increase: increase, thresholds: latest.thresholds, priceUnits: latest.priceUnits, familyMultiplierUnits: latest.familyMultiplierUnits, defaultMultiplierUnits: latest.defaultMultiplierUnits, modelFamilies: models)
            emit ModelUnmapped(version: next.version, effectiveFrom: next.effectiveFrom, increase: increase, model: model)
        }

        /// Withdraws every announced version that has not taken effect yet.
        access(Configure) fun cancelPendingChanges() {
            let now = getCurrentBlock().timestamp
            let cancelled: [UInt64] = []
            while UsageBasedSubscriptions.versions.length > 1 && UsageBasedSubscriptions.versions[UsageBasedSubscriptions.versions.length - 1].effectiveFrom > now {
                cancelled.append(UsageBasedSubscriptions.versions.removeLast().version)
            }
            assert(cancelled.length > 0, message: "UsageBasedSubscriptions: no announced change is pending")
            emit PricingChangesCancelled(versions: cancelled)
        }

        /// Sets how long a price increase waits after its announcement. A longer notice applies
        /// at once; a shorter one only after the notice in force has run (so it cannot be used
        /// to rush an increase).
        access(Configure) fun setNoticePeriod(seconds: UFix64) {
            pre {
                seconds >= UsageBasedSubscriptions.MinNoticePeriod && seconds <= UsageBasedSubscriptions.MaxNoticePeriod:
                    "UsageBasedSubscriptions: the notice period must be between \(UInt64(UsageBasedSubscriptions.MinNoticePeriod)) and \(UInt64(UsageBasedSubscriptions.MaxNoticePeriod)) seconds, not \(seconds)"
            }
            let now = getCurrentBlock().timestamp
            let current = UsageBasedSubscriptions.noticePeriodAt(now)
            UsageBasedSubscriptions.noticePeriod = current
            if seconds >= current || !SimpleUsageSubscriptions.hasSubscriptions() {
                UsageBasedSubscriptions.noticePeriod = seconds
                UsageBasedSubscriptions.pendingNoticePeriod = nil
                UsageBasedSubscriptions.pendingNoticeFrom = now
                emit NoticePeriodSet(seconds: seconds, effectiveFrom: now)
            } else {
                UsageBasedSubscriptions.pendingNoticePeriod = seconds
                UsageBasedSubscriptions.pendingNoticeFrom = now + current
                emit NoticePeriodSet(seconds: seconds, effectiveFrom: now + current)
            }
        }
    }

    /// The schedule, by ascending effectiveFrom; versions[0] is in force from the deployment.
    /// Never pruned: anyone recomputing an old bill reads the version of its window here.
    access(self) var versions: [PricingVersion]
    access(all) var nextVersion: UInt64
    /// The newest version a settlement has charged with (PricingInForce).
    access(all) var versionInForce: UInt64
    access(self) var noticePeriod: UFix64
    access(self) var pendingNoticePeriod: UFix64?
    access(self) var pendingNoticeFrom: UFix64
    access(self) var billerIssued: Bool

    /// Makes the one Biller. Only code deployed on this account can call it (FlareFDCTriggers
    /// does, at its deployment), and only once.
    access(account) fun issueBiller(): @Biller {
        pre {
            !self.billerIssued: "UsageBasedSubscriptions: the Biller was issued already; there is only one"
        }
        self.billerIssued = true
        let biller <- create Biller()
        emit BillerIssued(billerId: biller.uuid)
        return <- biller
    }

    /// The notice period in force at `time`.
    access(all) view fun noticePeriodAt(_ time: UFix64): UFix64 {
        if let pending = self.pendingNoticePeriod {
            if time >= self.pendingNoticeFrom {
                return pending
            }
        }
        return self.noticePeriod
    }

    /// The pricing in force now.
    access(all) fun getPricing(): PricingConfig {
        return self.getPricingAt(getCurrentBlock().timestamp)
    }

    /// The pricing in force for a usage window starting at `time` (what its lines are billed by).
    access(all) fun getPricingAt(_ time: UFix64): PricingConfig {
        return self.configOf(self.borrowPricingAt(time))
    }

    /// Every version of the schedule, oldest first, including announced ones not yet in force.
    access(all) fun getPricingSchedule(): [PricingConfig] {
        let out: [PricingConfig] = []
        var i = 0
        while i < self.versions.length {
            out.append(self.configOf(&self.versions[i] as &PricingVersion))
            i = i + 1
        }
        return out
    }

    /// The price of `tokens` tokens of `model` (a model name or family key) after `periodTokens`
    /// paid tokens this period, under the pricing in force now.
    access(all) view fun quote(model: String, tokens: UInt64, periodTokens: UInt64): UFix64 {
        return self.quoteAt(time: getCurrentBlock().timestamp, model: model, tokens: tokens, periodTokens: periodTokens)
    }

    /// The same under the pricing in force for a window starting at `time`.
    access(all) view fun quoteAt(time: UFix64, model: String, tokens: UInt64, periodTokens: UInt64): UFix64 {
        let pricing = self.borrowPricingAt(time)
        return self.fromUnits(self.graduatedCostUnits(
            thresholds: pricing.thresholds,
            priceUnits: pricing.priceUnits,
            multiplierUnits: pricing.multiplierUnitsFor(model),
            periodTokens: periodTokens,
            tokens: tokens
        ))
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
            multiplier > 0.0 && multiplier <= self.MaxMultiplier: "UsageBasedSubscriptions: a multiplier must be positive and at most \(UInt64(self.MaxMultiplier)), not \(multiplier)"
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

    /// The multiplier `name` is billed at now.
    access(all) view fun multiplierFor(_ name: String): UFix64 {
        return self.fromUnits(self.borrowPricingAt(getCurrentBlock().timestamp).multiplierUnitsFor(name))
    }

    /// The family a model name is billed as now; nil means the default multiplier.
    access(all) view fun familyOf(_ name: String): String? {
        let pricing = self.borrowPricingAt(getCurrentBlock().timestamp)
        if pricing.familyMultiplierUnits.containsKey(name) {
            return name
        }
        return pricing.modelFamilies[name]
    }

    /// Panics with the first problem of a tier table.
    access(all) view fun assertValidTiers(thresholds: [UInt64], pricesPer1K: [UFix64]) {
        assert(thresholds.length > 0, message: "UsageBasedSubscriptions: a tier table needs at least one tier")
        // `if` and `panic` rather than `assert`, whose message would be built on every check.
        if thresholds.length > self.MaxTiers {
            panic("UsageBasedSubscriptions: a tier table has at most \(self.MaxTiers) tiers, not \(thresholds.length)")
        }
        if thresholds.length != pricesPer1K.length {
            panic("UsageBasedSubscriptions: thresholds and prices differ in length (\(thresholds.length) thresholds, \(pricesPer1K.length) prices)")
        }
        if thresholds[0] != 0 {
            panic("UsageBasedSubscriptions: the first tier must start at 0 tokens, not \(thresholds[0])")
        }
        // Messages count tiers from 1, as the page's tier table does.
        var i = 0
        while i < thresholds.length {
            if pricesPer1K[i] <= 0.0 {
                panic("UsageBasedSubscriptions: tier prices must be positive (tier \(i + 1) costs \(pricesPer1K[i]))")
            }
            if pricesPer1K[i] > self.MaxPricePer1K {
                panic("UsageBasedSubscriptions: a tier price is at most \(UInt64(self.MaxPricePer1K)) FLOW per 1,000 tokens (tier \(i + 1) costs \(pricesPer1K[i]))")
            }
            if thresholds[i] > self.MaxThreshold {
                panic("UsageBasedSubscriptions: a tier threshold is at most \(self.MaxThreshold) tokens (tier \(i + 1) starts at \(thresholds[i]))")
            }
            if i > 0 && thresholds[i] <= thresholds[i - 1] {
                panic("UsageBasedSubscriptions: tier thresholds must be strictly ascending (tier \(i + 1) starts at \(thresholds[i]), tier \(i) at \(thresholds[i - 1]))")
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

    /// The most of `tokens` (after `periodTokens`) whose graduated cost is at most `budgetUnits`:
    /// the tokens an escrow of that size pays for, in order. cost(k) <= B exactly when
    /// raw(k) * multiplier < (B + 1) * 1e11, raw(k) being the per-1K price sum of the first k tokens.
    access(all) view fun paidTokens(thresholds: &[UInt64], priceUnits: &[UInt64], multiplierUnits: UInt64, periodTokens: UInt64, tokens: UInt64, budgetUnits: UInt64): UInt64 {
        var rest = ((UInt256(budgetUnits) + 1) * 100_000_000_000 - 1) / UInt256(multiplierUnits)
        let start = UInt256(periodTokens)
        let end = start + UInt256(tokens)
        let n = thresholds.length
        var paid: UInt256 = 0
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
                let price = UInt256(priceUnits[i])
                let segment = (to - from) * price
                if segment > rest {
                    return UInt64(paid + rest / price)
                }
                rest = rest - segment
                paid = paid + (to - from)
            }
            i = i + 1
        }
        return tokens
    }

    /// Exact FLOW amount in units of 1e-8.
    access(all) view fun toUnits(_ amount: UFix64): UInt64 {
        let whole = UInt64(amount)
        // The fraction is below 1, so scaling it by 1e8 is exact and cannot overflow.
        return whole * self.UnitsPerFlow + UInt64((amount - UFix64(whole)) * 100_000_000.0)
    }

    /// Units of 1e-8 FLOW as a UFix64 (exact).
    access(all) view fun fromUnits(_ units: UInt64): UFix64 {
        let perFlow = self.UnitsPerFlow
        return UFix64(units / perFlow) + UFix64(units % perFlow) / 100_000_000.0
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

    /// The version in force for a window starting at `time`. Scanned from the newest: settled
    /// windows are recent, so this is one or two steps.
    access(contract) view fun borrowPricingAt(_ time: UFix64): &PricingVersion {
        // The schedule is read once (billing calls this on every line).
        let versions = &self.versions as &[PricingVersion]
        var i = versions.length - 1
        while i > 0 && versions[i].effectiveFrom > time {
            i = i - 1
        }
        return versions[i]
    }

    access(contract) view fun latest(): PricingVersion {
        return self.versions[self.versions.length - 1]
    }

    /// True if the tier table would charge more than the latest version for any token position:
    /// both are step functions, so comparing at every threshold of either decides it.
    access(contract) view fun raisesAnyTierPrice(latest: PricingVersion, thresholds: [UInt64], priceUnits: [UInt64]): Bool {
        let next = PricingVersion(version: 0, effectiveFrom: 0.0, announcedAt: 0.0, thresholds: thresholds, priceUnits: priceUnits, familyMultiplierUnits: {}, defaultMultiplierUnits: 0, modelFamilies: {})
        for position in latest.thresholds.concat(thresholds) {
            if next.priceAt(position) > latest.priceAt(position) {
                return true
            }
        }
        return false
    }

    /// Adds the next version: in force now (so from the next window) unless it raises a price,
    /// then after the notice period; never before the latest version. A version not yet used by
    /// any window (pending, or announced in this same block) is replaced rather than kept. Before
    /// the first subscription there is nobody to notify: the new version is the whole schedule.
    access(contract) fun announce(increase: Bool, thresholds: [UInt64], priceUnits: [UInt64], familyMultiplierUnits: {String: UInt64}, defaultMultiplierUnits: UInt64, modelFamilies: {String: String}): PricingVersion {
        let now = getCurrentBlock().timestamp
        if !SimpleUsageSubscriptions.hasSubscriptions() {
            let base = PricingVersion(version: self.nextVersion, effectiveFrom: 0.0, announcedAt: now, thresholds: thresholds, priceUnits: priceUnits, familyMultiplierUnits: familyMultiplierUnits, defaultMultiplierUnits: defaultMultiplierUnits, modelFamilies: modelFamilies)
            self.nextVersion = self.nextVersion + 1
            self.versions = [base]
            self.versionInForce = base.version
            return base
        }
        let last = self.versions[self.versions.length - 1].effectiveFrom
        var from = increase ? now + self.noticePeriodAt(now) : now
        if from < last {
            from = last
        }
        let version = PricingVersion(version: self.nextVersion, effectiveFrom: from, announcedAt: now, thresholds: thresholds, priceUnits: priceUnits, familyMultiplierUnits: familyMultiplierUnits, defaultMultiplierUnits: defaultMultiplierUnits, modelFamilies: modelFamilies)
        self.nextVersion = self.nextVersion + 1
        if from == last && last >= now {
            self.versions[self.versions.length - 1] = version
        } else {
            self.versions.append(version)
        }
        var pending = 0
        for v in self.versions {
            if v.effectiveFrom > now {
                pending = pending + 1
            }
        }
        if pending > self.MaxPendingVersions {
            panic("UsageBasedSubscriptions: at most \(self.MaxPendingVersions) announced changes may wait at once")
        }
        return version
    }

    access(contract) fun markInForce(version: UInt64, effectiveFrom: UFix64) {
        self.versionInForce = version
        emit PricingInForce(version: version, effectiveFrom: effectiveFrom)
    }

    access(contract) fun configOf(_ v: &PricingVersion): PricingConfig {
        let tiers: [Tier] = []
        var i = 0
        while i < v.thresholds.length {
            tiers.append(Tier(threshold: v.thresholds[i], pricePer1K: self.fromUnits(v.priceUnits[i])))
            i = i + 1
        }
        let families: {String: UFix64} = {}
        for family in v.familyMultiplierUnits.keys {
            families[family] = self.fromUnits(v.familyMultiplierUnits[family]!)
        }
        let settings = SimpleUsageSubscriptions.getSettings()
        return PricingConfig(
            version: v.version,
            effectiveFrom: v.effectiveFrom,
            announcedAt: v.announcedAt,
            tiers: tiers,
            familyMultipliers: families,
            defaultMultiplier: self.fromUnits(v.defaultMultiplierUnits),
            modelFamilies: *v.modelFamilies,
            billingPeriod: settings.billingPeriod,
            closeGracePeriod: settings.closeGracePeriod,
            minimumDeposit: settings.minimumDeposit,
            noticePeriod: self.noticePeriodAt(getCurrentBlock().timestamp)
        )
    }

    init() {
        self.AdminStoragePath = /storage/flareFlowPricingAdmin
        self.UnitsPerFlow = 100_000_000
        self.MaxTiers = 16
        self.MaxThreshold = 1_000_000_000_000_000
        self.MaxPricePer1K = 1_000.0
        self.MaxMultiplier = 100.0
        self.MaxFamilies = 32
        self.MaxMappedModels = 512
        self.MaxPendingVersions = 8
        self.MinNoticePeriod = 3_600.0
        self.MaxNoticePeriod = 7_776_000.0 // 90 days

        // DESIGN.md, Pricing: Starter, Growth, Scale, Enterprise; the families and their
        // multipliers; common LiteLLM model names (the admin maps more with mapModel).
        self.versions = [PricingVersion(
            version: 1,
            effectiveFrom: 0.0,
            announcedAt: getCurrentBlock().timestamp,
            thresholds: [0, 100_000, 1_000_000, 10_000_000],
            priceUnits: [2_000_000, 1_500_000, 1_000_000, 800_000],
            familyMultiplierUnits: {
                "gpt-4": 150_000_000,
                "gpt-3.5": 80_000_000,
                "claude": 120_000_000,
                "llama": 60_000_000
            },
            defaultMultiplierUnits: 100_000_000,
            modelFamilies: {
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
        )]
        self.nextVersion = 2
        self.versionInForce = 1
        self.noticePeriod = 604_800.0 // 7 days
        self.pendingNoticePeriod = nil
        self.pendingNoticeFrom = 0.0
        self.billerIssued = false

        self.account.storage.save(<- create Admin(), to: self.AdminStoragePath)
    }
}
