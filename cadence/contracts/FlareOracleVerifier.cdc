import "EVM"

/// FlareOracleVerifier decides whether a usage report reached Flow with the backing of a quorum
/// of FlareFlow's oracles, each of which read the report digest that Coston2's
/// UsageReportVerifier stored.
///
/// What an oracle signs (the "attestation"): the ABI encoding of
///   (bytes32 ORACLE_DOMAIN, uint256 coston2ChainId, address verifier, uint64 window,
///    bytes32 digest, uint64 votingRound)
/// and, for a report too large for one transaction, of
///   (bytes32 ORACLE_CHUNKED_DOMAIN, uint256 coston2ChainId, address verifier, uint64 window,
///    bytes32 digest, uint64 votingRound, uint64 chunkCount, bytes32 chunkChain).
/// The signature is ECDSA secp256k1 over keccak256 of that encoding (64 bytes r‖s). Cadence has
/// no ecrecover, so every signature names its oracle id; `PublicKey.verify` with KECCAK_256 hashes
/// the encoding itself, so the encoding (not its hash) is the signed data.
///
/// Windows are accepted strictly in order (gaps allowed), which is the replay protection: a
/// quorum signature over window w is worth nothing once any window >= w has been accepted.
access(all) contract FlareOracleVerifier {

    /// Registers and removes oracles, sets the threshold and the Coston2 source.
    access(all) entitlement Configure
    /// Accepts windows (advances the last accepted window).
    access(all) entitlement Accept

    access(all) let AdminStoragePath: StoragePath

    /// keccak256("FlareFlow.OracleAttestation.v1")
    access(all) let OracleDomain: [UInt8; 32]
    /// keccak256("FlareFlow.OracleAttestation.Chunked.v1"): a distinct tag, so a chunked
    /// attestation can never be read as a single-transaction one, nor the reverse.
    access(all) let OracleChunkedDomain: [UInt8; 32]
    /// keccak256("FlareFlow.OracleAttestation.Resume.v1"): a new chunk chain for the rest of an
    /// accepted window (recovery of a stuck chunked report).
    access(all) let OracleResumeDomain: [UInt8; 32]

    access(all) event OracleRegistered(oracleId: UInt64, publicKey: String)
    access(all) event OracleRemoved(oracleId: UInt64, publicKey: String)
    access(all) event ThresholdSet(threshold: Int, oracles: Int)
    access(all) event SourceSet(coston2ChainId: UInt256, verifier: String)
    access(all) event WindowAccepted(window: UInt64, votingRound: UInt64, digest: String, chunkCount: UInt64, signers: [UInt64])
    access(all) event WindowResumed(window: UInt64, votingRound: UInt64, digest: String, fromLine: UInt64, chunkCount: UInt64, signers: [UInt64])
    access(all) event AcceptorIssued(acceptorId: UInt64)

    /// Registered oracles: id -> uncompressed secp256k1 public key (64 bytes, no 0x04 prefix).
    /// Ids are never reused, so a removed oracle's old signatures name an id that no longer counts.
    access(self) let oracleKeys: {UInt64: [UInt8]}
    /// Hex of each registered key -> its id, so one key cannot be registered twice and count twice.
    access(self) let idsByKey: {String: UInt64}
    access(all) var nextOracleId: UInt64
    /// How many distinct registered oracles must sign.
    access(all) var threshold: Int
    /// The Coston2 chain id and UsageReportVerifier address the oracles read the digest from.
    access(all) var coston2ChainId: UInt256
    access(all) var reportVerifier: EVM.EVMAddress
    /// The last window accepted; nil before the first.
    access(all) var lastAcceptedWindow: UInt64?
    access(self) var acceptorIssued: Bool

    /// The oracle configuration administrator; stays in the deploying account.
    access(all) resource Admin {

        /// Registers an oracle by its 64-byte uncompressed secp256k1 public key (128 hex chars,
        /// no 0x04 prefix). Returns the new oracle id.
        access(Configure) fun registerOracle(publicKey: String): UInt64 {
            pre {
                !FlareOracleVerifier.idsByKey.containsKey(publicKey.toLower()): "FlareOracleVerifier: the key is already registered (oracle \(FlareOracleVerifier.idsByKey[publicKey.toLower()]!))"
            }
            let key = publicKey.toLower()
            let bytes = FlareOracleVerifier.decodePublicKey(key)
            let id = FlareOracleVerifier.nextOracleId
            FlareOracleVerifier.nextOracleId = id + 1
            FlareOracleVerifier.oracleKeys[id] = bytes
            FlareOracleVerifier.idsByKey[key] = id
            emit OracleRegistered(oracleId: id, publicKey: key)
            return id
        }

        /// Removes an oracle; its signatures stop counting at once.
        access(Configure) fun removeOracle(oracleId: UInt64) {
            pre {
                FlareOracleVerifier.oracleKeys.containsKey(oracleId): "FlareOracleVerifier: unknown oracle id \(oracleId)"
                FlareOracleVerifier.oracleKeys.length - 1 >= FlareOracleVerifier.threshold:
                    "FlareOracleVerifier: removing the oracle would leave fewer oracles than the threshold (\(FlareOracleVerifier.oracleKeys.length - 1) would remain, the threshold is \(FlareOracleVerifier.threshold)); lower the threshold first"
            }
            let bytes = FlareOracleVerifier.oracleKeys.remove(key: oracleId)!
            let key = String.encodeHex(bytes)
            let _ = FlareOracleVerifier.idsByKey.remove(key: key)
            emit OracleRemoved(oracleId: oracleId, publicKey: key)
        }

        /// Sets how many distinct oracles must sign: 1 <= threshold <= registered oracles.
        access(Configure) fun setThreshold(_ threshold: Int) {
            pre {
                threshold >= 1: "FlareOracleVerifier: the threshold must be at least 1, not \(threshold)"
                threshold <= FlareOracleVerifier.oracleKeys.length: "FlareOracleVerifier: the threshold exceeds the number of registered oracles (\(threshold) asked, \(FlareOracleVerifier.oracleKeys.length) registered)"
            }
            FlareOracleVerifier.threshold = threshold
            emit ThresholdSet(threshold: threshold, oracles: FlareOracleVerifier.oracleKeys.length)
        }

        /// Sets the Coston2 chain id and the UsageReportVerifier address (40 hex chars, optional
        /// 0x) that attestations must name.
        access(Configure) fun setSource(coston2ChainId: UInt256, verifier: String) {
            pre {
                coston2ChainId > 0: "FlareOracleVerifier: the chain id must be positive"
            }
            FlareOracleVerifier.coston2ChainId = coston2ChainId
            FlareOracleVerifier.reportVerifier = EVM.addressFromString(verifier)
            emit SourceSet(coston2ChainId: coston2ChainId, verifier: FlareOracleVerifier.reportVerifier.toString())
        }

    }

    /// Accepts windows. There is one, made by issueAcceptor for FlareFDCTriggers; holding it is
    /// the only way to advance lastAcceptedWindow.
    access(all) resource Acceptor {

        /// Accepts `window` if a quorum signed its attestation and it is after the last accepted
        /// window. `chunkCount` 1 means a single-transaction report (chunkChain ignored); more
        /// means the chunked attestation, whose chunkChain the caller then enforces chunk by chunk.
        access(Accept) fun accept(window: UInt64, digest: [UInt8; 32], votingRound: UInt64, chunkCount: UInt64, chunkChain: [UInt8; 32], signers: [UInt64], signatures: [String]) {
            pre {
                chunkCount >= 1: "FlareOracleVerifier: a report has at least one chunk"
                FlareOracleVerifier.lastAcceptedWindow == nil || window != FlareOracleVerifier.lastAcceptedWindow!:
                    "FlareOracleVerifier: the window was already accepted (replay): window \(window)"
                FlareOracleVerifier.lastAcceptedWindow == nil || window > FlareOracleVerifier.lastAcceptedWindow!:
                    "FlareOracleVerifier: the window is older than the last accepted window (\(window) before \(FlareOracleVerifier.lastAcceptedWindow!))"
            }
            post {
                FlareOracleVerifier.lastAcceptedWindow == window: "FlareOracleVerifier: the window was not recorded (window \(window))"
            }
            let message = chunkCount == 1
                ? FlareOracleVerifier.attestation(window: window, digest: digest, votingRound: votingRound)
                : FlareOracleVerifier.chunkedAttestation(window: window, digest: digest, votingRound: votingRound, chunkCount: chunkCount, chunkChain: chunkChain)
            let counted = FlareOracleVerifier.validSigners(message: message, signers: signers, signatures: signatures)
            if counted.length < FlareOracleVerifier.threshold {
                panic("FlareOracleVerifier: not enough valid oracle signatures: \(counted.length) of \(FlareOracleVerifier.threshold)")
            }
            FlareOracleVerifier.lastAcceptedWindow = window
            emit WindowAccepted(window: window, votingRound: votingRound, digest: String.encodeHex(digest.toVariableSized()), chunkCount: chunkCount, signers: counted)
        }

        /// Accepts a new chunk chain for the rest of the last accepted window, from line
        /// `fromLine` on, if a quorum signed the resume attestation. The caller recovers a stuck
        /// chunked report with it; the window stays the last accepted one.
        access(Accept) fun acceptResume(window: UInt64, digest: [UInt8; 32], votingRound: UInt64, fromLine: UInt64, chunkCount: UInt64, chunkChain: [UInt8; 32], signers: [UInt64], signatures: [String]) {
            pre {
                chunkCount >= 1: "FlareOracleVerifier: a resumed report has at least one chunk"
                FlareOracleVerifier.lastAcceptedWindow == window: "FlareOracleVerifier: only the last accepted window can be resumed (window \(window), the last accepted: \(FlareOracleVerifier.lastAcceptedWindow == nil ? "none" : FlareOracleVerifier.lastAcceptedWindow!.toString()))"
            }
            let message = FlareOracleVerifier.resumeAttestation(window: window, digest: digest, votingRound: votingRound, fromLine: fromLine, chunkCount: chunkCount, chunkChain: chunkChain)
            let counted = FlareOracleVerifier.validSigners(message: message, signers: signers, signatures: signatures)
            if counted.length < FlareOracleVerifier.threshold {
                panic("FlareOracleVerifier: not enough valid oracle signatures: \(counted.length) of \(FlareOracleVerifier.threshold)")
            }
            emit WindowResumed(window: window, votingRound: votingRound, digest: String.encodeHex(digest.toVariableSized()), fromLine: fromLine, chunkCount: chunkCount, signers: counted)
        }
    }

    /// Makes the one Acceptor. Only code deployed on this account can call it (FlareFDCTriggers
    /// does, at its deployment), and only once.
    access(account) fun issueAcceptor(): @Acceptor {
        pre {
            !self.acceptorIssued: "FlareOracleVerifier: the Acceptor was issued already; there is only one"
        }
        self.acceptorIssued = true
        let acceptor <- create Acceptor()
        emit AcceptorIssued(acceptorId: acceptor.uuid)
        return <- acceptor
    }

    /// The signed data of a resume attestation (9 ABI words): a new chunk chain for lines
    /// `fromLine`.. of an accepted window's report.
    access(all) fun resumeAttestation(window: UInt64, digest: [UInt8; 32], votingRound: UInt64, fromLine: UInt64, chunkCount: UInt64, chunkChain: [UInt8; 32]): [UInt8] {
        return EVM.encodeABI([
            EVM.EVMBytes32(value: self.OracleResumeDomain),
            self.coston2ChainId,
            self.reportVerifier,
            window,
            EVM.EVMBytes32(value: digest),
            votingRound,
            fromLine,
            chunkCount,
            EVM.EVMBytes32(value: chunkChain)
        ])
    }

    /// The signed data of a single-transaction attestation (6 ABI words).
    access(all) fun attestation(window: UInt64, digest: [UInt8; 32], votingRound: UInt64): [UInt8] {
        return EVM.encodeABI([
            EVM.EVMBytes32(value: self.OracleDomain),
            self.coston2ChainId,
            self.reportVerifier,
            window,
            EVM.EVMBytes32(value: digest),
            votingRound
        ])
    }

    /// The signed data of a chunked attestation (8 ABI words).
    access(all) fun chunkedAttestation(window: UInt64, digest: [UInt8; 32], votingRound: UInt64, chunkCount: UInt64, chunkChain: [UInt8; 32]): [UInt8] {
        return EVM.encodeABI([
            EVM.EVMBytes32(value: self.OracleChunkedDomain),
            self.coston2ChainId,
            self.reportVerifier,
            window,
            EVM.EVMBytes32(value: digest),
            votingRound,
            chunkCount,
            EVM.EVMBytes32(value: chunkChain)
        ])
    }

    /// The distinct registered oracles whose signature over `message` is valid. An unknown or
    /// removed id, a bad signature, or an oracle named again counts nothing.
    access(all) fun validSigners(message: [UInt8], signers: [UInt64], signatures: [String]): [UInt64] {
        pre {
            signers.length == signatures.length: "FlareOracleVerifier: signers and signatures differ in length (\(signers.length) signers, \(signatures.length) signatures)"
        }
        let counted: [UInt64] = []
        var i = 0
        while i < signers.length {
            let id = signers[i]
            if !counted.contains(id) {
                if let keyBytes = self.oracleKeys[id] {
                    if self.checkSignature(keyBytes: keyBytes, message: message, signatureHex: signatures[i]) {
                        counted.append(id)
                    }
                }
            }
            i = i + 1
        }
        return counted
    }

    /// True only if at least `threshold` distinct registered oracles signed `message`.
    access(all) fun verify(message: [UInt8], signers: [UInt64], signatures: [String]): Bool {
        return self.validSigners(message: message, signers: signers, signatures: signatures).length >= self.threshold
    }

    /// The registered oracles: id -> public key hex.
    access(all) fun getOracles(): {UInt64: String} {
        let out: {UInt64: String} = {}
        for id in self.oracleKeys.keys {
            out[id] = String.encodeHex(self.oracleKeys[id]!)
        }
        return out
    }

    /// Parses and validates a 128-hex-char secp256k1 public key; panics with the reason.
    access(all) fun decodePublicKey(_ hex: String): [UInt8] {
        if hex.length != 128 {
            panic("FlareOracleVerifier: a public key is 64 bytes (128 hex chars, no 04 prefix), not \(hex.length) hex chars")
        }
        let bytes = hex.decodeHex()
        // The constructor rejects a point that is not on the curve.
        let _ = PublicKey(publicKey: bytes, signatureAlgorithm: SignatureAlgorithm.ECDSA_secp256k1)
        return bytes
    }

    access(self) fun checkSignature(keyBytes: [UInt8], message: [UInt8], signatureHex: String): Bool {
        // A malformed signature is a bad signature, not a reason to abort the whole report.
        if signatureHex.length != 128 {
            return false
        }
        for c in signatureHex.utf8 {
            if !((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70)) {
                return false
            }
        }
        let key = PublicKey(publicKey: keyBytes, signatureAlgorithm: SignatureAlgorithm.ECDSA_secp256k1)
        return key.verify(
            signature: signatureHex.decodeHex(),
            signedData: message,
            domainSeparationTag: "",
            hashAlgorithm: HashAlgorithm.KECCAK_256
        )
    }

    init() {
        self.AdminStoragePath = /storage/flareFlowOracleAdmin
        self.OracleDomain = HashAlgorithm.KECCAK_256.hash("FlareFlow.OracleAttestation.v1".utf8).toConstantSized<[UInt8; 32]>()!
        self.OracleChunkedDomain = HashAlgorithm.KECCAK_256.hash("FlareFlow.OracleAttestation.Chunked.v1".utf8).toConstantSized<[UInt8; 32]>()!
        self.oracleKeys = {}
        self.idsByKey = {}
        self.nextOracleId = 1
        // Until the admin registers oracles and sets a threshold, nothing can be accepted.
        self.threshold = 1
        // Coston2; the verifier address is set by the admin after the Solidity deployment.
        self.coston2ChainId = 114
        self.reportVerifier = EVM.EVMAddress(bytes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        self.OracleResumeDomain = HashAlgorithm.KECCAK_256.hash("FlareFlow.OracleAttestation.Resume.v1".utf8).toConstantSized<[UInt8; 32]>()!
        self.lastAcceptedWindow = nil
        self.acceptorIssued = false
        self.account.storage.save(<- create Admin(), to: self.AdminStoragePath)
    }
}
