import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileDurable } from "../storage/durable-file";
import { ConfigError } from "./errors";

const DEPLOYMENTS_DIR = path.resolve(__dirname, "../../deployments");

/** What deploy:flow records for a Flow network. */
export interface FlowDeployment {
  network: string;
  account: string;
  contracts: Record<string, { address: string; codeSha256: string }>;
}

/** What deploy:evm records for an EVM network. */
export interface EvmDeployment {
  network: string;
  chainId: number;
  contracts: Record<string, { address: string; bytecodeSha256: string; transactionHash?: string }>;
}

export interface DeploymentFile {
  flow?: FlowDeployment;
  evm?: EvmDeployment;
}

export function deploymentPath(network: string, dir = DEPLOYMENTS_DIR): string {
  if (!/^[a-z0-9-]+$/.test(network)) throw new ConfigError(`bad network name "${network}"`);
  return path.join(dir, `${network}.json`);
}

/** Reads deployments/<network>.json; an empty record when nothing was deployed there. */
export function readDeployment(network: string, dir = DEPLOYMENTS_DIR): DeploymentFile {
  const file = deploymentPath(network, dir);
  if (!fs.existsSync(file)) return {};
  const parsed: unknown = JSON.parse(fs.readFileSync(file, "utf8"));
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`${file}: not a deployment record`);
  }
  return parsed as DeploymentFile;
}

/** Writes the record atomically (a crash never leaves half a file). */
export function writeDeployment(network: string, record: DeploymentFile, dir = DEPLOYMENTS_DIR): void {
  writeFileDurable(deploymentPath(network, dir), `${JSON.stringify(record, null, 2)}\n`);
}
