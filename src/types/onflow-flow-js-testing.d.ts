// @onflow/flow-js-testing ships no declarations; this types the part the tests use.
declare module "@onflow/flow-js-testing" {
  export type Result<T> = [T | null, Error | string | null];
  export function init(basePath: string, props?: { port?: number; pkey?: string }): Promise<void>;
  export const emulator: {
    start(options?: { execName?: string; logging?: boolean; flags?: string; signatureCheck?: boolean }): Promise<boolean>;
    stop(): Promise<boolean>;
  };
  export function executeScript(options: { code: string; args?: unknown[] }): Promise<Result<unknown>>;
  export function sendTransaction(options: { code: string; args?: unknown[]; signers?: string[] }): Promise<Result<unknown>>;
  export function getAccountAddress(name: string): Promise<string>;
  export function getFlowBalance(address: string): Promise<Result<string>>;
  export function mintFlow(address: string, amount: string): Promise<Result<unknown>>;
}
