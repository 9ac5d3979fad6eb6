/// True when `signatures` (hex, one per entry of `keyIndices`) are valid FCL user signatures
/// (domain tag "FLOW-V0.0-user") of `messageHex` by keys of `address` that are not revoked and
/// whose weights add up to at least 1000, the weight a transaction needs. The key service uses it
/// to let a customer prove they control their subscription's account without sending a
/// transaction. Any invalid, duplicated, unknown or revoked key makes the whole proof fail, so a
/// forged signature cannot hide behind a valid one.
access(all) fun main(address: Address, messageHex: String, keyIndices: [Int], signatures: [String]): Bool {
    if keyIndices.length == 0 || keyIndices.length != signatures.length {
        return false
    }
    let account = getAccount(address)
    let message = messageHex.decodeHex()
    let counted: {Int: Bool} = {}
    var weight: UFix64 = 0.0
    var i = 0
    while i < keyIndices.length {
        let keyIndex = keyIndices[i]
        if counted[keyIndex] != nil {
            return false
        }
        counted[keyIndex] = true
        let key = account.keys.get(keyIndex: keyIndex)
        if key == nil || key!.isRevoked {
            return false
        }
        let valid = key!.publicKey.verify(
            signature: signatures[i].decodeHex(),
            signedData: message,
            domainSeparationTag: "FLOW-V0.0-user",
            hashAlgorithm: key!.hashAlgorithm
        )
        if !valid {
            return false
        }
        weight = weight + key!.weight
        i = i + 1
    }
    return weight >= 1000.0
}
