import "FungibleToken"
import "FlowToken"

/// SimpleUsageSubscriptions keeps the escrow of every FlareFlow subscription.
///
/// All escrow sits in ONE FlowToken vault owned by this contract; each subscription only keeps a
/// bookkept balance. Billing therefore moves no tokens per usage line (no FungibleToken events per
/// line, which matters for the per-transaction event cap when hundreds of lines are settled at
/// once): a charge moves an amount from a subscription's balance to what the contract owes the
/// provider, and `payProviders` pays each provider once per settlement.
///
/// Invariant (tested): deposits = paid to providers + owed to providers + refunds + escrow, and the
/// vault holds exactly owed + escrow.
///
/// Who may do what is decided by resources, never by an address argument:
/// - a `Customer` resource in the customer's storage manages the subscriptions created from it,
/// - a `Provider` resource in the provider's storage manages keys of subscriptions naming it,
/// - billing goes through `borrowForBilling`, reachable only from this account's contracts
///   (UsageBasedSubscriptions hands it out through its `Biller` resource).
access(all) contract SimpleUsageSubscriptions {

    /// Lets a customer create, fund, update and close their subscriptions.
    access(all) entitlement Manage
    /// Lets a provider attach, rotate and revoke key hashes, and collect deferred payments.
    access(all) entitlement ManageKeys
    /// Lets the billing contract debit a subscription.
    access(all) entitlement Debit

    access(all) let CustomerStoragePath: StoragePath
    access(all) let ProviderStoragePath: StoragePath

    access(all) event SubscriptionCreated(id: UInt64, customer: Address, provider: Address, deposit: UFix64, maxBudgetPerPeriod: UFix64?, allowedModels: [String]?, periodStart: UFix64)
    access(all) event SubscriptionToppedUp(id: UInt64, amount: UFix64, balance: UFix64)
    access(all) event SubscriptionUpdated(id: UInt64, maxBudgetPerPeriod: UFix64?, allowedModels: [String]?)
    /// reason is "escrow" (balance exhausted) or "cap" (period budget reached).
    access(all) event SubscriptionSuspended(id: UInt64, reason: String, balance: UFix64, periodSpent: UFix64)
    access(all) event SubscriptionResumed(id: UInt64, balance: UFix64)
    access(all) event SubscriptionPeriodStarted(id: UInt64, periodStart: UFix64)
    access(all) event SubscriptionCloseRequested(id: UInt64, requestedAt: UFix64, graceEndsAt: UFix64)
    access(all) event SubscriptionClosed(id: UInt64, refund: UFix64, settled: Bool)
    access(all) event KeyIssued(id: UInt64, keyHash: String, provider: Address)
    access(all) event KeyRotated(id: UInt64, oldKeyHash: String, newKeyHash: String, provider: Address)
    access(all) event KeyRevoked(id: UInt64, keyHash: String, by: Address)
    access(all) event ProviderPaid(provider: Address, amount: UFix64)
    access(all) event ProviderPaymentDeferred(provider: Address, amount: UFix64)
    access(all) event UsageSettledThrough(time: UFix64)
    access(all) event BillingPeriodChanged(seconds: UFix64)
    access(all) event CloseGracePeriodChanged(seconds: UFix64)

    access(all) enum Status: UInt8 {
        access(all) case Active
        access(all) case Suspended
        access(all) case Closing
        access(all) case Closed
    }

    /// A read-only copy of a subscription, as of a given time: period counters already reset if
    /// the period has ended, so readers (the key service, the page) see what billing will see.
    access(all) struct SubscriptionInfo {
        access(all) let id: UInt64
        access(all) let customer: Address
        access(all) let provider: Address
        access(all) let status: Status
        access(all) let balance: UFix64
        access(all) let deposited: UFix64
        access(all) let spent: UFix64
        access(all) let refunded: UFix64
        access(all) let maxBudgetPerPeriod: UFix64?
        access(all) let allowedModels: [String]?
        access(all) let createdAt: UFix64
        access(all) let periodStart: UFix64
        access(all) let periodEnd: UFix64
        access(all) let periodTokens: UInt64
        access(all) let periodSpent: UFix64
        access(all) let keyHash: String?
        access(all) let closeRequestedAt: UFix64?
        access(all) let closeGraceEndsAt: UFix64?

        view init(id: UInt64, customer: Address, provider: Address, status: Status, balance: UFix64, deposited: UFix64, spent: UFix64, refunded: UFix64, maxBudgetPerPeriod: UFix64?, allowedModels: [String]?, createdAt: UFix64, periodStart: UFix64, periodEnd: UFix64, periodTokens: UInt64, periodSpent: UFix64, keyHash: String?, closeRequestedAt: UFix64?, closeGraceEndsAt: UFix64?) {
            self.id = id
            self.customer = customer
            self.provider = provider
            self.status = status
            self.balance = balance
            self.deposited = deposited
            self.spent = spent
            self.refunded = refunded
            self.maxBudgetPerPeriod = maxBudgetPerPeriod
            self.allowedModels = allowedModels
            self.createdAt = createdAt
            self.periodStart = periodStart
            self.periodEnd = periodEnd
            self.periodTokens = periodTokens
            self.periodSpent = periodSpent
            self.keyHash = keyHash
            self.closeRequestedAt = closeRequestedAt
            self.closeGraceEndsAt = closeGraceEndsAt
        }
    }

    /// The money ledger of the whole contract, for the conservation check.
    access(all) struct Totals {
        access(all) let deposited: UFix64
        access(all) let paidToProviders: UFix64
        access(all) let owedToProviders: UFix64
        access(all) let refunded: UFix64
        access(all) let escrow: UFix64
        access(all) let vaultBalance: UFix64

        view init(deposited: UFix64, paidToProviders: UFix64, owedToProviders: UFix64, refunded: UFix64, escrow: UFix64, vaultBalance: UFix64) {
            self.deposited = deposited
            self.paidToProviders = paidToProviders
            self.owedToProviders = owedToProviders
            self.refunded = refunded
            self.escrow = escrow
            self.vaultBalance = vaultBalance
        }
    }

    /// One subscription. It never leaves the contract's dictionary; callers get references whose
    /// entitlements decide what they may change.
    access(all) resource Subscription {
        access(all) let id: UInt64
        access(all) let customer: Address
        access(all) let provider: Address
        access(all) let createdAt: UFix64
        /// The Status's raw value. Billing reads it on every line, and a UInt8 costs a fraction
        /// of an enum value there: 0 Active, 1 Suspended, 2 Closing, 3 Closed.
        access(all) var statusCode: UInt8
        access(all) var balance: UFix64
        access(all) var deposited: UFix64
        access(all) var refunded: UFix64
        access(all) var maxBudgetPerPeriod: UFix64?
        access(all) var allowedModels: [String]?
        access(all) var periodStart: UFix64
        access(all) var periodTokens: UInt64
        access(all) var periodSpent: UFix64
        access(all) var keyHash: String?
        access(all) var closeRequestedAt: UFix64?

        init(id: UInt64, customer: Address, provider: Address, deposit: UFix64, maxBudgetPerPeriod: UFix64?, allowedModels: [String]?, now: UFix64) {
            self.id = id
            self.customer = customer
            self.provider = provider
            self.createdAt = now
            self.statusCode = Status.Active.rawValue
            self.balance = deposit
            self.deposited = deposit
            self.refunded = 0.0
            self.maxBudgetPerPeriod = maxBudgetPerPeriod
            self.allowedModels = allowedModels
            self.periodStart = now
            self.periodTokens = 0
            self.periodSpent = 0.0
            self.keyHash = nil
            self.closeRequestedAt = nil
        }

        /// The start of the period `now` falls in. Periods are counted from the subscription's
        /// start in whole multiples of the current billing period.
        access(all) view fun currentPeriodStart(now: UFix64): UFix64 {
            let period = SimpleUsageSubscriptions.billingPeriod
            if now < self.periodStart + period {
                return self.periodStart
            }
            // UFix64 division truncates, but never below the true quotient's integer part.
            let periods = UInt64((now - self.periodStart) / period)
            return self.periodStart + UFix64(periods) * period
        }

        /// The subscription's status.
        access(all) view fun getStatus(): Status {
            return Status(rawValue: self.statusCode)!
        }

        /// This subscription as billing would see it at `now`.
        access(all) view fun info(now: UFix64): SubscriptionInfo {
            let start = self.currentPeriodStart(now: now)
            let rolled = start != self.periodStart
            var status = self.getStatus()
            // A new period lifts a cap suspension; only an empty escrow keeps it.
            if rolled && status == Status.Suspended && self.balance > 0.0 {
                status = Status.Active
            }
            var graceEnd: UFix64? = nil
            if let requested = self.closeRequestedAt {
                graceEnd = requested + SimpleUsageSubscriptions.closeGracePeriod
            }
            return SubscriptionInfo(
                id: self.id,
                customer: self.customer,
                provider: self.provider,
                status: status,
                balance: self.balance,
                deposited: self.deposited,
                // Every deposit is spent, refunded or still held.
                spent: self.deposited - self.refunded - self.balance,
                refunded: self.refunded,
                maxBudgetPerPeriod: self.maxBudgetPerPeriod,
                allowedModels: self.allowedModels,
                createdAt: self.createdAt,
                periodStart: start,
                periodEnd: start + SimpleUsageSubscriptions.billingPeriod,
                periodTokens: rolled ? 0 : self.periodTokens,
                periodSpent: rolled ? 0.0 : self.periodSpent,
                keyHash: self.keyHash,
                closeRequestedAt: self.closeRequestedAt,
                closeGraceEndsAt: graceEnd
            )
        }

        /// Starts a new period if `now` is past the current one, resetting the period counters.
        access(Debit) fun rollPeriod(now: UFix64) {
            self.advancePeriod(now: now)
        }

        /// Takes up to `cost` from the balance, limited by what is left of the escrow and of the
        /// period budget, and records it as owed to the provider. The tokens always count towards
        /// the period (the usage happened), so later lines are priced in the right tier.
        /// Returns the amount actually taken. This is the per-line hot path of a settlement of
        /// hundreds of lines: it writes three fields and one dictionary entry, nothing more.
        access(Debit) fun debit(cost: UFix64, tokens: UInt64): UFix64 {
            // No post-conditions here on purpose: `before()` copies state on every line of a
            // settlement. The arithmetic below only ever lowers `charge` from `cost`, and the
            // conservation tests check the balances.
            pre {
                self.statusCode != 3: "SimpleUsageSubscriptions: a closed subscription cannot be charged"
            }
            self.periodTokens = self.periodTokens.saturatingAdd(tokens)
            var charge = cost
            if charge > self.balance {
                charge = self.balance
            }
            var capReached = false
            if let cap = self.maxBudgetPerPeriod {
                let room = cap > self.periodSpent ? cap - self.periodSpent : 0.0
                if charge >= room {
                    charge = room
                    capReached = true
                }
            }
            if charge > 0.0 {
                self.balance = self.balance - charge
                self.periodSpent = self.periodSpent + charge
                // accrue, inlined: one dictionary write per line, paid once per settlement
                SimpleUsageSubscriptions.owed[self.provider] = (SimpleUsageSubscriptions.owed[self.provider] ?? 0.0) + charge
            }
            // Only a line that empties the escrow or the budget can change the status.
            if charge < cost || capReached || self.balance == 0.0 {
                self.refreshSuspension()
            }
            return charge
        }

        access(contract) fun advancePeriod(now: UFix64) {
            let start = self.currentPeriodStart(now: now)
            if start == self.periodStart {
                return
            }
            self.periodStart = start
            self.periodTokens = 0
            self.periodSpent = 0.0
            emit SubscriptionPeriodStarted(id: self.id, periodStart: start)
            self.refreshSuspension()
        }

        /// Moves between Active and Suspended after anything that changes the balance, the cap or
        /// the period; Closing and Closed are left alone (a closing subscription is still billed).
        access(contract) fun refreshSuspension() {
            // only Active (0) and Suspended (1) move
            if self.statusCode > 1 {
                return
            }
            let exhausted = self.balance == 0.0
            let capped = self.maxBudgetPerPeriod != nil && self.periodSpent >= self.maxBudgetPerPeriod!
            if exhausted || capped {
                if self.statusCode == 0 {
                    self.statusCode = Status.Suspended.rawValue
                    emit SubscriptionSuspended(id: self.id, reason: exhausted ? "escrow" : "cap", balance: self.balance, periodSpent: self.periodSpent)
                }
            } else if self.statusCode == 1 {
                self.statusCode = Status.Active.rawValue
                emit SubscriptionResumed(id: self.id, balance: self.balance)
            }
        }

        access(contract) fun addFunds(_ amount: UFix64) {
            self.balance = self.balance + amount
            self.deposited = self.deposited + amount
        }

        access(contract) fun setLimits(maxBudgetPerPeriod: UFix64?, allowedModels: [String]?) {
            self.maxBudgetPerPeriod = maxBudgetPerPeriod
            self.allowedModels = allowedModels
        }

        access(contract) fun markClosing(now: UFix64) {
            self.statusCode = Status.Closing.rawValue
            self.closeRequestedAt = now
        }

        /// Empties the balance into the refund; returns the refunded amount.
        access(contract) fun markClosed(): UFix64 {
            let refund = self.balance
            self.refunded = self.refunded + refund
            self.balance = 0.0
            self.statusCode = Status.Closed.rawValue
            return refund
        }

        access(contract) fun setKeyHash(_ keyHash: String?) {
            self.keyHash = keyHash
        }
    }

    /// Held in a customer's storage; proves who the customer is. Every call checks that the
    /// subscription was created by the account holding this resource.
    access(all) resource Customer {

        /// Opens a subscription to `provider`, escrowing `deposit`. Returns its id.
        access(Manage) fun createSubscription(provider: Address, deposit: @FlowToken.Vault, maxBudgetPerPeriod: UFix64?, allowedModels: [String]?): UInt64 {
            pre {
                self.owner != nil: "SimpleUsageSubscriptions: the Customer resource must be in the customer's storage"
                deposit.balance > 0.0: "SimpleUsageSubscriptions: the deposit must be positive"
                maxBudgetPerPeriod == nil || maxBudgetPerPeriod! > 0.0: "SimpleUsageSubscriptions: the period budget must be positive (nil for no cap)"
                allowedModels == nil || allowedModels!.length > 0: "SimpleUsageSubscriptions: allowedModels must name at least one model (nil allows all)"
            }
            return SimpleUsageSubscriptions.open(customer: self.owner!.address, provider: provider, deposit: <-deposit, maxBudgetPerPeriod: maxBudgetPerPeriod, allowedModels: allowedModels)
        }

        /// Adds `from` to the escrow of subscription `id`; lifts an escrow suspension.
        access(Manage) fun topUp(id: UInt64, from: @FlowToken.Vault) {
            pre {
                from.balance > 0.0: "SimpleUsageSubscriptions: the top-up amount must be positive"
            }
            let sub = self.borrowOwn(id)
            assert(sub.getStatus() == Status.Active || sub.getStatus() == Status.Suspended, message: "SimpleUsageSubscriptions: only an open subscription can be topped up")
            sub.advancePeriod(now: getCurrentBlock().timestamp)
            SimpleUsageSubscriptions.fund(sub, from: <-from)
        }

        /// Replaces the period budget (nil: no cap) and the allowed models (nil: all models).
        access(Manage) fun update(id: UInt64, maxBudgetPerPeriod: UFix64?, allowedModels: [String]?) {
            pre {
                maxBudgetPerPeriod == nil || maxBudgetPerPeriod! > 0.0: "SimpleUsageSubscriptions: the period budget must be positive (nil for no cap)"
                allowedModels == nil || allowedModels!.length > 0: "SimpleUsageSubscriptions: allowedModels must name at least one model (nil allows all)"
            }
            let sub = self.borrowOwn(id)
            assert(sub.getStatus() == Status.Active || sub.getStatus() == Status.Suspended, message: "SimpleUsageSubscriptions: only an open subscription can be updated")
            sub.advancePeriod(now: getCurrentBlock().timestamp)
            sub.setLimits(maxBudgetPerPeriod: maxBudgetPerPeriod, allowedModels: allowedModels)
            emit SubscriptionUpdated(id: id, maxBudgetPerPeriod: maxBudgetPerPeriod, allowedModels: allowedModels)
            sub.refreshSuspension()
        }

        /// Stops new usage. Windows before this moment are still billed; the refund waits for
        /// them (see finishClose).
        access(Manage) fun requestClose(id: UInt64) {
            let sub = self.borrowOwn(id)
            assert(sub.getStatus() == Status.Active || sub.getStatus() == Status.Suspended, message: "SimpleUsageSubscriptions: the subscription is not open (already closing or closed)")
            let now = getCurrentBlock().timestamp
            sub.markClosing(now: now)
            emit SubscriptionCloseRequested(id: id, requestedAt: now, graceEndsAt: now + SimpleUsageSubscriptions.closeGracePeriod)
        }

        /// Refunds what is unbilled and closes. Allowed once usage up to the close request has
        /// been settled, or, if no settlement came, once the grace period has passed: the
        /// provider is never cheated of usage that happened before the close.
        access(Manage) fun finishClose(id: UInt64): @FlowToken.Vault {
            let sub = self.borrowOwn(id)
            assert(sub.getStatus() != Status.Closed, message: "SimpleUsageSubscriptions: the subscription is already closed")
            assert(sub.getStatus() == Status.Closing, message: "SimpleUsageSubscriptions: request the close first")
            let requested = sub.closeRequestedAt!
            let settled = SimpleUsageSubscriptions.settledThrough >= requested
            assert(
                settled || getCurrentBlock().timestamp >= requested + SimpleUsageSubscriptions.closeGracePeriod,
                message: "SimpleUsageSubscriptions: usage before the close is not settled yet and the grace period has not passed"
            )
            return <- SimpleUsageSubscriptions.refund(sub, settled: settled)
        }

        /// Detaches the subscription's key hash (the key service then blocks the key).
        access(Manage) fun revokeKey(id: UInt64) {
            let sub = self.borrowOwn(id)
            SimpleUsageSubscriptions.revoke(sub, by: self.owner!.address)
        }

        access(self) fun borrowOwn(_ id: UInt64): &Subscription {
            pre {
                self.owner != nil: "SimpleUsageSubscriptions: the Customer resource must be in the customer's storage"
            }
            let sub = SimpleUsageSubscriptions.borrowOrPanic(id)
            assert(sub.customer == self.owner!.address, message: "SimpleUsageSubscriptions: the signer is not this subscription's customer")
            return sub
        }
    }

    /// Held in a provider's storage; proves who the provider is for key management.
    access(all) resource Provider {

        /// Attaches the sha256 hash (64 lowercase hex characters) of the subscription's key.
        access(ManageKeys) fun issueKey(id: UInt64, keyHash: String) {
            pre {
                SimpleUsageSubscriptions.isKeyHash(keyHash): "SimpleUsageSubscriptions: keyHash must be a sha256 hash, 64 lowercase hex characters"
            }
            let sub = self.borrowProvided(id)
            assert(sub.getStatus() != Status.Closed, message: "SimpleUsageSubscriptions: the subscription is closed")
            assert(sub.keyHash == nil, message: "SimpleUsageSubscriptions: a key is already attached; rotate it instead")
            sub.setKeyHash(keyHash)
            emit KeyIssued(id: id, keyHash: keyHash, provider: sub.provider)
        }

        /// Replaces the attached key hash.
        access(ManageKeys) fun rotateKey(id: UInt64, newKeyHash: String) {
            pre {
                SimpleUsageSubscriptions.isKeyHash(newKeyHash): "SimpleUsageSubscriptions: keyHash must be a sha256 hash, 64 lowercase hex characters"
            }
            let sub = self.borrowProvided(id)
            assert(sub.getStatus() != Status.Closed, message: "SimpleUsageSubscriptions: the subscription is closed")
            let old = sub.keyHash ?? panic("SimpleUsageSubscriptions: no key is attached to rotate")
            assert(old != newKeyHash, message: "SimpleUsageSubscriptions: the new key hash equals the current one")
            sub.setKeyHash(newKeyHash)
            emit KeyRotated(id: id, oldKeyHash: old, newKeyHash: newKeyHash, provider: sub.provider)
        }

        /// Detaches the key hash.
        access(ManageKeys) fun revokeKey(id: UInt64) {
            let sub = self.borrowProvided(id)
            SimpleUsageSubscriptions.revoke(sub, by: self.owner!.address)
        }

        /// Takes what the contract owes this provider but could not pay (no FlowToken receiver).
        access(ManageKeys) fun collectOwed(): @FlowToken.Vault {
            pre {
                self.owner != nil: "SimpleUsageSubscriptions: the Provider resource must be in the provider's storage"
            }
            return <- SimpleUsageSubscriptions.collect(self.owner!.address)
        }

        access(self) fun borrowProvided(_ id: UInt64): &Subscription {
            pre {
                self.owner != nil: "SimpleUsageSubscriptions: the Provider resource must be in the provider's storage"
            }
            let sub = SimpleUsageSubscriptions.borrowOrPanic(id)
            assert(sub.provider == self.owner!.address, message: "SimpleUsageSubscriptions: the signer is not this subscription's provider")
            return sub
        }
    }

    access(self) let subscriptions: @{UInt64: Subscription}
    access(self) let byCustomer: {Address: [UInt64]}
    access(self) let byProvider: {Address: [UInt64]}
    access(self) let escrow: @FlowToken.Vault
    /// What each provider has earned since its last payment.
    access(self) let owed: {Address: UFix64}

    /// The id the next subscription gets; ids are never reused.
    access(all) var nextId: UInt64
    access(all) var billingPeriod: UFix64
    access(all) var closeGracePeriod: UFix64
    /// Every usage window ending at or before this time has been settled.
    access(all) var settledThrough: UFix64

    // Only what moves tokens in or out is counted; what the vault holds for subscriptions (escrow)
    // and for providers (owed) is derived, so billing writes no totals per line.
    access(all) var totalDeposited: UFix64
    access(all) var totalPaid: UFix64
    access(all) var totalRefunded: UFix64

    /// A new Customer resource, to be saved at CustomerStoragePath.
    access(all) fun createCustomer(): @Customer {
        return <- create Customer()
    }

    /// A new Provider resource, to be saved at ProviderStoragePath.
    access(all) fun createProvider(): @Provider {
        return <- create Provider()
    }

    /// One subscription, or nil for an unknown id.
    access(all) view fun getSubscription(_ id: UInt64): SubscriptionInfo? {
        if let sub = &self.subscriptions[id] as &Subscription? {
            return sub.info(now: getCurrentBlock().timestamp)
        }
        return nil
    }

    /// Ids of the subscriptions a customer created, oldest first.
    access(all) view fun getCustomerSubscriptionIds(_ customer: Address): [UInt64] {
        return self.byCustomer[customer] ?? []
    }

    /// Ids of the subscriptions naming a provider, oldest first.
    access(all) view fun getProviderSubscriptionIds(_ provider: Address): [UInt64] {
        return self.byProvider[provider] ?? []
    }

    /// What the contract currently owes a provider (paid at the next settlement).
    access(all) view fun getOwed(_ provider: Address): UFix64 {
        return self.owed[provider] ?? 0.0
    }

    /// The contract's money ledger.
    access(all) view fun getTotals(): Totals {
        var owed = 0.0
        for amount in self.owed.values {
            owed = owed + amount
        }
        return Totals(
            deposited: self.totalDeposited,
            paidToProviders: self.totalPaid,
            owedToProviders: owed,
            refunded: self.totalRefunded,
            escrow: self.escrow.balance - owed,
            vaultBalance: self.escrow.balance
        )
    }

    /// True for 64 lowercase hex characters: the form the key service writes sha256 hashes in,
    /// so one key always has one spelling on chain.
    access(all) view fun isKeyHash(_ s: String): Bool {
        if s.length != 64 {
            return false
        }
        for b in s.utf8 {
            if !((b >= 48 && b <= 57) || (b >= 97 && b <= 102)) {
                return false
            }
        }
        return true
    }

    /// Starts subscription `id`'s new billing period if its current one has ended, which lifts a
    /// suspension for the period cap (SubscriptionPeriodStarted, SubscriptionResumed). Public on
    /// purpose, like a clock tick: it applies only the period rule, and a capped subscription's
    /// key is blocked, so no usage would ever come to roll the period through billing.
    access(all) fun startDuePeriod(_ id: UInt64) {
        let sub = (&self.subscriptions[id] as auth(Debit) &Subscription?) ?? panic("SimpleUsageSubscriptions: unknown subscription id")
        if sub.getStatus() != Status.Closed {
            sub.rollPeriod(now: getCurrentBlock().timestamp)
        }
    }

    /// A billing reference to subscription `id`, nil if unknown. Only this account's contracts can
    /// call it; UsageBasedSubscriptions exposes it solely through its Biller resource.
    access(account) view fun borrowForBilling(_ id: UInt64): auth(Debit) &Subscription? {
        return &self.subscriptions[id] as auth(Debit) &Subscription?
    }

    /// Pays every provider what it is owed, one transfer per provider. A provider without a
    /// FlowToken receiver keeps its money owed (collectable) instead of blocking the settlement.
    /// Returns the total paid.
    access(account) fun payProviders(): UFix64 {
        var paid = 0.0
        for provider in self.owed.keys {
            let amount = self.owed[provider]!
            // Borrowed as the concrete FlowToken vault: a custom receiver could panic and block
            // every other provider's payment.
            if let receiver = getAccount(provider).capabilities.borrow<&FlowToken.Vault>(/public/flowTokenReceiver) {
                self.owed.remove(key: provider)
                receiver.deposit(from: <-self.escrow.withdraw(amount: amount))
                paid = paid + amount
                emit ProviderPaid(provider: provider, amount: amount)
            } else {
                emit ProviderPaymentDeferred(provider: provider, amount: amount)
            }
        }
        self.totalPaid = self.totalPaid + paid
        return paid
    }

    /// Records that all usage up to `time` has been billed, which lets closing subscriptions
    /// finish before the grace period ends.
    access(account) fun markSettledThrough(_ time: UFix64) {
        if time > self.settledThrough {
            self.settledThrough = time
            emit UsageSettledThrough(time: time)
        }
    }

    /// Sets the billing period of every subscription (UsageBasedSubscriptions.Admin validates it).
    access(account) fun setBillingPeriod(_ seconds: UFix64) {
        pre {
            seconds >= 1.0: "SimpleUsageSubscriptions: the billing period must be at least one second"
        }
        self.billingPeriod = seconds
        emit BillingPeriodChanged(seconds: seconds)
    }

    /// Sets how long a closing subscription waits for a settlement before the customer may finish alone.
    access(account) fun setCloseGracePeriod(_ seconds: UFix64) {
        self.closeGracePeriod = seconds
        emit CloseGracePeriodChanged(seconds: seconds)
    }

    access(contract) fun open(customer: Address, provider: Address, deposit: @FlowToken.Vault, maxBudgetPerPeriod: UFix64?, allowedModels: [String]?): UInt64 {
        let id = self.nextId
        self.nextId = id + 1
        let amount = deposit.balance
        let now = getCurrentBlock().timestamp
        self.escrow.deposit(from: <-deposit)
        self.totalDeposited = self.totalDeposited + amount
        self.subscriptions[id] <-! create Subscription(id: id, customer: customer, provider: provider, deposit: amount, maxBudgetPerPeriod: maxBudgetPerPeriod, allowedModels: allowedModels, now: now)
        if let ids = &self.byCustomer[customer] as auth(Mutate) &[UInt64]? {
            ids.append(id)
        } else {
            self.byCustomer[customer] = [id]
        }
        if let ids = &self.byProvider[provider] as auth(Mutate) &[UInt64]? {
            ids.append(id)
        } else {
            self.byProvider[provider] = [id]
        }
        emit SubscriptionCreated(id: id, customer: customer, provider: provider, deposit: amount, maxBudgetPerPeriod: maxBudgetPerPeriod, allowedModels: allowedModels, periodStart: now)
        return id
    }

    access(contract) fun fund(_ sub: &Subscription, from: @FlowToken.Vault) {
        let amount = from.balance
        self.escrow.deposit(from: <-from)
        self.totalDeposited = self.totalDeposited + amount
        sub.addFunds(amount)
        emit SubscriptionToppedUp(id: sub.id, amount: amount, balance: sub.balance)
        sub.refreshSuspension()
    }

    access(contract) fun refund(_ sub: &Subscription, settled: Bool): @FlowToken.Vault {
        let amount = sub.markClosed()
        self.totalRefunded = self.totalRefunded + amount
        emit SubscriptionClosed(id: sub.id, refund: amount, settled: settled)
        return <- (self.escrow.withdraw(amount: amount) as! @FlowToken.Vault)
    }

    access(contract) fun collect(_ provider: Address): @FlowToken.Vault {
        let amount = self.owed.remove(key: provider) ?? 0.0
        self.totalPaid = self.totalPaid + amount
        emit ProviderPaid(provider: provider, amount: amount)
        return <- (self.escrow.withdraw(amount: amount) as! @FlowToken.Vault)
    }

    access(contract) fun revoke(_ sub: &Subscription, by: Address) {
        let old = sub.keyHash ?? panic("SimpleUsageSubscriptions: no key is attached to revoke")
        sub.setKeyHash(nil)
        emit KeyRevoked(id: sub.id, keyHash: old, by: by)
    }

    access(contract) view fun borrowOrPanic(_ id: UInt64): &Subscription {
        return (&self.subscriptions[id] as &Subscription?) ?? panic("SimpleUsageSubscriptions: unknown subscription id")
    }

    init() {
        self.CustomerStoragePath = /storage/flareFlowCustomer
        self.ProviderStoragePath = /storage/flareFlowProvider
        self.subscriptions <- {}
        self.byCustomer = {}
        self.byProvider = {}
        self.escrow <- FlowToken.createEmptyVault(vaultType: Type<@FlowToken.Vault>())
        self.owed = {}
        self.nextId = 1
        self.billingPeriod = 2_592_000.0
        self.closeGracePeriod = 3_600.0
        self.settledThrough = 0.0
        self.totalDeposited = 0.0
        self.totalPaid = 0.0
        self.totalRefunded = 0.0
    }
}
