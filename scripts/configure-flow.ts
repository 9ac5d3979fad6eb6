/**
 * npm run configure:flow -- --network emulator|testnet|mainnet [--yes] [--access-node URL]
 * After deploy:flow and deploy:evm: pricing, window length, oracle keys and quorum, and the
 * verifier the oracles attest to, from the network's module in src/config/networks. Idempotent.
 */
import { contractAddresses } from "../src/config/flow-json";
import { flowNetwork } from "../src/config/networks";
import { readDeployment } from "../src/config/deployments";
import { configureFlow } from "../src/deploy/flow-configure";
import { flowSigner } from "../src/deploy/flow-signer";
import { formatError } from "../src/errors";

function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

async function main(argv: string[]): Promise<void> {
  const network = flowNetwork(flag(argv, "--network") ?? "emulator");
  const signer = flowSigner(network);
  const account = readDeployment(network.name).flow?.account ?? signer.address;
  const result = await configureFlow({
    network,
    flow: { accessNode: flag(argv, "--access-node") ?? network.accessNode, addresses: contractAddresses(network.name, account) },
    signer,
    yes: argv.includes("--yes"),
    log: (line) => console.log(line),
  });
  console.log(`configure:flow ${network.name}: ${result.steps.length} change(s)${result.sent ? " sent" : ""}`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`configure:flow failed: ${formatError(error)}`);
  process.exitCode = 1;
});
