import { accountKeyAlgorithms, emulatorServiceAccount } from "../config/flow-json";
import type { FlowNetworkConfig } from "../config/networks";
import type { KeySigner } from "../flow/runtime";
import { DeployError } from "./errors";

/**
 * The key that deploys to `network`: flow.json's emulator account locally;
 * on live networks the address and private key come from the environment
 * (FLAREFLOW_TESTNET_ADDRESS / FLAREFLOW_TESTNET_PRIVATE_KEY, and the same
 * for MAINNET), never from a committed file.
 */
export function flowSigner(network: FlowNetworkConfig, env: NodeJS.ProcessEnv = process.env): KeySigner {
  if (!network.live) {
    const service = emulatorServiceAccount();
    return { ...service, keyIndex: 0 };
  }
  const prefix = `FLAREFLOW_${network.name.toUpperCase()}`;
  const address = env[`${prefix}_ADDRESS`];
  const privateKey = env[`${prefix}_PRIVATE_KEY`];
  if (!address || !privateKey) {
    throw new DeployError(`${network.name}: set ${prefix}_ADDRESS and ${prefix}_PRIVATE_KEY (the deploying account's key; never commit it)`);
  }
  if (!/^(0x)?[0-9a-fA-F]{64}$/.test(privateKey)) {
    throw new DeployError(`${prefix}_PRIVATE_KEY must be 32 bytes of hex`);
  }
  return {
    address,
    privateKey: privateKey.replace(/^0x/, ""),
    keyIndex: Number(env[`${prefix}_KEY_INDEX`] ?? 0),
    ...accountKeyAlgorithms(network.deployAccount),
  };
}
