import { JsonRpcProvider, Wallet } from "ethers";
import { evmNetworks } from "../config/networks";
import { readDeployment } from "../config/deployments";
import { deployEvm } from "../deploy/evm-deploy";
import { keyAuthorization, runScript, sendTransaction, type FlowContext, type KeySigner } from "../flow/runtime";
import { oracleGetConfig } from "../flow/generated/scripts";
import { oracleRegisterOracle, oracleSetSource, oracleSetThreshold } from "../flow/generated/transactions";
import { oraclePublicKey } from "../report";

/**
 * Wiring the connector needs on a local stack (tests and `npm run dev`): the verifier and FDC
 * harness on the Hardhat node, and the oracle registry on the emulator. Both idempotent.
 */

/** Deploys (or finds) the FDC harness and UsageReportVerifier on a Hardhat node; returns the verifier address. */
export async function deployLocalEvm(options: { rpcUrl: string; deployerKey: string; publisherBaseUrl: string; deploymentsDir?: string; log?: (line: string) => void }): Promise<string> {
  const provider = new JsonRpcProvider(options.rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
  try {
    const deployer = new Wallet(options.deployerKey, provider);
    await deployEvm({
      network: { ...evmNetworks.localhost, publisherBaseUrl: options.publisherBaseUrl },
      deployer,
      yes: true,
      log: options.log ?? (() => undefined),
      deploymentsDir: options.deploymentsDir,
    });
    const address = readDeployment("localhost", options.deploymentsDir).evm?.contracts.UsageReportVerifier?.address;
    if (!address) throw new Error("deploy:evm wrote no UsageReportVerifier address");
    return address;
  } finally {
    provider.destroy();
  }
}

/** Registers the oracle keys (those not yet registered), the threshold and the Coston2 source on Flow. */
export async function configureLocalOracles(
  flow: FlowContext,
  admin: KeySigner,
  options: { oracleKeys: readonly string[]; threshold: number; chainId: bigint; verifierAddress: string },
): Promise<void> {
  const authz = keyAuthorization(admin);
  const config = await runScript(flow, oracleGetConfig, {});
  const registered = new Set(Object.values((config.oracles ?? {}) as Record<string, string>).map((k) => k.toLowerCase()));
  for (const key of options.oracleKeys) {
    const publicKey = oraclePublicKey(key);
    if (!registered.has(publicKey.toLowerCase())) await sendTransaction(flow, oracleRegisterOracle, { publicKey }, authz);
  }
  if (Number(config.threshold) !== options.threshold) await sendTransaction(flow, oracleSetThreshold, { threshold: options.threshold }, authz);
  await sendTransaction(flow, oracleSetSource, { coston2ChainId: options.chainId, verifier: options.verifierAddress }, authz);
}
