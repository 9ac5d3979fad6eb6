import { subtask } from "hardhat/config";
import type { HardhatUserConfig } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import "@nomicfoundation/hardhat-toolbox";
import { DEV_PORTS } from "./src/config/endpoints";
import { COSTON2_CHAIN_ID, FLARE_CHAIN_ID, liveRpcUrl } from "./src/config/networks/evm";

/**
 * The compiler is the npm package `solc` (solc-js), never a download: the
 * machines this project builds on reach only the package registries.
 */
const SOLC_VERSION = "0.8.25";

/**
 * Flare's chains run the London EVM (Flare's own starter compiles for it);
 * later targets emit PUSH0 and MCOPY, which Flare does not execute.
 */
const FLARE_EVM_VERSION = "london";

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }, _hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) {
    return runSuper(args);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require("solc") as { version(): string };
  const longVersion = solc.version().replace(/\.Emscripten.*$/, "");
  return {
    compilerPath: require.resolve("solc/soljson.js"),
    isSolcJs: true,
    version: SOLC_VERSION,
    longVersion,
  };
});

/** Deployer key for live networks: from the environment only, never committed. */
function liveAccounts(): string[] {
  const key = process.env.EVM_DEPLOYER_KEY;
  return key ? [key.startsWith("0x") ? key : `0x${key}`] : [];
}

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    settings: {
      evmVersion: FLARE_EVM_VERSION,
      optimizer: { enabled: true, runs: 200 },
    },
  },
  paths: {
    sources: "solidity/contracts",
    tests: "test/evm",
    cache: "cache",
    artifacts: "artifacts",
  },
  typechain: {
    outDir: "src/evm/typechain",
    target: "ethers-v6",
  },
  networks: {
    hardhat: {
      // The FDC harness lays Flare's registry at its real address with hardhat_setCode.
      allowUnlimitedContractSize: false,
    },
    localhost: {
      url: process.env.HARDHAT_RPC_URL ?? `http://127.0.0.1:${DEV_PORTS.hardhat}`,
    },
    coston2: {
      url: liveRpcUrl("coston2"),
      chainId: COSTON2_CHAIN_ID,
      accounts: liveAccounts(),
    },
    flare: {
      url: liveRpcUrl("flare"),
      chainId: FLARE_CHAIN_ID,
      accounts: liveAccounts(),
    },
  },
  mocha: {
    timeout: 120_000,
  },
};

export default config;
