import type { ReactNode } from "react";
import type { FlowClient } from "../services/flowClient";
import { requiredContext } from "./requiredContext";
import { PageError } from "../errors";

/** The Flow client once FCL has loaded (or why it did not), and the connected wallet's address. */
export interface Chain {
  client: FlowClient | null;
  address: string | null;
  loadError: string | null;
}

const [ChainContext, useChain] = requiredContext<Chain>("Chain");
export { useChain };

/** The page fills it from useFlow and useCurrentUser; component tests give a mock client and an address. */
export function ChainProvider({ value, children }: { value: Chain; children: ReactNode }) {
  return <ChainContext.Provider value={value}>{children}</ChainContext.Provider>;
}

/** For what the page renders only once a wallet is connected (forms, tiles, admin controls). */
export function useConnected(): { client: FlowClient; address: string } {
  const { client, address } = useChain();
  if (!client || !address) throw new PageError("rendered before the wallet library loaded and a wallet connected");
  return { client, address };
}
