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
/// The rules of money (DESIGN.md, "Usage that happened is paid"):
/// - verified usage is charged in full, up to the escrow; the period cap never discounts a charge,
///   reaching it suspends the subscription (and the key service blocks the key);
/// - a line counts in the billing period its usage window started in, whenever it is settled;
/// - only paid tokens advance the period's tier position;
/// - a subscription's billing period is fixed when it opens (a change applies to later ones).
///
/// Who may do what is decided by resources, never by an address argument:
/// - a `Customer` resource in the customer's storage manages the subscriptions created from it,
/// - a `Provider` resource in the provider's storage manages keys of subscriptions naming it,
/// - the `Admin` resource (this account's storage) sets the bounded escrow settings,
/// - billing goes through `borrowForBilling`, reachable only from this account's contracts
///   (UsageBasedSubscriptions hands it out through its one `Biller`).
access(all) contract SimpleUsageSubscriptions {

    /// Lets a customer create, fund, update and close their subscriptions.
    access(all) entitlement Manage
    /// Lets a provider attach, rotate and revoke key hashes, and collect deferred payments.
    access(all) entitlement ManageKeys
    /// Lets the billing contract debit a subscription.
    access(all) entitlement Debit
    /// Lets the admin change the escrow settings (each within its bounds).
    access(all) entitlement Configure

    access(all) let CustomerStoragePath: StoragePath
    access(all) let ProviderStoragePath: StoragePath
    access(all) let AdminStoragePath: StoragePath

    /// Bounds of the admin settings. Each keeps every arithmetic path on timestamps and amounts
    /// far from UFix64's range (about 1.8e11): a timestamp plus the longest period or grace fits.
    access(all) let MinBillingPeriod: UFix64
    access(all) let MaxBillingPeriod: UFix64
    access(all) let MaxCloseGracePeriod: UFix64
    access(all) let MinMinimumDeposit: UFix64
    access(all) let MaxMinimumDeposit: UFix64

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
    /// The billing period of subscriptions opened from now on (open ones keep theirs).
    access(all) event BillingPeriodChanged(seconds: UFix64)
    access(all) event CloseGracePeriodChanged(seconds: UFix64)
    access(all) event MinimumCloseGracePeriodChanged(seconds: UFix64)
    access(all) event MinimumDepositChanged(amount: UFix64)

    access(all) enum Status: UInt8 {
        access(all) case Active
        access(all) case Suspended
        access(all) case Closing
        access(all) case Closed
    }

    /// A read-only copy of a subscription, as of a given time: period counters already reset if
    /// the period has ended, so readers (the key service, the page) see the period `now` is in.
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
        /// This subscription's billing period (seconds), fixed when it opened.
        access(all) let billingPeriod: UFix64
        /// "escrow" or "cap" while suspended, nil otherwise.
        access(all) let suspendedFor: String?

        view init(id: UInt64, customer: Address, provider: Address, status: Status, balance: UFix64, deposited: UFix64, spent: UFix64, refunded: UFix64, maxBudgetPerPeriod: UFix64?, allowedModels: [String]?, createdAt: UFix64, periodStart: UFix64, periodEnd: UFix64, periodTokens: UInt64, periodSpent: UFix64, keyHash: String?, closeRequestedAt: UFix64?, closeGraceEndsAt: UFix64?, billingPeriod: UFix64, suspendedFor: String?) {
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
            self.billingPeriod = billingPeriod
            self.suspendedFor = suspendedFor
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

    /// The escrow settings a customer sees before subscribing.
    access(all) struct Settings {
        access(all) let billingPeriod: UFix64
        access(all) let closeGracePeriod: UFix64
        access(all) let minimumCloseGracePeriod: UFix64
        access(all) let minimumDeposit: UFix64

        view init(billingPeriod: UFix64, closeGracePeriod: UFix64, minimumCloseGracePeriod: UFix64, minimumDeposit: UFix64) {
            self.billingPeriod = billingPeriod
            self.closeGracePeriod = closeGracePeriod
            self.minimumCloseGracePeriod = minimumCloseGracePeriod
            self.minimumDeposit = minimumDeposit
        }
    }

    /// One subscription. It never leaves the contract's dictionary; callers get references whose
    /// entitlements decide what they may change.
    access(all) resource Subscription {
        access(all) let id: UInt64
        access(all) let customer: Address
        access(all) let provider: Address
        access(all) let createdAt: UFix64
        /// Fixed at creation: a later change of the contract's period never reprices open usage.
        access(all) let billingPeriod: UFix64
        /// The Status's raw value. Billing reads it on every line, and a UInt8 costs a fraction
        /// of an enum value there: 0 Active, 1 Suspended, 2 Closing, 3 Closed.
        access(all) var statusCode: UInt8
        access(all) var balance: UFix64
        access(all) var deposited: UFix64
        access(all) var refunded: UFix64
        access(all) var maxBudgetPerPeriod: UFix64?
        access(all) var allowedModels: [String]?
        /// The period the counters below belong to: that of the latest billed line's window.
        /// It moves only with billing, so a line settled late still counts in its own period.
        access(all) var periodStart: UFix64
        /// Paid tokens of that period (the tier position).
        access(all) var periodTokens: UInt64
        access(all) var periodSpent: UFix64
        access(all) var keyHash: String?
        access(all) var closeRequestedAt: UFix64?

        init(id: UInt64, customer: Address, provider: Address, deposit: UFix64, maxBudgetPerPeriod: UFix64?, allowedModels: [String]?, now: UFix64, billingPeriod: UFix64) {
            self.id = id
            self.customer = customer
            self.provider = provider
            self.createdAt = now
            self.billingPeriod = billingPeriod
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

        /// The start of the period `time` falls in: periods follow each other from the
        /// subscription's start in whole multiples of its billing period. A time before the
        /// counters' period counts in that period (usage never precedes its own period).
        access(all) view fun periodStartAt(_ time: UFix64): UFix64 {
            if time < self.periodStart + self.billingPeriod {
                return self.periodStart
            }
            // UFix64 division truncates, but never below the true quotient's integer part.
            let periods = UInt64((time - self.periodStart) / self.billingPeriod)
            return self.periodStart + UFix64(periods) * self.billingPeriod
        }

        /// The subscription's status.
        access(all) view fun getStatus(): Status {
            return Status(rawValue: self.statusCode)!
        }

        /// True while the customer can still fund, change or close it: active or suspended.
        access(all) view fun isOpen(): Bool {
            return self.statusCode <= 1 // Active or Suspended
        }

        /// True once the subscription is closed and refunded: billing leaves its lines uncharged.
        access(all) view fun isClosed(): Bool {
            return self.statusCode == 3 // Closed
        }

        /// The status as a word, for error messages.
        access(all) view fun statusName(): String {
            switch self.statusCode {
                case 0: return "active"
                case 1: return "suspended"
                case 2: return "closing"
            }
            return "closed"
        }

        /// True if the escrow is used up.
        access(all) view fun isExhausted(): Bool {
            return self.balance == 0.0
        }

        /// True if the period `now` is in has reached the cap. The counters count only while
        /// `now` is still in their period; a new period starts with nothing spent.
        access(all) view fun isCappedAt(_ now: UFix64): Bool {
            if let cap = self.maxBudgetPerPeriod {
                return now < self.periodStart + self.billingPeriod && self.periodSpent >= cap
            }
            return false
        }

        /// This subscription as billing would see it at `now`.
        access(all) view fun info(now: UFix64): SubscriptionInfo {
            let start = self.periodStartAt(now)
            let rolled = start != self.periodStart
            var status = self.getStatus()
            var reason: String? = nil
            if status == Status.Suspended {
                // A new period lifts a cap suspension; only an empty escrow keeps it.
                if self.isExhausted() {
                    reason = "escrow"
                } else if self.isCappedAt(now) {
                    reason = "cap"
                } else {
                    status = Status.Active
                }
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
                periodEnd: start + self.billingPeriod,
                periodTokens: rolled ? 0 : self.periodTokens,
                periodSpent: rolled ? 0.0 : self.periodSpent,
                keyHash: self.keyHash,
                closeRequestedAt: self.closeRequestedAt,
                closeGraceEndsAt: graceEnd,
                billingPeriod: self.billingPeriod,
                suspendedFor: reason
            )
        }

        /// Moves the counters to the period `windowStart` falls in (a no-op inside the current
        /// one) and returns that period's paid tokens, the tier position the line is priced at.
        /// Billing calls it before pricing a line, so the line counts in its own period.
        access(Debit) fun rollPeriodTo(_ windowStart: UFix64, now: UFix64): UInt64 {
            if windowStart < self.periodStart + self.billingPeriod {
                return self.periodTokens
            }
            let start = self.periodStartAt(windowStart)
            self.periodStart = start
            self.periodTokens = 0
            self.periodSpent = 0.0
            emit SubscriptionPeriodStarted(id: self.id, periodStart: start)
            self.refreshSuspension(now: now)
            return 0
        }

        /// Takes `amount` (the line's price, or the whole balance if that is less) from the
        /// balance and adds it to the provider's entry in `owed`, the running sums per provider
        /// of the settlement in progress, which the Biller adds to what the contract owes
        /// (`accrue`) once the report's lines are charged: one write per provider and report
        /// rather than one per line. `paidTokens` (the tokens that amount paid for) advance the
        /// tier position. Suspends when the escrow is used up or the cap of the current period
        /// reached. Returns whether the subscription is suspended after the line. This is the
        /// per-line hot path of a settlement of hundreds of lines: it writes three fields and
        /// one entry of `owed`, nothing more.
        access(Debit) fun debit(amount: UFix64, paidTokens: UInt64, now: UFix64, owed: auth(Mutate) &{Address: UFix64}): Bool {
            // Each field is read once, into a local: on this path every read costs every line of a
            // settlement. So the checks are asserts on those locals, not pre-conditions (which
            // would read the fields again), and there are no post-conditions (`before()` copies
            // state on every line). The conservation tests check the balances.
            let status = self.statusCode
            let balance = self.balance
            // `if` and `panic` rather than `assert`: an assert's message is built on every line.
            if status == 3 {
                panic("SimpleUsageSubscriptions: a closed subscription cannot be charged (subscription \(self.id))")
            }
            if amount > balance {
                panic("SimpleUsageSubscriptions: a charge cannot exceed the escrow (\(amount) FLOW charged, \(balance) FLOW in escrow)")
            }
            self.periodTokens = self.periodTokens.saturatingAdd(paidTokens)
            var left = balance
            if amount > 0.0 {
                left = balance - amount
                self.balance = left
                self.periodSpent = self.periodSpent + amount
                let provider = self.provider
                owed[provider] = (owed[provider] ?? 0.0) + amount
            }
            // Only an empty escrow or a reached cap can change the status.
            if status == 0 && (left == 0.0 || self.isCappedAt(now)) {
                self.refreshSuspension(now: now)
                return self.statusCode == 1
            }
            return status == 1
        }

        /// Moves between Active and Suspended after anything that changes the balance, the cap or
        /// the period; Closing and Closed are left alone (a closing subscription is still billed).
        access(contract) fun refreshSuspension(now: UFix64) {
            // only Active (0) and Suspended (1) move
            if self.statusCode > 1 {
                return
            }
            let exhausted = self.isExhausted()
            if exhausted || self.isCappedAt(now) {
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

    /// Sets the escrow settings, each within its bounds. Saved in the deploying account's storage.
    access(all) resource Admin {

        /// Sets the billing period (seconds) of subscriptions opened from now on.
        access(Configure) fun setBillingPeriod(seconds: UFix64) {
            pre {
                seconds >= SimpleUsageSubscriptions.MinBillingPeriod && seconds <= SimpleUsageSubscriptions.MaxBillingPeriod:
                    "SimpleUsageSubscriptions: the billing period must be between \(UInt64(SimpleUsageSubscriptions.MinBillingPeriod)) and \(UInt64(SimpleUsageSubscriptions.MaxBillingPeriod)) seconds, not \(seconds)"
            }
            SimpleUsageSubscriptions.billingPeriod = seconds
            emit BillingPeriodChanged(seconds: seconds)
        }

        /// Sets how long after a close request the customer may finish the close without a
        /// settlement. Never below the settlement latency (minimumCloseGracePeriod), or a
        /// customer could close after heavy use and escape the last window's bill.
        access(Configure) fun setCloseGracePeriod(seconds: UFix64) {
            pre {
                seconds >= SimpleUsageSubscriptions.minimumCloseGracePeriod:
                    "SimpleUsageSubscriptions: the close grace must cover the settlement latency (at least \(UInt64(SimpleUsageSubscriptions.minimumCloseGracePeriod)) seconds), not \(seconds)"
                seconds <= SimpleUsageSubscriptions.MaxCloseGracePeriod:
                    "SimpleUsageSubscriptions: the close grace is at most \(UInt64(SimpleUsageSubscriptions.MaxCloseGracePeriod)) seconds (30 days), not \(seconds)"
            }
            SimpleUsageSubscriptions.closeGracePeriod = seconds
            emit CloseGracePeriodChanged(seconds: seconds)
        }

        /// Sets the deposit that opens a subscription and resumes one whose escrow ran out.
        access(Configure) fun setMinimumDeposit(amount: UFix64) {
            pre {
                amount >= SimpleUsageSubscriptions.MinMinimumDeposit && amount <= SimpleUsageSubscriptions.MaxMinimumDeposit:
                    "SimpleUsageSubscriptions: the minimum deposit must be between \(SimpleUsageSubscriptions.MinMinimumDeposit) and \(SimpleUsageSubscriptions.MaxMinimumDeposit) FLOW, not \(amount)"
            }
            SimpleUsageSubscriptions.minimumDeposit = amount
            emit MinimumDepositChanged(amount: amount)
        }
    }

    /// Held in a customer's storage; proves who the customer is. Every call checks that the
    /// subscription was created by the account holding this resource.
    access(all) resource Customer {

        /// Opens a subscription to `provider`, escrowing `deposit`. Returns its id.
        access(Manage) fun createSubscription(provider: Address, deposit: @FlowToken.Vault, maxBudgetPerPeriod: UFix64?, allowedModels: [String]?): UInt64 {
            pre {
                self.owner != nil: "SimpleUsageSubscriptions: the Customer resource must be in the customer's storage"
                deposit.balance >= SimpleUsageSubscriptions.minimumDeposit:
                    "SimpleUsageSubscriptions: the deposit must be at least the minimum deposit of \(SimpleUsageSubscriptions.minimumDeposit) FLOW, not \(deposit.balance)"
                maxBudgetPerPeriod == nil || maxBudgetPerPeriod! > 0.0: "SimpleUsageSubscriptions: the period budget must be positive (nil for no cap)"
                allowedModels == nil || allowedModels!.length > 0: "SimpleUsageSubscriptions: allowedModels must name at least one model (nil allows all)"
            }
            return SimpleUsageSubscriptions.open(customer: self.owner!.address, provider: provider, deposit: <-deposit, maxBudgetPerPeriod: maxBudgetPerPeriod, allowedModels: allowedModels)
        }

        /// Adds `from` to the escrow of subscription `id`. An escrow that ran out resumes only
        /// with at least the minimum deposit (a dust top-up would reopen a key for nothing).
        access(Manage) fun topUp(id: UInt64, from: @FlowToken.Vault) {
            pre {
                from.balance > 0.0: "SimpleUsageSubscriptions: the top-up amount must be positive"
            }
            let sub = self.borrowOwn(id)
            if !sub.isOpen() {
                panic("SimpleUsageSubscriptions: only an open subscription can be topped up (subscription \(id) is \(sub.statusName()))")
            }
            if sub.isExhausted() && from.balance < SimpleUsageSubscriptions.minimumDeposit {
                panic("SimpleUsageSubscriptions: the escrow ran out; resume it with at least the minimum deposit of \(SimpleUsageSubscriptions.minimumDeposit) FLOW, not \(from.balance)")
            }
            SimpleUsageSubscriptions.fund(sub, from: <-from)
        }

        /// Replaces the period budget (nil: no cap) and the allowed models (nil: all models).
        /// Takes effect at once for access, never for what is owed: usage already made is
        /// charged in full, and a cap at or below this period's spend suspends the subscription.
        access(Manage) fun update(id: UInt64, maxBudgetPerPeriod: UFix64?, allowedModels: [String]?) {
            pre {
                maxBudgetPerPeriod == nil || maxBudgetPerPeriod! > 0.0: "SimpleUsageSubscriptions: the period budget must be positive (nil for no cap)"
                allowedModels == nil || allowedModels!.length > 0: "SimpleUsageSubscriptions: allowedModels must name at least one model (nil allows all)"
            }
            let sub = self.borrowOwn(id)
            if !sub.isOpen() {
                panic("SimpleUsageSubscriptions: only an open subscription can be updated (subscription \(id) is \(sub.statusName()))")
            }
            sub.setLimits(maxBudgetPerPeriod: maxBudgetPerPeriod, allowedModels: allowedModels)
            emit SubscriptionUpdated(id: id, maxBudgetPerPeriod: maxBudgetPerPeriod, allowedModels: allowedModels)
            sub.refreshSuspension(now: getCurrentBlock().timestamp)
        }

        /// Stops new usage. Windows before this moment are still billed; the refund waits for
        /// them (see finishClose).
        access(Manage) fun requestClose(id: UInt64) {
            let sub = self.borrowOwn(id)
            if !sub.isOpen() {
                panic("SimpleUsageSubscriptions: the subscription is not open (already closing or closed): subscription \(id) is \(sub.statusName())")
            }
            let now = getCurrentBlock().timestamp
            sub.markClosing(now: now)
            emit SubscriptionCloseRequested(id: id, requestedAt: now, graceEndsAt: now + SimpleUsageSubscriptions.closeGracePeriod)
        }

        /// Refunds what is unbilled and closes. Allowed once usage up to the close request has
        /// been settled, or, if no settlement came, once the grace period has passed: the
        /// provider is never cheated of usage that happened before the close.
        access(Manage) fun finishClose(id: UInt64): @FlowToken.Vault {
            let sub = self.borrowOwn(id)
            if sub.isClosed() {
                panic("SimpleUsageSubscriptions: the subscription is already closed (subscription \(id))")
            }
            if sub.getStatus() != Status.Closing {
                panic("SimpleUsageSubscriptions: request the close first (subscription \(id) is \(sub.statusName()))")
            }
            let requested = sub.closeRequestedAt!
            let settled = SimpleUsageSubscriptions.settledThrough >= requested
            if !settled && getCurrentBlock().timestamp < requested + SimpleUsageSubscriptions.closeGracePeriod {
                panic("SimpleUsageSubscriptions: usage before the close is not settled yet and the grace period has not passed (it ends at \(requested + SimpleUsageSubscriptions.closeGracePeriod), the block is at \(getCurrentBlock().timestamp))")
            }
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
            if sub.customer != self.owner!.address {
                panic("SimpleUsageSubscriptions: the signer is not this subscription's customer (subscription \(id) belongs to \(sub.customer), the signer is \(self.owner!.address))")
            }
            return sub
        }
    }

    /// Held in a provider's storage; proves who the provider is for key management.
    access(all) resource Provider {

        /// Attaches the sha256 hash (64 lowercase hex characters) of the subscription's key. A
        /// malformed hash is refused by its length only: it could be the key itself, which an
        /// error message would carry into logs.
        access(ManageKeys) fun issueKey(id: UInt64, keyHash: String) {
            pre {
                SimpleUsageSubscriptions.isKeyHash(keyHash): "SimpleUsageSubscriptions: keyHash must be a sha256 hash, 64 lowercase hex characters (got \(keyHash.length) characters)"
            }
            let sub = self.borrowProvided(id)
            if sub.isClosed() {
                panic("SimpleUsageSubscriptions: the subscription is closed (subscription \(id))")
            }
            if sub.keyHash != nil {
                panic("SimpleUsageSubscriptions: a key is already attached; rotate it instead (subscription \(id))")
            }
            self.attachNew(sub, keyHash)
        }

        /// Attaches the first key of many subscriptions at once: `keyHashes[i]` to `ids[i]`. A
        /// subscription that closed or got a key since the provider read it is skipped, so one
        /// customer's close cannot hold up everyone else's key; KeyIssued (and the returned ids)
        /// say which were attached. A malformed hash, or an id that is unknown or another
        /// provider's, refuses the whole batch.
        access(ManageKeys) fun issueKeys(ids: [UInt64], keyHashes: [String]): [UInt64] {
            pre {
                ids.length == keyHashes.length: "SimpleUsageSubscriptions: \(ids.length) subscription ids but \(keyHashes.length) key hashes"
            }
            let attached: [UInt64] = []
            for i, id in ids {
                let keyHash = keyHashes[i]
                if !SimpleUsageSubscriptions.isKeyHash(keyHash) {
                    panic("SimpleUsageSubscriptions: keyHash of subscription \(id) must be a sha256 hash, 64 lowercase hex characters (got \(keyHash.length) characters)")
                }
                let sub = self.borrowProvided(id)
                if sub.isClosed() || sub.keyHash != nil {
                    continue
                }
                self.attachNew(sub, keyHash)
                attached.append(id)
            }
            return attached
        }

        /// Replaces the attached key hash.
        access(ManageKeys) fun rotateKey(id: UInt64, newKeyHash: String) {
            pre {
                SimpleUsageSubscriptions.isKeyHash(newKeyHash): "SimpleUsageSubscriptions: keyHash must be a sha256 hash, 64 lowercase hex characters (got \(newKeyHash.length) characters)"
            }
            let sub = self.borrowProvided(id)
            if sub.isClosed() {
                panic("SimpleUsageSubscriptions: the subscription is closed (subscription \(id))")
            }
            let old = sub.keyHash ?? panic("SimpleUsageSubscriptions: no key is attached to rotate (subscription \(id))")
            if old == newKeyHash {
                panic("SimpleUsageSubscriptions: the new key hash equals the current one (subscription \(id))")
            }
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

        access(self) fun attachNew(_ sub: &Subscription, _ keyHash: String) {
            sub.setKeyHash(keyHash)
            emit KeyIssued(id: sub.id, keyHash: keyHash, provider: sub.provider)
        }

        access(self) fun borrowProvided(_ id: UInt64): &Subscription {
            pre {
                self.owner != nil: "SimpleUsageSubscriptions: the Provider resource must be in the provider's storage"
            }
            let sub = SimpleUsageSubscriptions.borrowOrPanic(id)
            if sub.provider != self.owner!.address {
                panic("SimpleUsageSubscriptions: the signer is not this subscription's provider (subscription \(id) names \(sub.provider), the signer is \(self.owner!.address))")
            }
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
    /// The billing period of subscriptions opened from now on (seconds).
    access(all) var billingPeriod: UFix64
    access(all) var closeGracePeriod: UFix64
    /// The worst-case latency from a window's end to its settlement, as FlareFDCTriggers
    /// computes it for its window length: the close grace is never shorter.
    access(all) var minimumCloseGracePeriod: UFix64
    /// What opens a subscription, and resumes one whose escrow ran out.
    access(all) var minimumDeposit: UFix64
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

    /// True once any subscription was opened (closed ones included: ids are never reused).
    access(all) view fun hasSubscriptions(): Bool {
        return self.nextId > 1
    }

    /// The escrow settings in force.
    access(all) view fun getSettings(): Settings {
        return Settings(billingPeriod: self.billingPeriod, closeGracePeriod: self.closeGracePeriod, minimumCloseGracePeriod: self.minimumCloseGracePeriod, minimumDeposit: self.minimumDeposit)
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

    /// Lifts a cap suspension once the period it was reached in has ended (SubscriptionResumed).
    /// Public on purpose, like a clock tick: it applies only the period rule, and a capped
    /// subscription's key is blocked, so no usage would ever come to move it through billing.
    /// The counters stay with their period: a late line of that period still counts there.
    access(all) fun startDuePeriod(_ id: UInt64) {
        let sub = (&self.subscriptions[id] as &Subscription?) ?? panic("SimpleUsageSubscriptions: unknown subscription id \(id)")
        sub.refreshSuspension(now: getCurrentBlock().timestamp)
    }

    /// A billing reference to subscription `id`, nil if unknown. Only this account's contracts can
    /// call it; UsageBasedSubscriptions exposes it solely through its Biller resource.
    access(account) view fun borrowForBilling(_ id: UInt64): auth(Debit) &Subscription? {
        return &self.subscriptions[id]
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
                let _ = self.owed.remove(key: provider)
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

    /// Adds what a settlement's lines took from escrow, summed per provider by `debit`, to what
    /// each provider is owed (paid at the settlement's end). The Biller calls it at the end of
    /// every batch it charges, before anything reads `owed`.
    access(account) fun accrue(_ sums: {Address: UFix64}) {
        for provider in sums.keys {
            self.owed[provider] = (self.owed[provider] ?? 0.0) + sums[provider]!
        }
    }

    /// Records that all usage up to `time` has been billed, which lets closing subscriptions
    /// finish before the grace period ends.
    access(account) fun markSettledThrough(_ time: UFix64) {
        if time > self.settledThrough {
            self.settledThrough = time
            emit UsageSettledThrough(time: time)
        }
    }

    /// Sets the settlement latency bound the close grace must cover (FlareFDCTriggers calls it
    /// when its window length is set). Refused if the close grace in force is shorter.
    access(account) fun setMinimumCloseGracePeriod(_ seconds: UFix64) {
        pre {
            seconds <= self.closeGracePeriod:
                "SimpleUsageSubscriptions: the close grace (\(UInt64(self.closeGracePeriod)) s) is shorter than the settlement latency at this window length (\(UInt64(seconds)) s); raise it first"
        }
        self.minimumCloseGracePeriod = seconds
        emit MinimumCloseGracePeriodChanged(seconds: seconds)
    }

    access(contract) fun open(customer: Address, provider: Address, deposit: @FlowToken.Vault, maxBudgetPerPeriod: UFix64?, allowedModels: [String]?): UInt64 {
        let id = self.nextId
        self.nextId = id + 1
        let amount = deposit.balance
        let now = getCurrentBlock().timestamp
        self.escrow.deposit(from: <-deposit)
        self.totalDeposited = self.totalDeposited + amount
        self.subscriptions[id] <-! create Subscription(id: id, customer: customer, provider: provider, deposit: amount, maxBudgetPerPeriod: maxBudgetPerPeriod, allowedModels: allowedModels, now: now, billingPeriod: self.billingPeriod)
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
        sub.refreshSuspension(now: getCurrentBlock().timestamp)
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
        let old = sub.keyHash ?? panic("SimpleUsageSubscriptions: no key is attached to revoke (subscription \(sub.id))")
        sub.setKeyHash(nil)
        emit KeyRevoked(id: sub.id, keyHash: old, by: by)
    }

    access(contract) view fun borrowOrPanic(_ id: UInt64): &Subscription {
        return (&self.subscriptions[id] as &Subscription?) ?? panic("SimpleUsageSubscriptions: unknown subscription id \(id)")
    }

    init() {
        self.CustomerStoragePath = /storage/flareFlowCustomer
        self.ProviderStoragePath = /storage/flareFlowProvider
        self.AdminStoragePath = /storage/flareFlowEscrowAdmin
        self.MinBillingPeriod = 60.0
        self.MaxBillingPeriod = 31_622_400.0 // 366 days
        self.MaxCloseGracePeriod = 2_592_000.0 // 30 days
        self.MinMinimumDeposit = 0.01
        self.MaxMinimumDeposit = 10_000.0
        self.subscriptions <- {}
        self.byCustomer = {}
        self.byProvider = {}
        self.escrow <- FlowToken.createEmptyVault(vaultType: Type<@FlowToken.Vault>())
        self.owed = {}
        self.nextId = 1
        self.billingPeriod = 2_592_000.0
        self.closeGracePeriod = 3_600.0
        // FlareFDCTriggers sets the real bound at deployment; this is its value for 5-minute windows.
        self.minimumCloseGracePeriod = 2_400.0
        self.minimumDeposit = 1.0
        self.settledThrough = 0.0
        self.totalDeposited = 0.0
        self.totalPaid = 0.0
        self.totalRefunded = 0.0
        self.account.storage.save(<- create Admin(), to: self.AdminStoragePath)
    }
}
