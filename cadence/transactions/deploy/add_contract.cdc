/// Deploys contract `name` with source `code` to the signer's account. Used by
/// `npm run deploy:flow`; fails if a contract of that name is already there.
transaction(name: String, code: String) {
    prepare(signer: auth(AddContract) &Account) {
        assert(
            signer.contracts.get(name: name) == nil,
            message: "contract \(name) is already deployed on this account: update it instead"
        )
        let _ = signer.contracts.add(name: name, code: code.utf8)
    }
}
