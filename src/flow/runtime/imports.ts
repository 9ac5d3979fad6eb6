import { ConfigError } from "../../config/errors";
/**
 * Rewrites string imports (`import "FlowToken"`) into address imports for one
 * network. Cadence files keep string imports so that one file serves the
 * emulator, `flow test`, testnet and mainnet; the address comes from flow.json
 * (standard contracts) or the deployment (this project's contracts).
 */
export function resolveImports(cadence: string, addresses: Readonly<Record<string, string>>): string {
  return cadence.replace(/^(\s*)import\s+"([A-Za-z_][A-Za-z0-9_]*)"/gm, (_match, indent: string, name: string) => {
    const address = addresses[name];
    if (!address) {
      throw new ConfigError(`no address for contract ${name} on this network (flow.json or deployments/ lacks it)`);
    }
    return `${indent}import ${name} from ${address}`;
  });
}
