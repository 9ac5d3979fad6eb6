/**
 * npm run deploy:evm -- --network hardhat|localhost|coston2 [--yes]
 * (Hardhat takes --network; --yes reaches this script as FLAREFLOW_YES=1 or after `--`.)
 * Deploys UsageReportVerifier (and the FDC harness on Hardhat networks), idempotently.
 */
import hre from "hardhat";
import { evmNetwork } from "../src/config/networks";
import { deployEvm } from "../src/deploy/evm-deploy";
import { formatError } from "../src/errors";
import { DeployError } from "../src/deploy/errors";

async function main(): Promise<void> {
  const network = evmNetwork(hre.network.name);
  const [deployer] = await hre.ethers.getSigners();
  if (!deployer) throw new DeployError(`no deployer account for ${network.name}: set EVM_DEPLOYER_KEY`);
  const result = await deployEvm({
    network,
    deployer,
    yes: process.env.FLAREFLOW_YES === "1" || process.argv.includes("--yes"),
    log: (line) => console.log(line),
  });
  console.log(
    `deploy:evm ${network.name}: ${result.deployed.length} deployed, ${result.configured.length} configured, ${result.unchanged.length} unchanged`,
  );
}

main().catch((error: unknown) => {
  console.error(`deploy:evm failed: ${formatError(error)}`);
  process.exitCode = 1;
});
