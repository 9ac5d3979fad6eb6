import { useCallback, useMemo, useState, type ReactNode } from "react";
import { errorText } from "../format";
import { useServices } from "../services/context";
import { requiredContext } from "./requiredContext";
import { useChain } from "./useChain";
import type { KeySession } from "../services/keyService";

export interface KeySessionState {
  session: KeySession | null;
  signingIn: boolean;
  error: string | null;
  /** Asks the wallet to sign the key service's nonce; one signature serves every tile. */
  signIn: () => Promise<KeySession | null>;
  available: boolean;
}

const [KeySessionContext, useKeySession] = requiredContext<KeySessionState>("KeySession");
export { useKeySession };

export function KeySessionProvider({ children }: { children: ReactNode }) {
  const { keys } = useServices();
  const { client, address } = useChain();
  const [session, setSession] = useState<KeySession | null>(null);
  const [signingIn, setSigningIn] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // A session belongs to one address: another wallet must sign again.
  const current = session && session.address === address ? session : null;
  const signIn = useCallback(async () => {
    if (current) return current;
    if (!keys || !client || !address) return null;
    setSigningIn(true);
    setError(null);
    try {
      const next = await keys.signIn(address, (messageHex) => client.signMessage(messageHex));
      setSession(next);
      return next;
    } catch (e) {
      setError(errorText(e));
      return null;
    } finally {
      setSigningIn(false);
    }
  }, [current, keys, client, address]);
  const value = useMemo(
    () => ({ session: current, signingIn, error, signIn, available: keys !== null }),
    [current, signingIn, error, signIn, keys],
  );
  return <KeySessionContext.Provider value={value}>{children}</KeySessionContext.Provider>;
}
