import * as path from "node:path";
import { defineConfig, loadEnv } from "vite";
import react from "@vitejs/plugin-react";
import { contractAddresses } from "../src/config/flow-json";

/**
 * What the dev server may serve through `/@fs/`: the page (web/), the shared TypeScript it imports
 * (src/) and its packages (node_modules/). Vite's default is the whole repository, which would
 * hand any page on this machine the local stack's journals, LiteLLM state and logs (.flareflow/).
 */
const REPO = path.resolve(__dirname, "..");
const SERVED = [__dirname, path.join(REPO, "src"), path.join(REPO, "node_modules")];

/** The emulator's service account, where deploy:flow puts the contracts on the emulator. */
const EMULATOR_CONTRACTS = "0xf8d6e0586b0a20c7";

/**
 * The page learns where every imported contract lives from VITE_FLOW_ADDRESSES, which this config
 * derives from flow.json (standard contracts per network) and VITE_FLOW_CONTRACTS_ADDRESS (the
 * project's four); the browser never sees flow.json itself.
 */
export default defineConfig(({ mode }) => {
  const env = loadEnv(mode, process.cwd(), "VITE_");
  const network = env.VITE_FLOW_NETWORK ?? "emulator";
  if (network !== "emulator" && network !== "testnet" && network !== "mainnet") {
    throw new Error(`VITE_FLOW_NETWORK must be emulator, testnet or mainnet (got ${network})`);
  }
  const deployedTo = env.VITE_FLOW_CONTRACTS_ADDRESS ?? (network === "emulator" ? EMULATOR_CONTRACTS : undefined);
  const addresses = env.VITE_FLOW_ADDRESSES ?? JSON.stringify(contractAddresses(network, deployedTo));
  return {
    root: __dirname,
    plugins: [react()],
    define: { "import.meta.env.VITE_FLOW_ADDRESSES": JSON.stringify(addresses) },
    server: {
      port: Number(env.VITE_PORT ?? 3003),
      strictPort: true,
      fs: { strict: true, allow: SERVED, deny: [".env", ".env.*", "*.{crt,pem,key}", "**/.flareflow/**", "**/.git/**"] },
    },
    build: { outDir: "dist", emptyOutDir: true, manifest: true },
  };
});
