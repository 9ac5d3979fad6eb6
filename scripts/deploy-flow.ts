/**
 * npm run deploy:flow -- --network emulator|testnet|mainnet [--yes] [--access-node URL]
 * Deploys or updates the four contracts through flow.json; idempotent.
 */
import { flowNetwork } from "../src/config/networks";
import { deployFlow } from "../src/deploy/flow-deploy";
import { flowSigner } from "../src/deploy/flow-signer";
import { formatError } from "../src/errors";

function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

async function main(argv: string[]): Promise<void> {
  const network = flowNetwork(flag(argv, "--network") ?? "emulator");
  const result = await deployFlow({
    network,
    accessNode: flag(argv, "--access-node"),
    signer: flowSigner(network),
    yes: argv.includes("--yes"),
    log: (line) => console.log(line),
  });
  console.log(
    `deploy:flow ${network.name}: ${result.added.length} added, ${result.updated.length} updated, ${result.unchanged.length} unchanged`,
  );
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`deploy:flow failed: ${formatError(error)}`);
  process.exitCode = 1;
});
