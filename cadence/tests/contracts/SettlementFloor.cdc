/// Bench only (scripts/bench-flow-settlement.ts), never deployed outside the bench's emulator:
/// the least computation a settled line can cost on Flow (issue 20, item 2). Per line it does
/// only what no settlement can skip: find the subscription's escrow record, take the line's
/// FLOW amount from its balance and advance its period counter. No pricing (the amount comes
/// precomputed), no digest, no signature, no per-line status logic. The provider's side of the
/// move is one write per call (what the lines add up to), as a settlement needs no more.
///
/// The records have the product's layout (one resource per subscription in a contract
/// dictionary, as SimpleUsageSubscriptions keeps them), so the floor pays the same storage
/// reads and writes a real line must.
access(all) contract SettlementFloor {

    /// One line, with the fields SubscriptionCharged carries (the `withEvents` variant): what a
    /// line costs if the bill must stay readable from events.
    access(all) event LineMoved(id: UInt64, window: UInt64, family: String, tokens: UInt64, paidTokens: UInt64, cost: UFix64, charged: UFix64)

    access(all) resource Escrow {
        access(all) var balance: UFix64
        /// Tokens of the current period (the tier position the product keeps).
        access(all) var periodTokens: UInt64

        init(balance: UFix64) {
            self.balance = balance
            self.periodTokens = 0
        }

        access(contract) fun debit(amount: UFix64, tokens: UInt64) {
            self.balance = self.balance - amount
            self.periodTokens = self.periodTokens + tokens
        }
    }

    access(self) let escrows: @{UInt64: Escrow}
    /// What the charged lines moved to the provider's side, in total.
    access(all) var owed: UFix64
    /// The id the next opened record gets.
    access(all) var nextId: UInt64

    /// Opens `count` records with `balance` each; returns the first one's id.
    access(all) fun open(count: Int, balance: UFix64): UInt64 {
        let first = self.nextId
        var i = 0
        while i < count {
            self.escrows[self.nextId] <-! create Escrow(balance: balance)
            self.nextId = self.nextId + 1
            i = i + 1
        }
        return first
    }

    /// Moves each line's amount from its record's balance and advances its period counter.
    access(all) fun charge(window: UInt64, ids: [UInt64], families: [String], tokens: [UInt64], amounts: [UFix64], withEvents: Bool) {
        pre {
            ids.length == families.length && families.length == tokens.length && tokens.length == amounts.length: "SettlementFloor: the line columns differ in length"
        }
        var total = 0.0
        let n = ids.length
        var i = 0
        while i < n {
            let escrow = (&self.escrows[ids[i]] as &Escrow?) ?? panic("SettlementFloor: unknown record")
            escrow.debit(amount: amounts[i], tokens: tokens[i])
            total = total + amounts[i]
            if withEvents {
                emit LineMoved(id: ids[i], window: window, family: families[i], tokens: tokens[i], paidTokens: tokens[i], cost: amounts[i], charged: amounts[i])
            }
            i = i + 1
        }
        self.owed = self.owed + total
    }

    /// A record's balance and period counter, for the bench's check that the floor did its work.
    access(all) view fun record(_ id: UInt64): [AnyStruct] {
        let escrow = (&self.escrows[id] as &Escrow?) ?? panic("SettlementFloor: unknown record")
        return [escrow.balance, escrow.periodTokens]
    }

    init() {
        self.escrows <- {}
        self.owed = 0.0
        self.nextId = 1
    }
}
