import Test
import "SimpleUsageSubscriptions"
import "BillingHarness"

/// The account all four project contracts live on (flow.json "testing" alias).
access(all) let contractAccount = Test.getAccount(0x0000000000000007)

/// Deploys both contracts of this issue, in dependency order.
access(all) fun deployAll() {
    Test.expect(Test.deployContract(name: "SimpleUsageSubscriptions", path: "../contracts/SimpleUsageSubscriptions.cdc", arguments: []), Test.beNil())
    Test.expect(Test.deployContract(name: "UsageBasedSubscriptions", path: "../contracts/UsageBasedSubscriptions.cdc", arguments: []), Test.beNil())
}

access(all) fun txCode(_ name: String): String {
    return Test.readFile("../transactions/".concat(name).concat(".cdc"))
}

access(all) fun scriptCode(_ name: String): String {
    return Test.readFile("../scripts/".concat(name).concat(".cdc"))
}

/// Runs transaction `name` (path under cadence/transactions, no extension) signed by `signer`.
access(all) fun tx(_ name: String, _ signer: Test.TestAccount, _ args: [AnyStruct]): Test.TransactionResult {
    return Test.executeTransaction(Test.Transaction(code: txCode(name), authorizers: [signer.address], signers: [signer], arguments: args))
}

/// Runs transaction `name` and fails the test unless it succeeds.
access(all) fun txOk(_ name: String, _ signer: Test.TestAccount, _ args: [AnyStruct]) {
    let result = tx(name, signer, args)
    if result.error != nil {
        panic(name.concat(" failed: ").concat(result.error!.message))
    }
}

/// Runs transaction `name` and fails the test unless it fails with `message` in its error.
access(all) fun txFails(_ name: String, _ signer: Test.TestAccount, _ args: [AnyStruct], _ message: String) {
    expectError(tx(name, signer, args), message)
}

/// Fails the test unless `result` failed with `message` in its error; shows the real error if not.
access(all) fun expectError(_ result: {Test.Result}, _ message: String) {
    if result.error == nil {
        panic("expected failure with: ".concat(message))
    }
    let text = result.error!.message
    var i = 0
    while i + message.length <= text.length {
        if text.slice(from: i, upTo: i + message.length) == message {
            return
        }
        i = i + 1
    }
    panic("expected: ".concat(message).concat("\ngot: ").concat(text))
}

/// Runs script `name` (under cadence/scripts) and returns its value; fails the test on error.
access(all) fun script(_ name: String, _ args: [AnyStruct]): AnyStruct? {
    let result = Test.executeScript(scriptCode(name), args)
    if result.error != nil {
        panic(name.concat(" failed: ").concat(result.error!.message))
    }
    return result.returnValue
}

/// A new account holding `amount` FLOW from the service account.
access(all) fun newAccount(_ amount: UFix64): Test.TestAccount {
    let account = Test.createAccount()
    if amount > 0.0 {
        fund(account, amount)
    }
    return account
}

access(all) fun fund(_ account: Test.TestAccount, _ amount: UFix64) {
    let result = Test.executeTransaction(Test.Transaction(
        code: txCode("testing/fund_account"),
        authorizers: [Test.serviceAccount().address],
        signers: [Test.serviceAccount()],
        arguments: [account.address, amount]
    ))
    Test.expect(result, Test.beSucceeded())
}

access(all) fun flowBalance(_ account: Test.TestAccount): UFix64 {
    return script("testing/flow_balance", [account.address])! as! UFix64
}

access(all) fun now(): UFix64 {
    return script("testing/current_time", [])! as! UFix64
}

/// Runs `code` (inline transaction source) signed by `signers`.
access(all) fun txInline(_ code: String, _ signers: [Test.TestAccount], _ args: [AnyStruct]): Test.TransactionResult {
    let authorizers: [Address] = []
    for signer in signers {
        authorizers.append(signer.address)
    }
    return Test.executeTransaction(Test.Transaction(code: code, authorizers: authorizers, signers: signers, arguments: args))
}

/// Deploys the test-only BillingHarness in place of FlareFDCTriggers: it takes the one Biller.
access(all) fun deployHarness() {
    Test.expect(Test.deployContract(name: "BillingHarness", path: "contracts/BillingHarness.cdc", arguments: []), Test.beNil())
}

/// Charges lines through the harness's Biller under the pricing and period of `windowStart`,
/// and settles through `usageThrough`.
access(all) fun chargeAt(_ ids: [UInt64], _ families: [String], _ tokens: [UInt64], windowStart: UFix64, usageThrough: UFix64) {
    let result = Test.executeTransaction(Test.Transaction(code: Test.readFile("transactions/charge_lines.cdc"), authorizers: [], signers: [Test.createAccount()], arguments: [ids, families, tokens, windowStart, usageThrough]))
    if result.error != nil {
        panic("charge_lines failed: ".concat(result.error!.message))
    }
}

/// Charges lines as usage of a window starting now (pricing and period of this moment).
access(all) fun bill(_ ids: [UInt64], _ families: [String], _ tokens: [UInt64]) {
    let t = now()
    chargeAt(ids, families, tokens, windowStart: t, usageThrough: t)
}

/// The harness's per-line results of the last charge, in line order.
access(all) fun lastLines(_ n: Int): [BillingHarness.LineCharged] {
    let all = Test.eventsOfType(Type<BillingHarness.LineCharged>())
    let out: [BillingHarness.LineCharged] = []
    var i = all.length - n
    while i < all.length {
        out.append(all[i] as! BillingHarness.LineCharged)
        i = i + 1
    }
    return out
}

/// Parses a UFix64 written as in pricing-vectors.json.
access(all) fun ufix(_ s: String): UFix64 {
    return UFix64.fromString(s) ?? panic("not a UFix64: ".concat(s))
}

/// The rows of one section ("default" or "custom") of test/unit/pricing-vectors.json, each row's
/// fields with quotes and spaces removed (the notes are not needed here).
access(all) fun vectorRows(_ section: String): [[String]] {
    let text = Test.readFile("../../test/unit/pricing-vectors.json")
    let rows: [[String]] = []
    var inSection = false
    for line in text.split(separator: "\n") {
        if line == "  \"".concat(section).concat("\": [") {
            inSection = true
            continue
        }
        if inSection && line.length >= 3 && line.slice(from: 0, upTo: 3) == "  ]" {
            break
        }
        if inSection && line.length > 5 {
            let bare = line.replaceAll(of: "[", with: "").replaceAll(of: "]", with: "").replaceAll(of: "\"", with: "")
            let fields: [String] = []
            for field in bare.split(separator: ",") {
                fields.append(field.replaceAll(of: " ", with: ""))
            }
            rows.append(fields)
        }
    }
    return rows
}

access(all) fun info(_ id: UInt64): SimpleUsageSubscriptions.SubscriptionInfo {
    return script("subscriptions/get_subscription", [id])! as! SimpleUsageSubscriptions.SubscriptionInfo
}

/// A subscription's whole state as text, to assert that a failed call changed nothing.
access(all) fun stateText(_ id: UInt64): String {
    let i = info(id)
    var models = "all"
    if let list = i.allowedModels {
        models = ""
        for m in list {
            models = models.concat(m).concat(",")
        }
    }
    return i.status.rawValue.toString()
        .concat(" balance=").concat(i.balance.toString())
        .concat(" deposited=").concat(i.deposited.toString())
        .concat(" spent=").concat(i.spent.toString())
        .concat(" refunded=").concat(i.refunded.toString())
        .concat(" cap=").concat(i.maxBudgetPerPeriod?.toString() ?? "none")
        .concat(" models=").concat(models)
        .concat(" key=").concat(i.keyHash ?? "none")
        .concat(" close=").concat(i.closeRequestedAt?.toString() ?? "none")
        .concat(" periodTokens=").concat(i.periodTokens.toString())
        .concat(" periodSpent=").concat(i.periodSpent.toString())
}

/// Money is conserved: deposits = paid + owed + refunds + escrow, the vault holds owed + escrow,
/// and escrow is the sum of every subscription's balance.
access(all) fun assertConserved() {
    let t = script("subscriptions/testing/get_totals", [])! as! SimpleUsageSubscriptions.Totals
    Test.assertEqual(t.deposited, t.paidToProviders + t.owedToProviders + t.refunded + t.escrow)
    Test.assertEqual(t.vaultBalance, t.owedToProviders + t.escrow)
    var sum = 0.0
    var id: UInt64 = 1
    while true {
        let value = script("subscriptions/get_subscription", [id])
        if value == nil {
            break
        }
        sum = sum + (value! as! SimpleUsageSubscriptions.SubscriptionInfo).balance
        id = id + 1
    }
    Test.assertEqual(t.escrow, sum)
}

/// Creates a subscription and returns its id (from the SubscriptionCreated event).
access(all) fun subscribe(_ customer: Test.TestAccount, _ provider: Test.TestAccount, _ deposit: UFix64, cap: UFix64?, models: [String]?): UInt64 {
    txOk("subscriptions/create_subscription", customer, [provider.address, deposit, cap, models])
    let created = Test.eventsOfType(Type<SimpleUsageSubscriptions.SubscriptionCreated>()).removeLast() as! SimpleUsageSubscriptions.SubscriptionCreated
    return created.id
}

access(all) let hashA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
access(all) let hashB = "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"
