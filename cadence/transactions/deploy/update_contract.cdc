/// Replaces the code of contract `name` on the signer's account with `code`.
/// Cadence's update rules apply (no field removed, no type changed); the
/// deploy script shows the change before it sends this.
transaction(name: String, code: String) {
    prepare(signer: auth(UpdateContract) &Account) {
        assert(
            signer.contracts.get(name: name) != nil,
            message: "contract \(name) is not deployed on this account: add it instead"
        )
        let _ = signer.contracts.update(name: name, code: code.utf8)
    }
}
