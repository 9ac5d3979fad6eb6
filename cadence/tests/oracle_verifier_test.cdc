import Test
import "oracle_helpers.cdc"
import "oracle_fixtures.cdc"
import "FlareOracleVerifier"

access(all) var readyHeight: UInt64 = 0
access(all) var deployedHeight: UInt64 = 0

/// Oracles 1..3 registered (fixture keys 0..2), threshold 2, fixture source.
access(all) fun setup() {
    deployAll()
    deployedHeight = chainHeight()
    configureOracles(keys: fxOracleKeys(), chainId: fxChainId(), verifier: fxVerifier())
    readyHeight = chainHeight()
}

access(all) fun beforeEach() {
    resetTo(readyHeight)
}

access(all) fun config(): {String: AnyStruct} {
    return script("scripts/oracle/get_config", [])! as! {String: AnyStruct}
}

access(all) fun configFingerprint(): String {
    let c = config()
    let oracles = c["oracles"]! as! {UInt64: String}
    var s = (c["threshold"]! as! Int).toString().concat("|").concat((c["coston2ChainId"]! as! UInt256).toString()).concat("|").concat(c["verifier"]! as! String)
    var id: UInt64 = 1
    while id <= 5 {
        s = s.concat("|").concat(oracles[id] ?? "-")
        id = id + 1
    }
    return s
}

access(all) fun verifyW1(_ sigs: String): {String: AnyStruct} {
    return verifyWith(sigs: fxSigs(sigs))
}

/// The scripts' answers for fixture report w1 under fixture signatures `sigs`.
access(all) fun verifyWith(sigs: FxSigs): {String: AnyStruct} {
    let r = fxReport("w1")
    let args: [AnyStruct] = [r.window, r.digest, r.round, sigs.signers, sigs.signatures]
    return {
        "valid": script("scripts/oracle/verify", args)! as! Bool,
        "counted": script("scripts/oracle/valid_signers", args)! as! [UInt64]
    }
}

access(all) fun countedOf(_ sigs: FxSigs): [UInt64] {
    return verifyWith(sigs: sigs)["counted"]! as! [UInt64]
}

access(all) fun testConfigurationAndEvents() {
    let c = config()
    Test.assertEqual(2, c["threshold"]! as! Int)
    Test.assertEqual(fxChainId(), c["coston2ChainId"]! as! UInt256)
    Test.assertEqual(fxVerifier().toLower().slice(from: 2, upTo: 42), c["verifier"]! as! String)
    let oracles = c["oracles"]! as! {UInt64: String}
    Test.assertEqual(fxOracleKeys()[0], oracles[1]!)
    Test.assertEqual(3, Test.eventsOfType(Type<FlareOracleVerifier.OracleRegistered>()).length)
    Test.assertEqual(1, Test.eventsOfType(Type<FlareOracleVerifier.ThresholdSet>()).length)
    Test.assertEqual(1, Test.eventsOfType(Type<FlareOracleVerifier.SourceSet>()).length)
}

access(all) fun testAttestationEncodingMatchesTypeScript() {
    let r = fxReport("w1")
    let encoded = script("scripts/oracle/attestation", [r.window, r.digest, r.round, 1 as UInt64, r.digest])! as! String
    Test.assertEqual(fxW1Attestation(), encoded)
}

access(all) fun testTypeScriptSignaturesVerify() {
    // ethers SigningKey.sign(keccak256(encoding)) verified by PublicKey.verify(signedData: encoding, KECCAK_256).
    let ok = verifyW1("w1")
    Test.assertEqual(true, ok["valid"]! as! Bool)
    Test.assertEqual([1, 2] as [UInt64], ok["counted"]! as! [UInt64])
    Test.assertEqual([1, 2, 3] as [UInt64], verifyW1("w1All")["counted"]! as! [UInt64])
}

access(all) fun testVerifyCountsEachSignerOnceAndOnlyRegisteredOnes() {
    Test.assertEqual([1] as [UInt64], verifyW1("w1Twice")["counted"]! as! [UInt64])
    Test.assertEqual(false, verifyW1("w1Twice")["valid"]! as! Bool)
    Test.assertEqual([1] as [UInt64], verifyW1("w1Unregistered")["counted"]! as! [UInt64])
    Test.assertEqual([1] as [UInt64], verifyW1("w1UnregisteredAsKnownId")["counted"]! as! [UInt64])
    Test.assertEqual(false, verifyW1("w1One")["valid"]! as! Bool)
    Test.assertEqual([] as [UInt64], verifyW1("w1WrongDomain")["counted"]! as! [UInt64])
    Test.assertEqual([] as [UInt64], verifyW1("w1OtherChain")["counted"]! as! [UInt64])
    Test.assertEqual([] as [UInt64], verifyW1("w1OtherVerifier")["counted"]! as! [UInt64])
    Test.assertEqual([] as [UInt64], verifyW1("w1OtherRound")["counted"]! as! [UInt64])
}

access(all) fun testMalformedSignatureCountsNothing() {
    let good = fxSigs("w1")
    Test.assertEqual([1] as [UInt64], countedOf(FxSigs(signers: [1, 2], signatures: [good.signatures[0], "zz"])))
}

access(all) fun testRemovedOracleStopsCounting() {
    txOk("transactions/oracle/remove_oracle", admin, [3 as UInt64])
    Test.assertEqual([1] as [UInt64], verifyW1("w1Removed")["counted"]! as! [UInt64])
    Test.assertEqual(1, Test.eventsOfType(Type<FlareOracleVerifier.OracleRemoved>()).length)
    // Re-registering the same key gives a new id; signatures naming the old id still count nothing.
    txOk("transactions/oracle/register_oracle", admin, [fxOracleKeys()[2]])
    Test.assertEqual([1] as [UInt64], verifyW1("w1Removed")["counted"]! as! [UInt64])
}

access(all) fun testThresholdChanges() {
    txOk("transactions/oracle/set_threshold", admin, [3])
    Test.assertEqual(false, verifyW1("w1")["valid"]! as! Bool)
    Test.assertEqual(true, verifyW1("w1All")["valid"]! as! Bool)
    txOk("transactions/oracle/set_threshold", admin, [1])
    Test.assertEqual(true, verifyW1("w1One")["valid"]! as! Bool)
}

access(all) fun testRejectsNonAdmin() {
    let before = configFingerprint()
    let stranger = newAccount(1.0)
    Test.assertError(tx("transactions/oracle/register_oracle", stranger, [fxOracleKeys()[3]]), errorMessage: "the signer holds no FlareOracleVerifier Admin (account \(stranger.address), path /storage/flareFlowOracleAdmin)")
    Test.assertError(tx("transactions/oracle/remove_oracle", stranger, [1 as UInt64]), errorMessage: "the signer holds no FlareOracleVerifier Admin")
    Test.assertError(tx("transactions/oracle/set_threshold", stranger, [1]), errorMessage: "the signer holds no FlareOracleVerifier Admin")
    Test.assertError(tx("transactions/oracle/set_source", stranger, [1 as UInt256, fxVerifier()]), errorMessage: "the signer holds no FlareOracleVerifier Admin")
    Test.assertEqual(before, configFingerprint())
}

access(all) fun testRejectsBadConfiguration() {
    let before = configFingerprint()
    Test.assertError(tx("transactions/oracle/register_oracle", admin, [fxOracleKeys()[0]]), errorMessage: "the key is already registered (oracle 1)")
    Test.assertError(tx("transactions/oracle/register_oracle", admin, ["04".concat(fxOracleKeys()[3])]), errorMessage: "a public key is 64 bytes (128 hex chars, no 04 prefix), not 130 hex chars")
    Test.assertError(tx("transactions/oracle/register_oracle", admin, [fxOracleKeys()[3].slice(from: 0, upTo: 126).concat("00")]), errorMessage: "")
    Test.assertError(tx("transactions/oracle/set_threshold", admin, [0]), errorMessage: "the threshold must be at least 1, not 0")
    Test.assertError(tx("transactions/oracle/set_threshold", admin, [4]), errorMessage: "the threshold exceeds the number of registered oracles (4 asked, 3 registered)")
    Test.assertError(tx("transactions/oracle/remove_oracle", admin, [9 as UInt64]), errorMessage: "unknown oracle id 9")
    Test.assertError(tx("transactions/oracle/set_source", admin, [0 as UInt256, fxVerifier()]), errorMessage: "the chain id must be positive")
    Test.assertEqual(before, configFingerprint())
    txOk("transactions/oracle/set_threshold", admin, [3])
    let atThree = configFingerprint()
    Test.assertError(tx("transactions/oracle/remove_oracle", admin, [1 as UInt64]), errorMessage: "removing the oracle would leave fewer oracles than the threshold (2 would remain, the threshold is 3)")
    Test.assertEqual(atThree, configFingerprint())
}

access(all) fun testSignatureHexIsReadInEitherCaseAndAnythingElseCountsNothing() {
    let good = fxSigs("w1")
    let signature = good.signatures[0]
    // Every edge of the three hex ranges is in this signature: 0 and 9, a and f (A and F upper-cased).
    for digit in ["0", "9", "a", "f"] {
        Test.assert(signature.contains(digit), message: "fixture signature lacks ".concat(digit))
    }
    let upper: [UInt8] = []
    for c in signature.utf8 {
        upper.append(c >= 97 && c <= 102 ? c - 32 : c)
    }
    let upperCased = String.fromUTF8(upper)!
    Test.assert(upperCased.contains("A") && upperCased.contains("F") && !upperCased.contains("a"), message: upperCased)
    Test.assertEqual([1, 2] as [UInt64], countedOf(FxSigs(signers: [1, 2], signatures: [upperCased, good.signatures[1]])))
    // The characters just outside each range: a signature holding one counts nothing, and the
    // others still count (a malformed signature never aborts the report).
    for outside in ["/", ":", "`", "g", "@", "G"] {
        let bad = outside.concat(signature.slice(from: 1, upTo: signature.length))
        Test.assertEqual([2] as [UInt64], countedOf(FxSigs(signers: [1, 2], signatures: [bad, good.signatures[1]])))
    }
}

access(all) fun testAPublishedAdminReferenceChangesNothing() {
    // The Admin's holder may publish a plain reference to it: only the Configure entitlement,
    // which no published reference carries, changes the oracles, the threshold or the source.
    let before = configFingerprint()
    let publish = "import \"FlareOracleVerifier\"\ntransaction { prepare(s: auth(IssueStorageCapabilityController, PublishCapability) &Account) {\n s.capabilities.publish(s.capabilities.storage.issue<&FlareOracleVerifier.Admin>(FlareOracleVerifier.AdminStoragePath), at: /public/flareflowOracleAdminRead) } }"
    Test.expect(Test.executeTransaction(Test.Transaction(code: publish, authorizers: [admin.address], signers: [admin], arguments: [])), Test.beSucceeded())
    let stranger = newAccount(1.0)
    let calls: {String: String} = {
        "registerOracle": "let _ = a.registerOracle(publicKey: \"".concat(fxOracleKeys()[3]).concat("\")"),
        "removeOracle": "a.removeOracle(oracleId: 1)",
        "setThreshold": "a.setThreshold(1)",
        "setSource": "a.setSource(coston2ChainId: 1, verifier: \"0x000000000000000000000000000000000000dead\")"
    }
    for name in calls.keys {
        let code = "import \"FlareOracleVerifier\"\ntransaction(owner: Address) { prepare(s: &Account) {\n let a = getAccount(owner).capabilities.borrow<&FlareOracleVerifier.Admin>(/public/flareflowOracleAdminRead)!\n ".concat(calls[name]!).concat("\n } }")
        let result = Test.executeTransaction(Test.Transaction(code: code, authorizers: [stranger.address], signers: [stranger], arguments: [admin.address]))
        Test.assertError(result, errorMessage: "cannot access `".concat(name).concat("` because function requires `Configure` authorization"))
    }
    Test.assertEqual(before, configFingerprint())
}

access(all) fun testSourceTakesAnyPositiveChainId() {
    // 1 (Ethereum's) is the smallest positive chain id; only 0 is refused (testRejectsBadConfiguration).
    txOk("transactions/oracle/set_source", admin, [1 as UInt256, fxVerifier()])
    Test.assertEqual(1 as UInt256, config()["coston2ChainId"]! as! UInt256)
    let set = Test.eventsOfType(Type<FlareOracleVerifier.SourceSet>())
    Test.assertEqual(1 as UInt256, (set[set.length - 1] as! FlareOracleVerifier.SourceSet).coston2ChainId)
}

access(all) fun testNobodyElseGetsTheAcceptor() {
    // The one Acceptor went to FlareFDCTriggers at its deployment; one held anywhere else could
    // accept windows outside FlareFDCTriggers' checks. No transaction may ask for one, even signed
    // by the contracts' account...
    let take = "import \"FlareOracleVerifier\"\ntransaction { prepare(s: auth(SaveValue) &Account) { s.storage.save(<- FlareOracleVerifier.issueAcceptor(), to: /storage/acceptor) } }"
    for signer in [newAccount(1.0), admin] {
        let result = Test.executeTransaction(Test.Transaction(code: take, authorizers: [signer.address], signers: [signer], arguments: []))
        Test.assertError(result, errorMessage: "cannot access `issueAcceptor` because function requires `account` authorization")
    }
    // ...and a second contract on the same account gets none: there is only one.
    let second = "import FlareOracleVerifier from 0x0000000000000007\naccess(all) contract SecondAcceptor { access(self) let a: @FlareOracleVerifier.Acceptor\n init() { self.a <- FlareOracleVerifier.issueAcceptor() } }"
    let deploy = "transaction(code: String) { prepare(s: auth(AddContract) &Account) { s.contracts.add(name: \"SecondAcceptor\", code: code.utf8) } }"
    let result = Test.executeTransaction(Test.Transaction(code: deploy, authorizers: [admin.address], signers: [admin], arguments: [second]))
    Test.assertError(result, errorMessage: "FlareOracleVerifier: the Acceptor was issued already; there is only one")
    Test.assertEqual(1, Test.eventsOfType(Type<FlareOracleVerifier.AcceptorIssued>()).length)
}

/// Last: it rolls the chain back past the configuration every other test starts from.
access(all) fun testBeforeAnyConfigurationNothingIsAccepted() {
    // As deployed: no oracle, a threshold of 1 that no signature can meet, Coston2's chain id and
    // no verifier address yet. Even an empty set of signatures must not verify.
    resetTo(deployedHeight)
    let asDeployed = scriptInline("import \"FlareOracleVerifier\"\naccess(all) fun main(): [String] { return [FlareOracleVerifier.threshold.toString(), FlareOracleVerifier.coston2ChainId.toString(), FlareOracleVerifier.reportVerifier.toString(), FlareOracleVerifier.getOracles().length.toString()] }", [])! as! [String]
    Test.assertEqual(["1", "114", "0000000000000000000000000000000000000000", "0"], asDeployed)
    let r = fxReport("w1")
    Test.assertEqual(false, script("scripts/oracle/verify", [r.window, r.digest, r.round, [] as [UInt64], [] as [String]])! as! Bool)
    Test.assertEqual(false, verifyW1("w1")["valid"]! as! Bool)
    // The first oracle registered is oracle 1.
    txOk("transactions/oracle/register_oracle", admin, [fxOracleKeys()[0]])
    Test.assertEqual(fxOracleKeys()[0], (config()["oracles"]! as! {UInt64: String})[1]!)
}
