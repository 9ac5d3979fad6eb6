// `npm run dev`: the whole stack on this machine. Until the local-stack issue
// lands it says so instead of starting half of it.
console.error(
  "npm run dev: not yet. The local stack (emulator, dev wallet, Hardhat node with the FDC harness,\n" +
    "LiteLLM-compatible server, key service, connector, page) arrives with the local-stack issue.\n" +
    "Today: `npm test` runs every test; `bash scripts/flow.sh emulator` starts the Flow emulator.",
);
process.exit(1);
