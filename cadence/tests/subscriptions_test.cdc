import Test
import "test_helpers.cdc"
import "SimpleUsageSubscriptions"
import "UsageBasedSubscriptions"

access(all) let customer = Test.createAccount()
access(all) let provider = Test.createAccount()
access(all) let stranger = Test.createAccount()

// The test framework cannot pass an empty array argument, so these carry [] in their code.
access(all) let emptyModelsCreate = "import \"FungibleToken\"\nimport \"FlowToken\"\nimport \"SimpleUsageSubscriptions\"\ntransaction(provider: Address) { prepare(s: auth(BorrowValue) &Account) {\n let c = s.storage.borrow<auth(SimpleUsageSubscriptions.Manage) &SimpleUsageSubscriptions.Customer>(from: SimpleUsageSubscriptions.CustomerStoragePath)!\n let v <- s.storage.borrow<auth(FungibleToken.Withdraw) &FlowToken.Vault>(from: /storage/flowTokenVault)!.withdraw(amount: 1.0) as! @FlowToken.Vault\n c.createSubscription(provider: provider, deposit: <-v, maxBudgetPerPeriod: nil, allowedModels: []) } }"
access(all) let emptyModelsUpdate = "import \"SimpleUsageSubscriptions\"\ntransaction(id: UInt64) { prepare(s: auth(BorrowValue) &Account) {\n s.storage.borrow<auth(SimpleUsageSubscriptions.Manage) &SimpleUsageSubscriptions.Customer>(from: SimpleUsageSubscriptions.CustomerStoragePath)!.update(id: id, maxBudgetPerPeriod: nil, allowedModels: []) } }"

// A Customer used straight from the contract, never saved: it has no owner.
access(all) let unsavedCustomerCreate = "import \"FungibleToken\"\nimport \"FlowToken\"\nimport \"SimpleUsageSubscriptions\"\ntransaction(provider: Address) { prepare(s: auth(BorrowValue) &Account) {\n let c <- SimpleUsageSubscriptions.createCustomer()\n let v <- s.storage.borrow<auth(FungibleToken.Withdraw) &FlowToken.Vault>(from: /storage/flowTokenVault)!.withdraw(amount: 1.0) as! @FlowToken.Vault\n c.createSubscription(provider: provider, deposit: <-v, maxBudgetPerPeriod: nil, allowedModels: nil)\n destroy c } }"

// A Provider used straight from the contract, never saved: it has no owner either.
access(all) let unsavedProviderIssue = "import \"SimpleUsageSubscriptions\"\ntransaction(id: UInt64, keyHash: String) { prepare(s: &Account) {\n let p <- SimpleUsageSubscriptions.createProvider()\n p.issueKey(id: id, keyHash: keyHash)\n destroy p } }"
access(all) let unsavedProviderCollect = "import \"SimpleUsageSubscriptions\"\ntransaction { prepare(s: &Account) {\n let p <- SimpleUsageSubscriptions.createProvider()\n destroy p.collectOwed()\n destroy p } }"

access(all) fun setup() {
    deployAll()
    fund(customer, 1_000.0)
    fund(stranger, 1_000.0)
}

access(all) fun testCreateEscrowsTheDeposit() {
    let before = flowBalance(customer)
    let id = subscribe(customer, provider, 25.0, cap: 10.0, models: ["gpt-4o", "claude-3-opus"])
    let ev = Test.eventsOfType(Type<SimpleUsageSubscriptions.SubscriptionCreated>()).removeLast() as! SimpleUsageSubscriptions.SubscriptionCreated
    Test.assertEqual(customer.address, ev.customer)
    Test.assertEqual(provider.address, ev.provider)
    Test.assertEqual(25.0, ev.deposit)
    Test.assertEqual(10.0, ev.maxBudgetPerPeriod!)
    Test.assertEqual(before - 25.0, flowBalance(customer))
    let i = info(id)
    Test.assertEqual(SimpleUsageSubscriptions.Status.Active, i.status)
    Test.assertEqual(25.0, i.balance)
    Test.assertEqual(25.0, i.deposited)
    Test.assertEqual(["gpt-4o", "claude-3-opus"], i.allowedModels!)
    Test.assertEqual(i.createdAt + 2_592_000.0, i.periodEnd)
    Test.assertEqual(nil, i.keyHash)
    assertConserved()
}

access(all) fun testIdsAreUniqueAndListedByCustomerAndProvider() {
    let c = newAccount(100.0)
    let p = Test.createAccount()
    let a = subscribe(c, p, 1.0, cap: nil, models: nil)
    let b = subscribe(c, p, 2.0, cap: nil, models: nil)
    let other = subscribe(stranger, p, 3.0, cap: nil, models: nil)
    Test.assert(a != b && b != other && a != other, message: "ids must be unique")
    let mine = script("subscriptions/get_customer_subscriptions", [c.address])! as! [SimpleUsageSubscriptions.SubscriptionInfo]
    Test.assertEqual(2, mine.length)
    Test.assertEqual(a, mine[0].id)
    Test.assertEqual(2.0, mine[1].balance)
    let provided = script("subscriptions/get_provider_subscriptions", [p.address])! as! [SimpleUsageSubscriptions.SubscriptionInfo]
    Test.assertEqual(3, provided.length)
    Test.assertEqual(other, provided[2].id)
    Test.assertEqual(0, (script("subscriptions/get_customer_subscriptions", [p.address])! as! [SimpleUsageSubscriptions.SubscriptionInfo]).length)
    Test.assertEqual(nil, script("subscriptions/get_subscription", [999_999 as UInt64]))
}

access(all) fun testDepositBelowTheMinimumIsRejected() {
    let next = info(1).id
    let count = Test.eventsOfType(Type<SimpleUsageSubscriptions.SubscriptionCreated>()).length
    let before = flowBalance(customer)
    txFails("subscriptions/create_subscription", customer, [provider.address, 0.0, nil, nil], "SimpleUsageSubscriptions: the deposit must be at least the minimum deposit of 1.00000000 FLOW, not 0.00000000")
    // a dust subscription would get a key with no limit until its first settlement
    txFails("subscriptions/create_subscription", customer, [provider.address, 0.00000001, nil, nil], "SimpleUsageSubscriptions: the deposit must be at least the minimum deposit of 1.00000000 FLOW, not 0.00000001")
    txFails("subscriptions/create_subscription", customer, [provider.address, 0.99999999, nil, nil], "SimpleUsageSubscriptions: the deposit must be at least the minimum deposit of 1.00000000 FLOW, not 0.99999999")
    txFails("subscriptions/create_subscription", customer, [provider.address, 1.0, 0.0, nil], "SimpleUsageSubscriptions: the period budget must be positive (nil for no cap)")
    expectError(txInline(emptyModelsCreate, [customer], [provider.address]), "SimpleUsageSubscriptions: allowedModels must name at least one model (nil allows all)")
    Test.assertEqual(count, Test.eventsOfType(Type<SimpleUsageSubscriptions.SubscriptionCreated>()).length)
    Test.assertEqual(before, flowBalance(customer))
    assertConserved()
}

access(all) fun testTheSmallestLimitsAreAccepted() {
    // The refusals above stop at zero and at an empty list: one unit of budget and one model are limits.
    let id = subscribe(customer, provider, 1.0, cap: 0.00000001, models: ["gpt-4o"])
    Test.assertEqual(0.00000001, info(id).maxBudgetPerPeriod!)
    Test.assertEqual(["gpt-4o"], info(id).allowedModels!)
    txOk("subscriptions/update_subscription", customer, [id, 0.00000002, ["claude-3-opus"]])
    Test.assertEqual(0.00000002, info(id).maxBudgetPerPeriod!)
    Test.assertEqual(["claude-3-opus"], info(id).allowedModels!)
    assertConserved()
}

access(all) fun testACustomerOutsideStorageCannotSubscribe() {
    // Whose subscription it would be is read from the resource's owner: without one there is no customer.
    let count = Test.eventsOfType(Type<SimpleUsageSubscriptions.SubscriptionCreated>()).length
    let before = flowBalance(customer)
    expectError(txInline(unsavedCustomerCreate, [customer], [provider.address]), "SimpleUsageSubscriptions: the Customer resource must be in the customer's storage")
    Test.assertEqual(count, Test.eventsOfType(Type<SimpleUsageSubscriptions.SubscriptionCreated>()).length)
    Test.assertEqual(before, flowBalance(customer))
}

// Calls on a resource (`resourceName`, qualified by its contract) a stranger borrows from its holder's public path, as an unauthorized reference.
access(all) fun strangerCalls(_ resourceName: String, _ publicPath: String, _ call: String): String {
    return "import \"FungibleToken\"\nimport \"FlowToken\"\nimport \"SimpleUsageSubscriptions\"\nimport \"UsageBasedSubscriptions\"\ntransaction(owner: Address, id: UInt64) { prepare(s: auth(BorrowValue) &Account) {\n let c = getAccount(owner).capabilities.borrow<&"
        .concat(resourceName).concat(">(").concat(publicPath).concat(")!\n let pay = fun(): @FlowToken.Vault { return <- (s.storage.borrow<auth(FungibleToken.Withdraw) &FlowToken.Vault>(from: /storage/flowTokenVault)!.withdraw(amount: 1.0) as! @FlowToken.Vault) }\n ")
        .concat(call).concat("\n } }")
}

// Publishes a plain reference to the signer's `resourceName` (stored at `storagePath`) at `publicPath`.
access(all) fun publishPlainReference(_ holder: Test.TestAccount, _ resourceName: String, _ storagePath: String, _ publicPath: String) {
    let code = "import \"SimpleUsageSubscriptions\"\nimport \"UsageBasedSubscriptions\"\ntransaction { prepare(s: auth(IssueStorageCapabilityController, PublishCapability) &Account) {\n s.capabilities.publish(s.capabilities.storage.issue<&"
        .concat(resourceName).concat(">(").concat(storagePath).concat("), at: ").concat(publicPath).concat(") } }")
    Test.expect(txInline(code, [holder], []), Test.beSucceeded())
}

// Each call must be refused for want of `entitlementName`, by name, before it runs.
access(all) fun expectRefusedToStranger(_ calls: {String: String}, _ resourceName: String, _ publicPath: String, _ owner: Address, _ id: UInt64, _ entitlementName: String) {
    for name in calls.keys {
        expectError(
            txInline(strangerCalls(resourceName, publicPath, calls[name]!), [stranger], [owner, id]),
            "cannot access `".concat(name).concat("` because function requires `").concat(entitlementName).concat("` authorization")
        )
    }
}

access(all) fun testAPublishedCustomerReferenceGivesNothingAway() {
    // A customer may publish a plain reference to its Customer (to show its subscriptions, say):
    // only the Manage entitlement, which no published reference carries, opens, pays, changes or closes.
    let id = subscribe(customer, provider, 5.0, cap: nil, models: nil)
    txOk("subscriptions/issue_key", provider, [id, "4d8f4f0b4a4f6b2c1e9e3a7d2c5b8a1f0e3d6c9b2a5f8e1d4c7b0a3f6e9d2c5b"])
    publishPlainReference(customer, "SimpleUsageSubscriptions.Customer", "/storage/flareFlowCustomer", "/public/flareflowCustomerRead")
    txOk("subscriptions/request_close", customer, [id])
    Test.moveTime(by: 7_200.0)
    let state = stateText(id)
    let strangerFlow = flowBalance(stranger)
    let calls: {String: String} = {
        "createSubscription": "let _ = c.createSubscription(provider: owner, deposit: <- pay(), maxBudgetPerPeriod: nil, allowedModels: nil)",
        "topUp": "c.topUp(id: id, from: <- pay())",
        "update": "c.update(id: id, maxBudgetPerPeriod: 1.0, allowedModels: nil)",
        "requestClose": "c.requestClose(id: id)",
        "finishClose": "destroy c.finishClose(id: id)",
        "revokeKey": "c.revokeKey(id: id)"
    }
    expectRefusedToStranger(calls, "SimpleUsageSubscriptions.Customer", "/public/flareflowCustomerRead", customer.address, id, "Manage")
    Test.assertEqual(state, stateText(id))
    Test.assertEqual(strangerFlow, flowBalance(stranger))
    assertConserved()
}

access(all) fun testAPublishedProviderReferenceGivesNothingAway() {
    // The same for a provider: only ManageKeys attaches, rotates or revokes keys and collects what is owed.
    let id = subscribe(customer, provider, 5.0, cap: nil, models: nil)
    txOk("subscriptions/issue_key", provider, [id, "0b5d8e1f4a7c0d3e6f9a2b5c8d1e4f7a0b3c6d9e2f5a8b1c4d7e0f3a6b9c2d5e"])
    publishPlainReference(provider, "SimpleUsageSubscriptions.Provider", "/storage/flareFlowProvider", "/public/flareflowProviderRead")
    let state = stateText(id)
    let hash = "\"1c4f7a0d3e6b9c2f5a8d1e4b7c0f3a6d9e2b5c8f1a4d7e0b3c6f9a2d5e8b1c4f\""
    let calls: {String: String} = {
        "issueKey": "c.issueKey(id: id, keyHash: ".concat(hash).concat(")"),
        "issueKeys": "let _ = c.issueKeys(ids: [id], keyHashes: [".concat(hash).concat("])"),
        "rotateKey": "c.rotateKey(id: id, newKeyHash: ".concat(hash).concat(")"),
        "revokeKey": "c.revokeKey(id: id)",
        "collectOwed": "destroy c.collectOwed()"
    }
    expectRefusedToStranger(calls, "SimpleUsageSubscriptions.Provider", "/public/flareflowProviderRead", provider.address, id, "ManageKeys")
    Test.assertEqual(state, stateText(id))
    assertConserved()
}

access(all) fun testAPublishedAdminReferenceGivesNothingAway() {
    // And for both contracts' Admins: only Configure changes escrow settings or prices.
    publishPlainReference(contractAccount, "SimpleUsageSubscriptions.Admin", "/storage/flareFlowEscrowAdmin", "/public/flareflowEscrowAdminRead")
    publishPlainReference(contractAccount, "UsageBasedSubscriptions.Admin", "/storage/flareFlowPricingAdmin", "/public/flareflowPricingAdminRead")
    let escrow: {String: String} = {
        "setBillingPeriod": "c.setBillingPeriod(seconds: 86_400.0)",
        "setCloseGracePeriod": "c.setCloseGracePeriod(seconds: 60.0)",
        "setMinimumDeposit": "c.setMinimumDeposit(amount: 2.0)"
    }
    expectRefusedToStranger(escrow, "SimpleUsageSubscriptions.Admin", "/public/flareflowEscrowAdminRead", contractAccount.address, 0, "Configure")
    let pricing: {String: String} = {
        "setTiers": "c.setTiers(thresholds: [0], pricesPer1K: [1.0])",
        "setFamilyMultiplier": "c.setFamilyMultiplier(family: \"gpt-4\", multiplier: 2.0)",
        "setDefaultMultiplier": "c.setDefaultMultiplier(multiplier: 2.0)",
        "mapModel": "c.mapModel(model: \"free-model\", family: \"gpt-4\")",
        "unmapModel": "c.unmapModel(model: \"gpt-4o\")",
        "cancelPendingChanges": "c.cancelPendingChanges()",
        "setNoticePeriod": "c.setNoticePeriod(seconds: 60.0)"
    }
    expectRefusedToStranger(pricing, "UsageBasedSubscriptions.Admin", "/public/flareflowPricingAdminRead", contractAccount.address, 0, "Configure")
}

access(all) fun testAProviderOutsideStorageManagesNothing() {
    // Whose subscriptions a Provider manages, and whose owed FLOW it collects, is read from its owner.
    let id = subscribe(customer, provider, 1.0, cap: nil, models: nil)
    let state = stateText(id)
    expectError(txInline(unsavedProviderIssue, [provider], [id, hashA]), "SimpleUsageSubscriptions: the Provider resource must be in the provider's storage")
    expectError(txInline(unsavedProviderCollect, [provider], []), "SimpleUsageSubscriptions: the Provider resource must be in the provider's storage")
    Test.assertEqual(state, stateText(id))
}

access(all) fun testTopUpByTheCustomer() {
    let id = subscribe(customer, provider, 5.0, cap: nil, models: nil)
    txOk("subscriptions/top_up", customer, [id, 7.5])
    let ev = Test.eventsOfType(Type<SimpleUsageSubscriptions.SubscriptionToppedUp>()).removeLast() as! SimpleUsageSubscriptions.SubscriptionToppedUp
    Test.assertEqual(7.5, ev.amount)
    Test.assertEqual(12.5, ev.balance)
    Test.assertEqual(12.5, info(id).balance)
    Test.assertEqual(12.5, info(id).deposited)
    txFails("subscriptions/top_up", customer, [id, 0.0], "SimpleUsageSubscriptions: the top-up amount must be positive")
    assertConserved()
}

access(all) fun testAnotherAccountCannotTopUpUpdateOrClose() {
    let id = subscribe(customer, provider, 5.0, cap: nil, models: nil)
    // the stranger is a customer too (has a Customer resource), just not of this subscription
    subscribe(stranger, provider, 1.0, cap: nil, models: nil)
    let state = stateText(id)
    let strangerFlow = flowBalance(stranger)
    txFails("subscriptions/top_up", stranger, [id, 1.0], "SimpleUsageSubscriptions: the signer is not this subscription's customer (subscription \(id) belongs to \(customer.address), the signer is \(stranger.address))")
    txFails("subscriptions/update_subscription", stranger, [id, 1.0, nil], "SimpleUsageSubscriptions: the signer is not this subscription's customer")
    txFails("subscriptions/request_close", stranger, [id], "SimpleUsageSubscriptions: the signer is not this subscription's customer")
    txOk("subscriptions/request_close", customer, [id])
    let closing = stateText(id)
    Test.moveTime(by: 7_200.0)
    txFails("subscriptions/finish_close", stranger, [id], "SimpleUsageSubscriptions: the signer is not this subscription's customer")
    txFails("subscriptions/revoke_key_customer", stranger, [id], "SimpleUsageSubscriptions: the signer is not this subscription's customer")
    Test.assertEqual(closing, stateText(id))
    Test.assertEqual(strangerFlow, flowBalance(stranger))
    // an account that never subscribed has no Customer resource at all
    txFails("subscriptions/top_up", provider, [id, 1.0], "top_up: the signer has no subscriptions (no Customer resource) (account \(provider.address), path /storage/flareFlowCustomer)")
    Test.assert(state != closing, message: "request_close changed the status")
    assertConserved()
}

access(all) fun testUnknownIdIsRejected() {
    txFails("subscriptions/top_up", customer, [424_242 as UInt64, 1.0], "SimpleUsageSubscriptions: unknown subscription id 424242")
    txFails("subscriptions/update_subscription", customer, [424_242 as UInt64, nil, nil], "SimpleUsageSubscriptions: unknown subscription id")
    txFails("subscriptions/request_close", customer, [424_242 as UInt64], "SimpleUsageSubscriptions: unknown subscription id")
    txFails("subscriptions/finish_close", customer, [424_242 as UInt64], "SimpleUsageSubscriptions: unknown subscription id")
    txOk("subscriptions/issue_key", provider, [1 as UInt64, hashA])
    txFails("subscriptions/issue_key", provider, [424_242 as UInt64, hashA], "SimpleUsageSubscriptions: unknown subscription id")
    Test.assertEqual(nil, script("pricing/quote_subscription", [424_242 as UInt64, "gpt-4", 1_000 as UInt64]))
    assertConserved()
}

access(all) fun testUpdateSetsBudgetAndModels() {
    let id = subscribe(customer, provider, 5.0, cap: nil, models: nil)
    txOk("subscriptions/update_subscription", customer, [id, 3.0, ["llama-3-70b"]])
    let ev = Test.eventsOfType(Type<SimpleUsageSubscriptions.SubscriptionUpdated>()).removeLast() as! SimpleUsageSubscriptions.SubscriptionUpdated
    Test.assertEqual(3.0, ev.maxBudgetPerPeriod!)
    Test.assertEqual(["llama-3-70b"], ev.allowedModels!)
    Test.assertEqual(3.0, info(id).maxBudgetPerPeriod!)
    txOk("subscriptions/update_subscription", customer, [id, nil, nil])
    Test.assertEqual(nil, info(id).maxBudgetPerPeriod)
    Test.assertEqual(nil, info(id).allowedModels)
    let state = stateText(id)
    txFails("subscriptions/update_subscription", customer, [id, 0.0, nil], "SimpleUsageSubscriptions: the period budget must be positive (nil for no cap)")
    expectError(txInline(emptyModelsUpdate, [customer], [id]), "SimpleUsageSubscriptions: allowedModels must name at least one model (nil allows all)")
    Test.assertEqual(state, stateText(id))
}

access(all) fun testKeysIssuedRotatedRevoked() {
    let id = subscribe(customer, provider, 5.0, cap: nil, models: nil)
    txOk("subscriptions/issue_key", provider, [id, hashA])
    let issued = Test.eventsOfType(Type<SimpleUsageSubscriptions.KeyIssued>()).removeLast() as! SimpleUsageSubscriptions.KeyIssued
    Test.assertEqual(id, issued.id)
    Test.assertEqual(hashA, issued.keyHash)
    Test.assertEqual(hashA, info(id).keyHash!)
    txFails("subscriptions/issue_key", provider, [id, hashB], "SimpleUsageSubscriptions: a key is already attached; rotate it instead (subscription \(id))")

    txOk("subscriptions/rotate_key", provider, [id, hashB])
    let rotated = Test.eventsOfType(Type<SimpleUsageSubscriptions.KeyRotated>()).removeLast() as! SimpleUsageSubscriptions.KeyRotated
    Test.assertEqual(hashA, rotated.oldKeyHash)
    Test.assertEqual(hashB, rotated.newKeyHash)
    txFails("subscriptions/rotate_key", provider, [id, hashB], "SimpleUsageSubscriptions: the new key hash equals the current one (subscription \(id))")

    txOk("subscriptions/revoke_key_provider", provider, [id])
    let revoked = Test.eventsOfType(Type<SimpleUsageSubscriptions.KeyRevoked>()).removeLast() as! SimpleUsageSubscriptions.KeyRevoked
    Test.assertEqual(hashB, revoked.keyHash)
    Test.assertEqual(provider.address, revoked.by)
    Test.assertEqual(nil, info(id).keyHash)
    txFails("subscriptions/revoke_key_provider", provider, [id], "SimpleUsageSubscriptions: no key is attached to revoke (subscription \(id))")
    txFails("subscriptions/rotate_key", provider, [id, hashA], "SimpleUsageSubscriptions: no key is attached to rotate (subscription \(id))")

    // the customer can revoke too
    txOk("subscriptions/issue_key", provider, [id, hashA])
    txOk("subscriptions/revoke_key_customer", customer, [id])
    let byCustomer = Test.eventsOfType(Type<SimpleUsageSubscriptions.KeyRevoked>()).removeLast() as! SimpleUsageSubscriptions.KeyRevoked
    Test.assertEqual(customer.address, byCustomer.by)
    Test.assertEqual(nil, info(id).keyHash)
}

access(all) fun testIssueKeysAttachesManyInOneTransaction() {
    let fresh = subscribe(customer, provider, 5.0, cap: nil, models: nil)
    let keyed = subscribe(customer, provider, 5.0, cap: nil, models: nil)
    let closing = subscribe(customer, provider, 5.0, cap: nil, models: nil)
    let last = subscribe(customer, provider, 5.0, cap: nil, models: nil)
    txOk("subscriptions/issue_key", provider, [keyed, hashB])
    txOk("subscriptions/request_close", customer, [closing])
    Test.moveTime(by: 3_601.0)
    txOk("subscriptions/finish_close", customer, [closing])
    let hashC = "2c624232cdd221771294dfbb310aca000a0df6ac8b66b696d90ef06fdefb64a3"
    let before = Test.eventsOfType(Type<SimpleUsageSubscriptions.KeyIssued>()).length

    // the closed one and the one that got a key meanwhile are skipped, not the batch
    txOk("subscriptions/issue_keys", provider, [[fresh, keyed, closing, last], [hashA, hashA, hashA, hashC]])
    let events = Test.eventsOfType(Type<SimpleUsageSubscriptions.KeyIssued>())
    Test.assertEqual(before + 2, events.length)
    let first = events[before] as! SimpleUsageSubscriptions.KeyIssued
    let second = events[before + 1] as! SimpleUsageSubscriptions.KeyIssued
    Test.assertEqual(fresh, first.id)
    Test.assertEqual(hashA, first.keyHash)
    Test.assertEqual(provider.address, first.provider)
    Test.assertEqual(last, second.id)
    Test.assertEqual(hashC, second.keyHash)
    Test.assertEqual(hashA, info(fresh).keyHash!)
    Test.assertEqual(hashB, info(keyed).keyHash!)
    Test.assertEqual(nil, info(closing).keyHash)
    Test.assertEqual(hashC, info(last).keyHash!)
    // the same id twice: the second is a subscription that has its key by then
    let twice = subscribe(customer, provider, 5.0, cap: nil, models: nil)
    txOk("subscriptions/issue_keys", provider, [[twice, twice], [hashA, hashB]])
    Test.assertEqual(hashA, info(twice).keyHash!)
    Test.assertEqual(before + 3, Test.eventsOfType(Type<SimpleUsageSubscriptions.KeyIssued>()).length)
    txOk("subscriptions/issue_keys", provider, [[] as [UInt64], [] as [String]])
}

access(all) fun testIssueKeysRefusesTheWholeBatchOnABadEntry() {
    let a = subscribe(customer, provider, 5.0, cap: nil, models: nil)
    let b = subscribe(customer, provider, 5.0, cap: nil, models: nil)
    let foreign = subscribe(customer, stranger, 1.0, cap: nil, models: nil)
    let keyEvents = Test.eventsOfType(Type<SimpleUsageSubscriptions.KeyIssued>()).length
    txFails("subscriptions/issue_keys", provider, [[a, b], [hashA]], "SimpleUsageSubscriptions: 2 subscription ids but 1 key hashes")
    txFails("subscriptions/issue_keys", provider, [[a, b], [hashA, "SK-NOT-A-HASH"]], "SimpleUsageSubscriptions: keyHash of subscription \(b) must be a sha256 hash, 64 lowercase hex characters (got 13 characters)")
    txFails("subscriptions/issue_keys", provider, [[a, 424_242 as UInt64], [hashA, hashB]], "SimpleUsageSubscriptions: unknown subscription id 424242")
    txFails("subscriptions/issue_keys", provider, [[a, foreign], [hashA, hashB]], "SimpleUsageSubscriptions: the signer is not this subscription's provider")
    // only the provider of every subscription in it
    txFails("subscriptions/issue_keys", stranger, [[foreign, a], [hashA, hashB]], "SimpleUsageSubscriptions: the signer is not this subscription's provider")
    Test.assertEqual(nil, info(a).keyHash)
    Test.assertEqual(nil, info(b).keyHash)
    Test.assertEqual(nil, info(foreign).keyHash)
    Test.assertEqual(keyEvents, Test.eventsOfType(Type<SimpleUsageSubscriptions.KeyIssued>()).length)
}

access(all) fun testKeyHashMustBeASha256() {
    let id = subscribe(customer, provider, 5.0, cap: nil, models: nil)
    let message = "SimpleUsageSubscriptions: keyHash must be a sha256 hash, 64 lowercase hex characters"
    txFails("subscriptions/issue_key", provider, [id, "sk-1234"], "\(message) (got 7 characters)")
    txFails("subscriptions/issue_key", provider, [id, "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"], message)
    txFails("subscriptions/issue_key", provider, [id, hashA.slice(from: 0, upTo: 63).concat("g")], message)
    // the characters just before '0', just past '9' and just before 'a'
    txFails("subscriptions/issue_key", provider, [id, hashA.slice(from: 0, upTo: 63).concat("/")], message)
    txFails("subscriptions/issue_key", provider, [id, hashA.slice(from: 0, upTo: 63).concat(":")], message)
    txFails("subscriptions/issue_key", provider, [id, hashA.slice(from: 0, upTo: 63).concat("`")], message)
    Test.assertEqual(nil, info(id).keyHash)
    txOk("subscriptions/issue_key", provider, [id, hashA])
    txFails("subscriptions/rotate_key", provider, [id, "sk-1234"], message)
    Test.assertEqual(hashA, info(id).keyHash!)
}

access(all) fun testNonProviderCannotManageKeys() {
    let id = subscribe(customer, provider, 5.0, cap: nil, models: nil)
    // the stranger is a provider too (of another subscription), just not of this one
    let own = subscribe(customer, stranger, 1.0, cap: nil, models: nil)
    txOk("subscriptions/issue_key", stranger, [own, hashB])
    let state = stateText(id)
    let keyEvents = Test.eventsOfType(Type<SimpleUsageSubscriptions.KeyIssued>()).length
    txFails("subscriptions/issue_key", stranger, [id, hashA], "SimpleUsageSubscriptions: the signer is not this subscription's provider (subscription \(id) names \(provider.address), the signer is \(stranger.address))")
    txFails("subscriptions/issue_key", customer, [id, hashA], "SimpleUsageSubscriptions: the signer is not this subscription's provider")
    Test.assertEqual(state, stateText(id))
    txOk("subscriptions/issue_key", provider, [id, hashA])
    let withKey = stateText(id)
    txFails("subscriptions/rotate_key", stranger, [id, hashB], "SimpleUsageSubscriptions: the signer is not this subscription's provider")
    txFails("subscriptions/revoke_key_provider", stranger, [id], "SimpleUsageSubscriptions: the signer is not this subscription's provider")
    Test.assertEqual(withKey, stateText(id))
    Test.assertEqual(keyEvents + 1, Test.eventsOfType(Type<SimpleUsageSubscriptions.KeyIssued>()).length)
    let noProvider = Test.createAccount()
    txFails("subscriptions/rotate_key", noProvider, [id, hashB], "rotate_key: the signer is not a provider (no Provider resource) (account \(noProvider.address), path /storage/flareFlowProvider)")
}

access(all) fun testCloseAfterGraceRefundsTheEscrow() {
    let id = subscribe(customer, provider, 9.0, cap: nil, models: nil)
    txOk("subscriptions/request_close", customer, [id])
    let requested = Test.eventsOfType(Type<SimpleUsageSubscriptions.SubscriptionCloseRequested>()).removeLast() as! SimpleUsageSubscriptions.SubscriptionCloseRequested
    Test.assertEqual(requested.requestedAt + 3_600.0, requested.graceEndsAt)
    Test.assertEqual(SimpleUsageSubscriptions.Status.Closing, info(id).status)
    // no new money while closing
    txFails("subscriptions/top_up", customer, [id, 1.0], "SimpleUsageSubscriptions: only an open subscription can be topped up (subscription \(id) is closing)")
    txFails("subscriptions/update_subscription", customer, [id, nil, nil], "SimpleUsageSubscriptions: only an open subscription can be updated (subscription \(id) is closing)")
    // closing twice
    txFails("subscriptions/request_close", customer, [id], "SimpleUsageSubscriptions: the subscription is not open (already closing or closed): subscription \(id) is closing")
    // taking the escrow out before the pending windows are billed
    let state = stateText(id)
    let before = flowBalance(customer)
    txFails("subscriptions/finish_close", customer, [id], "SimpleUsageSubscriptions: usage before the close is not settled yet and the grace period has not passed (it ends at \(requested.graceEndsAt), the block is at ")
    Test.assertEqual(state, stateText(id))
    Test.assertEqual(before, flowBalance(customer))

    Test.moveTime(by: 3_601.0)
    txOk("subscriptions/finish_close", customer, [id])
    let closed = Test.eventsOfType(Type<SimpleUsageSubscriptions.SubscriptionClosed>()).removeLast() as! SimpleUsageSubscriptions.SubscriptionClosed
    Test.assertEqual(9.0, closed.refund)
    Test.assertEqual(false, closed.settled)
    Test.assertEqual(before + 9.0, flowBalance(customer))
    let i = info(id)
    Test.assertEqual(SimpleUsageSubscriptions.Status.Closed, i.status)
    Test.assertEqual(0.0, i.balance)
    Test.assertEqual(9.0, i.refunded)

    // closing twice, refunding twice
    let closedState = stateText(id)
    txFails("subscriptions/finish_close", customer, [id], "SimpleUsageSubscriptions: the subscription is already closed (subscription \(id))")
    txFails("subscriptions/request_close", customer, [id], "SimpleUsageSubscriptions: the subscription is not open (already closing or closed): subscription \(id) is closed")
    txFails("subscriptions/top_up", customer, [id, 1.0], "SimpleUsageSubscriptions: only an open subscription can be topped up (subscription \(id) is closed)")
    txFails("subscriptions/issue_key", provider, [id, hashA], "SimpleUsageSubscriptions: the subscription is closed (subscription \(id))")
    txFails("subscriptions/rotate_key", provider, [id, hashB], "SimpleUsageSubscriptions: the subscription is closed (subscription \(id))")
    Test.assertEqual(closedState, stateText(id))
    Test.assertEqual(before + 9.0, flowBalance(customer))
    assertConserved()
}

access(all) fun testFinishCloseNeedsARequest() {
    let id = subscribe(customer, provider, 1.0, cap: nil, models: nil)
    txFails("subscriptions/finish_close", customer, [id], "SimpleUsageSubscriptions: request the close first (subscription \(id) is active)")
    Test.assertEqual(SimpleUsageSubscriptions.Status.Active, info(id).status)
}

access(all) fun testNobodyReachesTheEscrowDirectly() {
    let steal = txInline(
        "import \"SimpleUsageSubscriptions\"\ntransaction { prepare(s: &Account) { destroy SimpleUsageSubscriptions.escrow.withdraw(amount: 1.0) } }",
        [stranger], []
    )
    Test.assertError(steal, errorMessage: "cannot access `escrow` because field requires `self` authorization")
    let debit = txInline(
        "import \"SimpleUsageSubscriptions\"\ntransaction { prepare(s: &Account) { SimpleUsageSubscriptions.borrowForBilling(1)!.debit(cost: 1.0, tokens: 1, requests: 1) } }",
        [stranger], []
    )
    Test.assertError(debit, errorMessage: "cannot access `borrowForBilling` because function requires `account` authorization")
    let pay = txInline(
        "import \"SimpleUsageSubscriptions\"\ntransaction { prepare(s: &Account) { SimpleUsageSubscriptions.payProviders() } }",
        [stranger], []
    )
    Test.assertError(pay, errorMessage: "cannot access `payProviders` because function requires `account` authorization")
    // a Customer resource held outside storage proves nobody
    let loose = txInline(
        "import \"SimpleUsageSubscriptions\"\nimport \"FlowToken\"\ntransaction { prepare(s: &Account) { let c <- SimpleUsageSubscriptions.createCustomer()\n c.requestClose(id: 1)\n destroy c } }",
        [stranger], []
    )
    Test.assertError(loose, errorMessage: "SimpleUsageSubscriptions: the Customer resource must be in the customer's storage")
    assertConserved()
}
