import { AbiCoder, keccak256, zeroPadValue, type Signer } from "ethers";
import {
  FdcHubStandIn__factory,
  FdcRequestFeeConfigurationsStandIn__factory,
  FdcVerificationStandIn__factory,
  FlareContractRegistryStandIn__factory,
  RelayStandIn__factory,
  type FdcHubStandIn,
  type FdcRequestFeeConfigurationsStandIn,
  type FdcVerificationStandIn,
  type FlareContractRegistryStandIn,
  type RelayStandIn,
} from "../evm/typechain";
import { FDC_PROTOCOL_ID, PUBLIC_WEB2_SOURCE_ID, WEB2JSON_ATTESTATION_TYPE } from "./web2json";
import { HARDHAT_CHAIN_ID } from "../config/networks/evm";
import { FlareFlowError } from "../errors";

/** deployFdcHarness refusing: it lays code at Flare's addresses, so only on a Hardhat chain it can write to. */
export class FdcHarnessError extends FlareFlowError {
  override readonly name = "FdcHarnessError";
  override readonly docs = "README.md#what-is-real-here-and-what-is-a-stand-in";
}

/**
 * The local FDC harness: stand-ins for Flare's contract registry, Relay, FdcVerification, FdcHub
 * and FdcRequestFeeConfigurations on a Hardhat network, with the registry at Flare's real address
 * so production code (the periphery's `ContractRegistry` library) runs unchanged.
 * Hardhat networks only (it uses hardhat_setCode / hardhat_setStorageAt).
 */

/** Flare's contract registry address (ContractRegistry.FLARE_CONTRACT_REGISTRY_ADDRESS). */
export const FLARE_CONTRACT_REGISTRY_ADDRESS = "0xaD67FE66660Fb8dFE9d6b1b4240d8650e30F6019";

/** Length of a Flare voting round (voting epoch) in seconds. */
export const VOTING_EPOCH_SECONDS = 90;

/** Default Web2Json request fee of the fee stand-in (wei); any non-zero value works locally. */
export const DEFAULT_WEB2JSON_FEE = 1_000_000_000_000_000n;

/** Storage slot of FlareContractRegistryStandIn.owner. */
const REGISTRY_OWNER_SLOT = "0x0";

/** The registry key of a contract name: keccak256(abi.encode(name)). */
export function contractNameHash(name: string): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["string"], [name]));
}

export type FdcHarnessOptions = {
  /** Start of voting round 0 (unix seconds); defaults to the latest block's timestamp. */
  firstVotingRoundStartTs?: number;
  /** Fee of a Web2Json / PublicWeb2 request (wei). */
  web2JsonFee?: bigint;
};

export type FdcHarness = {
  /** The registry stand-in, at FLARE_CONTRACT_REGISTRY_ADDRESS. */
  registry: FlareContractRegistryStandIn;
  relay: RelayStandIn;
  fdcVerification: FdcVerificationStandIn;
  fdcHub: FdcHubStandIn;
  feeConfigurations: FdcRequestFeeConfigurationsStandIn;
  /** Finalizes an FDC voting round with its Merkle root (as Flare's relay would). */
  finalizeRound(votingRound: bigint | number, root: string): Promise<void>;
};

type RpcSender = { send(method: string, params: unknown[]): Promise<unknown> };

function rpcOf(signer: Signer): RpcSender {
  const provider: unknown = signer.provider;
  if (provider === null || typeof provider !== "object" || !("send" in provider)) {
    throw new FdcHarnessError("deployFdcHarness: the signer's provider cannot send raw JSON-RPC");
  }
  const send = (provider as { send: unknown }).send;
  if (typeof send !== "function") throw new FdcHarnessError("deployFdcHarness: provider.send is not a function");
  return { send: (method, params) => (send as RpcSender["send"]).call(provider, method, params) };
}

/**
 * Deploys the harness with `signer` as owner of every stand-in and registers the stand-ins under
 * Flare's names ("Relay", "FdcVerification", "FdcHub", "FdcRequestFeeConfigurations").
 * Refuses any chain but Hardhat's.
 */
export async function deployFdcHarness(signer: Signer, options: FdcHarnessOptions = {}): Promise<FdcHarness> {
  const provider = signer.provider;
  if (!provider) throw new FdcHarnessError("deployFdcHarness: the signer has no provider");
  const { chainId } = await provider.getNetwork();
  if (chainId !== BigInt(HARDHAT_CHAIN_ID)) {
    throw new FdcHarnessError(`deployFdcHarness: Hardhat networks only (chain id ${chainId}); never on a live chain`);
  }
  const rpc = rpcOf(signer);
  const owner = await signer.getAddress();

  // The registry: deploy a template, lay its code at Flare's address, write its owner slot.
  const template = await new FlareContractRegistryStandIn__factory(signer).deploy(owner);
  await template.waitForDeployment();
  const code = await provider.getCode(await template.getAddress());
  await rpc.send("hardhat_setCode", [FLARE_CONTRACT_REGISTRY_ADDRESS, code]);
  await rpc.send("hardhat_setStorageAt", [FLARE_CONTRACT_REGISTRY_ADDRESS, REGISTRY_OWNER_SLOT, zeroPadValue(owner, 32)]);
  const registry = FlareContractRegistryStandIn__factory.connect(FLARE_CONTRACT_REGISTRY_ADDRESS, signer);
  if ((await registry.owner()) !== owner) throw new FdcHarnessError("deployFdcHarness: registry owner slot not set");

  let firstVotingRoundStartTs = options.firstVotingRoundStartTs;
  if (firstVotingRoundStartTs === undefined) {
    const block = await provider.getBlock("latest");
    if (!block) throw new FdcHarnessError("deployFdcHarness: no latest block");
    firstVotingRoundStartTs = block.timestamp;
  }

  const relay = await new RelayStandIn__factory(signer).deploy(owner, firstVotingRoundStartTs, VOTING_EPOCH_SECONDS);
  await relay.waitForDeployment();
  const fdcVerification = await new FdcVerificationStandIn__factory(signer).deploy(
    await relay.getAddress(),
    FDC_PROTOCOL_ID,
  );
  await fdcVerification.waitForDeployment();
  const feeConfigurations = await new FdcRequestFeeConfigurationsStandIn__factory(signer).deploy(owner);
  await feeConfigurations.waitForDeployment();
  await (
    await feeConfigurations.setTypeAndSourceFee(
      WEB2JSON_ATTESTATION_TYPE,
      PUBLIC_WEB2_SOURCE_ID,
      options.web2JsonFee ?? DEFAULT_WEB2JSON_FEE,
    )
  ).wait();
  const fdcHub = await new FdcHubStandIn__factory(signer).deploy(owner, await feeConfigurations.getAddress());
  await fdcHub.waitForDeployment();

  const entries: Array<[string, string]> = [
    ["Relay", await relay.getAddress()],
    ["FdcVerification", await fdcVerification.getAddress()],
    ["FdcHub", await fdcHub.getAddress()],
    ["FdcRequestFeeConfigurations", await feeConfigurations.getAddress()],
  ];
  for (const [name, address] of entries) {
    await (await registry.setContractAddress(name, address)).wait();
  }

  return {
    registry,
    relay,
    fdcVerification,
    fdcHub,
    feeConfigurations,
    async finalizeRound(votingRound, root) {
      await (await relay.setMerkleRoot(FDC_PROTOCOL_ID, votingRound, root)).wait();
    },
  };
}
