import { createHash } from "node:crypto";
import type { Signer } from "ethers";
import type { EvmNetworkConfig } from "../config/networks";
import { readDeployment, writeDeployment, type EvmDeployment } from "../config/deployments";
import { deployFdcHarness, FLARE_CONTRACT_REGISTRY_ADDRESS } from "../fdc/harness";
import { reportRequestSpec, requestSpecHash } from "../fdc/request-spec";
import { UsageReportVerifier__factory } from "../evm/typechain";
import { WINDOW_SECONDS_BOUNDS } from "../report";
import { DeployError } from "./errors";

export interface EvmDeployOptions {
  network: EvmNetworkConfig;
  deployer: Signer;
  yes: boolean;
  log: (line: string) => void;
  deploymentsDir?: string;
}

export interface EvmDeployResult {
  deployed: string[];
  configured: string[];
  unchanged: string[];
  sent: boolean;
}

const sha256 = (hex: string) => createHash("sha256").update(hex.replace(/^0x/, ""), "hex").digest("hex");

/**
 * Deploys UsageReportVerifier (and, on Hardhat networks, the local FDC
 * harness) idempotently, then brings its configuration (publisher URL, pinned
 * request, window length) to what this project's code says. Live networks need
 * `yes`. The window length can change only before the verifier's first
 * verified window; a verifier that verified windows of another length is an
 * error (its window ids mean other times), and nothing is sent.
 */
export async function deployEvm(options: EvmDeployOptions): Promise<EvmDeployResult> {
  const { network, deployer, log } = options;
  const provider = deployer.provider;
  if (!provider) throw new DeployError("deploy:evm: the deployer has no provider");
  const { chainId } = await provider.getNetwork();
  if (chainId !== BigInt(network.chainId)) {
    throw new DeployError(`deploy:evm: ${network.name} should be chain ${network.chainId}, the RPC says ${chainId}`);
  }
  const baseUrl = network.publisherBaseUrl;
  if (!baseUrl) throw new DeployError(`deploy:evm ${network.name}: set FLAREFLOW_PUBLISHER_URL (the public HTTPS address of the report publisher)`);
  const windowSeconds = network.windowSeconds;
  if (!Number.isSafeInteger(windowSeconds) || windowSeconds < WINDOW_SECONDS_BOUNDS.min || windowSeconds > WINDOW_SECONDS_BOUNDS.max) {
    throw new DeployError(
      `deploy:evm ${network.name}: the window length must be a whole number of seconds in [${WINDOW_SECONDS_BOUNDS.min}, ${WINDOW_SECONDS_BOUNDS.max}], got ${String(windowSeconds)} (FLAREFLOW_WINDOW_SECONDS locally)`,
    );
  }
  const spec = reportRequestSpec();
  const factory = new UsageReportVerifier__factory(deployer);
  const artifactSha256 = sha256(UsageReportVerifier__factory.bytecode);

  const record = readDeployment(network.name, options.deploymentsDir);
  const known = record.evm?.contracts.UsageReportVerifier;
  const code = known ? await provider.getCode(known.address) : "0x";
  const current = known && code !== "0x" && known.bytecodeSha256 === artifactSha256 ? known : undefined;
  const harnessThere = (await provider.getCode(FLARE_CONTRACT_REGISTRY_ADDRESS)) !== "0x";

  const result: EvmDeployResult = { deployed: [], configured: [], unchanged: [], sent: false };
  const plan: string[] = [];
  if (network.fdcHarness && !harnessThere) plan.push("deploy the local FDC harness at Flare's registry address");
  if (!current) plan.push(`deploy UsageReportVerifier (publisher ${baseUrl}, ${windowSeconds}-s windows)`);
  let verifier = current ? UsageReportVerifier__factory.connect(current.address, deployer) : undefined;
  const specIsPinned = async () =>
    verifier !== undefined &&
    (await verifier.requestSpecHash()) === requestSpecHash(spec) &&
    (await verifier.sourceId()) === spec.sourceId;
  if (verifier) {
    if ((await verifier.publisherBaseUrl()) !== baseUrl) plan.push(`set publisher base URL to ${baseUrl}`);
    if (!(await specIsPinned())) plan.push("set the pinned request spec");
    const deployedWindow = await verifier.windowSeconds();
    if (deployedWindow !== BigInt(windowSeconds)) {
      const [hasVerified, lastWindow] = await verifier.lastWindow();
      if (hasVerified) {
        throw new DeployError(
          `deploy:evm ${network.name}: UsageReportVerifier at ${current?.address} verified windows of ${deployedWindow} s (last ${lastWindow}); ` +
            `the configuration says ${windowSeconds} s, which it can no longer take. Keep ${deployedWindow} s or deploy a new verifier (remove its record in deployments/${network.name}.json). Nothing sent.`,
        );
      }
      plan.push(`set the window length from ${deployedWindow} s to ${windowSeconds} s`);
    }
  }
  if (plan.length === 0) {
    log(`${network.name}: nothing to do, UsageReportVerifier at ${current?.address} is deployed and configured`);
    result.unchanged.push("UsageReportVerifier");
    return result;
  }
  for (const step of plan) log(`${network.name}: plan: ${step}`);
  if (network.live && !options.yes) {
    log(`${network.name} is live: nothing sent. Re-run with --yes to apply the plan above.`);
    return result;
  }

  if (network.fdcHarness && !harnessThere) {
    await deployFdcHarness(deployer);
    result.deployed.push("FdcHarness");
    log(`${network.name}: FDC harness deployed`);
  }
  let transactionHash = known?.transactionHash;
  if (!verifier) {
    const contract = await factory.deploy(await deployer.getAddress(), baseUrl, spec, windowSeconds);
    const receipt = await contract.deploymentTransaction()?.wait();
    verifier = UsageReportVerifier__factory.connect(await contract.getAddress(), deployer);
    transactionHash = receipt?.hash;
    result.deployed.push("UsageReportVerifier");
    log(`${network.name}: UsageReportVerifier deployed at ${await contract.getAddress()} (tx ${transactionHash})`);
  } else {
    if ((await verifier.publisherBaseUrl()) !== baseUrl) {
      await (await verifier.setPublisherBaseUrl(baseUrl)).wait();
      result.configured.push("publisherBaseUrl");
    }
    if (!(await specIsPinned())) {
      await (await verifier.setRequestSpec(spec)).wait();
      result.configured.push("requestSpec");
    }
    if ((await verifier.windowSeconds()) !== BigInt(windowSeconds)) {
      await (await verifier.setWindowSeconds(windowSeconds)).wait();
      result.configured.push("windowSeconds");
    }
    log(`${network.name}: configured ${result.configured.join(", ")}`);
  }
  result.sent = true;

  const evm: EvmDeployment = {
    network: network.name,
    chainId: network.chainId,
    contracts: {
      UsageReportVerifier: {
        address: await verifier.getAddress(),
        bytecodeSha256: artifactSha256,
        ...(transactionHash ? { transactionHash } : {}),
      },
    },
  };
  writeDeployment(network.name, { ...record, evm }, options.deploymentsDir);
  return result;
}
