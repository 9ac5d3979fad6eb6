import Test

/// The account all four project contracts live on (flow.json "testing" alias).
access(all) let admin = Test.getAccount(0x0000000000000007)

/// Deploys the four contracts in dependency order (FlareFDCTriggers takes its Biller and
/// Acceptor from the admins the first three leave in the account).
access(all) fun deployAll() {
    for name in ["SimpleUsageSubscriptions", "UsageBasedSubscriptions", "FlareOracleVerifier", "FlareFDCTriggers"] {
        let err = Test.deployContract(name: name, path: "../contracts/".concat(name).concat(".cdc"), arguments: [])
        Test.expect(err, Test.beNil())
    }
}

access(all) fun code(_ path: String): String {
    return Test.readFile("../".concat(path).concat(".cdc"))
}

/// Runs the transaction at `path` (under cadence/, no extension).
access(all) fun tx(_ path: String, _ signer: Test.TestAccount, _ args: [AnyStruct]): Test.TransactionResult {
    return Test.executeTransaction(Test.Transaction(code: code(path), authorizers: [signer.address], signers: [signer], arguments: args))
}

access(all) fun txOk(_ path: String, _ signer: Test.TestAccount, _ args: [AnyStruct]) {
    let result = tx(path, signer, args)
    if result.error != nil {
        panic(path.concat(" failed: ").concat(result.error!.message))
    }
}

/// A transaction with no signer's authority (the relayer's transactions need none).
access(all) fun relay(_ path: String, _ args: [AnyStruct]): Test.TransactionResult {
    let relayer = Test.createAccount()
    return Test.executeTransaction(Test.Transaction(code: code(path), authorizers: [], signers: [relayer], arguments: args))
}

access(all) fun script(_ path: String, _ args: [AnyStruct]): AnyStruct? {
    let result = Test.executeScript(code(path), args)
    if result.error != nil {
        panic(path.concat(" failed: ").concat(result.error!.message))
    }
    return result.returnValue
}

access(all) fun scriptInline(_ source: String, _ args: [AnyStruct]): AnyStruct? {
    let result = Test.executeScript(source, args)
    if result.error != nil {
        panic("inline script failed: ".concat(result.error!.message))
    }
    return result.returnValue
}

/// The emulator's current block height (the test script's own getCurrentBlock is not the chain's).
access(all) fun chainHeight(): UInt64 {
    return scriptInline("access(all) fun main(): UInt64 { return getCurrentBlock().height }", [])! as! UInt64
}

/// Rolls the chain back to `height` (a no-op when nothing happened since).
access(all) fun resetTo(_ height: UInt64) {
    if chainHeight() > height {
        Test.reset(to: height)
    }
}

/// A new account with `amount` FLOW from the service account.
access(all) fun newAccount(_ amount: UFix64): Test.TestAccount {
    let account = Test.createAccount()
    let result = Test.executeTransaction(Test.Transaction(
        code: "import \"FungibleToken\"\nimport \"FlowToken\"\ntransaction(to: Address, amount: UFix64) { prepare(s: auth(BorrowValue) &Account) { let v = s.storage.borrow<auth(FungibleToken.Withdraw) &FlowToken.Vault>(from: /storage/flowTokenVault)!; getAccount(to).capabilities.borrow<&{FungibleToken.Receiver}>(/public/flowTokenReceiver)!.deposit(from: <- v.withdraw(amount: amount)) } }",
        authorizers: [Test.serviceAccount().address],
        signers: [Test.serviceAccount()],
        arguments: [account.address, amount]
    ))
    Test.expect(result, Test.beSucceeded())
    return account
}

/// Registers oracles 1..3 (the first three of `keys`), threshold 2, and the source.
access(all) fun configureOracles(keys: [String], chainId: UInt256, verifier: String) {
    txOk("transactions/oracle/register_oracle", admin, [keys[0]])
    txOk("transactions/oracle/register_oracle", admin, [keys[1]])
    txOk("transactions/oracle/register_oracle", admin, [keys[2]])
    txOk("transactions/oracle/set_threshold", admin, [2])
    txOk("transactions/oracle/set_source", admin, [chainId, verifier])
}

/// Everything a rejected report must leave unchanged, as one comparable string: settlement
/// state, oracle state, the money ledger, and subscriptions 1..3.
access(all) fun stateFingerprint(): String {
    return scriptInline(
        "import \"FlareFDCTriggers\"\nimport \"FlareOracleVerifier\"\nimport \"SimpleUsageSubscriptions\"\n"
        .concat("access(all) fun main(): String {\n")
        .concat("  var s = (FlareFDCTriggers.lastSettledWindow?.toString() ?? \"-\").concat(\"|\").concat(FlareOracleVerifier.lastAcceptedWindow?.toString() ?? \"-\")\n")
        .concat("  s = s.concat(\"|pending:\").concat(FlareFDCTriggers.pending == nil ? \"none\" : FlareFDCTriggers.pending!.nextIndex.toString())\n")
        .concat("  let t = SimpleUsageSubscriptions.getTotals()\n")
        .concat("  s = s.concat(\"|\").concat(t.escrow.toString()).concat(\"/\").concat(t.paidToProviders.toString()).concat(\"/\").concat(t.owedToProviders.toString()).concat(\"/\").concat(t.vaultBalance.toString())\n")
        .concat("  var id: UInt64 = 1\n")
        .concat("  while id <= 3 { if let i = SimpleUsageSubscriptions.getSubscription(id) { s = s.concat(\"|\").concat(i.balance.toString()).concat(\",\").concat(i.periodTokens.toString()).concat(\",\").concat(i.status.rawValue.toString()) }; id = id + 1 }\n")
        .concat("  return s\n}"),
        []
    )! as! String
}

/// Asserts that `result` failed with `message` and that nothing changed since `before`.
access(all) fun assertRejectedUnchanged(_ result: Test.TransactionResult, _ message: String, _ before: String) {
    Test.assertError(result, errorMessage: message)
    Test.assertEqual(before, stateFingerprint())
}
