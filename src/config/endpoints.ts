/**
 * Where the project's services are by default, with nothing read from the environment, so that
 * the page can share it: the node side's configs (src/config/networks, src/litellm/config.ts, the
 * connector's) put their variables in front of these, the page its VITE_ ones.
 */

/** Every port the local stack listens on (all on 127.0.0.1). */
export interface StackPorts {
  flowRest: number;
  flowGrpc: number;
  flowAdmin: number;
  flowDebugger: number;
  devWallet: number;
  hardhat: number;
  litellm: number;
  publisher: number;
  flare: number;
  keyService: number;
  web: number;
}

/**
 * `npm run dev`'s ports: the ones the README names, and the default of every local address below,
 * the page's included.
 */
export const DEV_PORTS: StackPorts = {
  flowRest: 8888,
  flowGrpc: 3569,
  flowAdmin: 8080,
  flowDebugger: 2345,
  devWallet: 8701,
  hardhat: 8545,
  litellm: 4000,
  publisher: 8790,
  flare: 8791,
  keyService: 8702,
  web: 3003,
};

/** The Flow networks' access nodes (REST) and FCL wallet discovery (the dev wallet on the emulator). */
export const FLOW_ENDPOINTS: Record<"emulator" | "testnet" | "mainnet", { accessNode: string; walletDiscovery: string }> = {
  emulator: { accessNode: `http://127.0.0.1:${DEV_PORTS.flowRest}`, walletDiscovery: `http://127.0.0.1:${DEV_PORTS.devWallet}/fcl/authn` },
  testnet: { accessNode: "https://rest-testnet.onflow.org", walletDiscovery: "https://fcl-discovery.onflow.org/testnet/authn" },
  mainnet: { accessNode: "https://rest-mainnet.onflow.org", walletDiscovery: "https://fcl-discovery.onflow.org/authn" },
};
