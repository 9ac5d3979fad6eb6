import * as path from "node:path";
import { JsonRpcProvider } from "ethers";
import { ManagedProcess } from "./process";
import { repoRoot } from "./flow-binary";

/** A `hardhat node` (Hardhat's chain 31337 with its well-known dev accounts) as a child process. */
export function hardhatNode(port: number, logDir: string): ManagedProcess {
  const url = `http://127.0.0.1:${port}`;
  return new ManagedProcess({
    name: "hardhat-node",
    command: process.execPath,
    args: [path.join(repoRoot(), "node_modules/hardhat/internal/cli/cli.js"), "node", "--hostname", "127.0.0.1", "--port", String(port)],
    cwd: repoRoot(),
    logFile: path.join(logDir, "hardhat-node.log"),
    ready: async () => {
      const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true });
      try {
        await provider.getBlockNumber();
        return true;
      } finally {
        provider.destroy();
      }
    },
  });
}
