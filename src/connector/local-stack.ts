import { JsonRpcProvider, Wallet } from "ethers";
import { evmNetworks } from "../config/networks";
import { readDeployment } from "../config/deployments";
import { deployEvm } from "../deploy/evm-deploy";
import { LocalStackError } from "../local/errors";

/**
 * The EVM side of a local stack (tests and `npm run dev`): the verifier and the FDC harness on a
 * Hardhat node, idempotently. The Flow side is configureFlow (src/deploy/flow-configure.ts).
 */

/** Deploys (or finds) the FDC harness and UsageReportVerifier on a Hardhat node; returns the verifier address. */
export async function deployLocalEvm(options: {
  rpcUrl: string;
  deployerKey: string;
  publisherBaseUrl: string;
  /** The stack's window length (FlareFDCTriggers and the connector use the same). */
  windowSeconds: number;
  deploymentsDir?: string;
  log?: (line: string) => void;
}): Promise<string> {
  const provider = new JsonRpcProvider(options.rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
  try {
    const deployer = new Wallet(options.deployerKey, provider);
    await deployEvm({
      network: { ...evmNetworks.localhost, publisherBaseUrl: options.publisherBaseUrl, windowSeconds: options.windowSeconds },
      deployer,
      yes: true,
      log: options.log ?? (() => undefined),
      deploymentsDir: options.deploymentsDir,
    });
    const address = readDeployment("localhost", options.deploymentsDir).evm?.contracts.UsageReportVerifier?.address;
    if (!address) throw new LocalStackError("deploy:evm wrote no UsageReportVerifier address");
    return address;
  } finally {
    provider.destroy();
  }
}
