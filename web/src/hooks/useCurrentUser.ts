import { useEffect, useState } from "react";
import type { FlowClient } from "../services/flowClient";

/** The connected wallet's address, or null; follows FCL's current user. */
export function useCurrentUser(client: FlowClient | null): string | null {
  const [address, setAddress] = useState<string | null>(null);
  useEffect(() => {
    if (!client) return undefined;
    return client.onUser((user) => setAddress(user.address));
  }, [client]);
  return address;
}
