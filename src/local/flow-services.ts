import * as path from "node:path";
import { p256 } from "@noble/curves/p256";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils";
import { emulatorServiceAccount } from "../config/flow-json";
import { emulatorArgs, type EmulatorPorts } from "./emulator";
import { flowBinary, repoRoot } from "./flow-binary";
import { ManagedProcess } from "./process";

const answers = (url: string) => async () => (await fetch(url)).ok;

/** The Flow emulator of the local stack, with flow.json's service account. */
export function emulatorProcess(ports: EmulatorPorts, logDir: string): ManagedProcess {
  return new ManagedProcess({
    name: "flow-emulator",
    command: flowBinary(),
    args: emulatorArgs(ports),
    cwd: repoRoot(),
    logFile: path.join(logDir, "flow-emulator.log"),
    ready: answers(`http://127.0.0.1:${ports.rest}/v1/blocks?height=sealed`),
  });
}

/**
 * The FCL dev wallet for the emulator's service account (it creates and
 * manages test accounts from it), talking to the emulator's REST API. It signs
 * as the contract admin, so it listens on loopback only.
 */
export function devWalletProcess(port: number, accessNode: string, logDir: string): ManagedProcess {
  const service = emulatorServiceAccount();
  const publicKey = bytesToHex(p256.getPublicKey(hexToBytes(service.privateKey), false).slice(1));
  return new ManagedProcess({
    name: "dev-wallet",
    command: flowBinary(),
    args: [
      "dev-wallet",
      "--host=127.0.0.1",
      `--port=${port}`,
      `--access-node=${accessNode}`,
      `--address=${service.address}`,
      `--private-key=${service.privateKey}`,
      `--public-key=${publicKey}`,
    ],
    cwd: repoRoot(),
    logFile: path.join(logDir, "dev-wallet.log"),
    ready: answers(`http://127.0.0.1:${port}/api/`),
  });
}
