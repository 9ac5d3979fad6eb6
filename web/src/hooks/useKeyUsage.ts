import { useCallback, useEffect, useState } from "react";
import { errorText } from "../format";
import type { KeySession, KeyUsage } from "../services/keyService";

export interface KeyUsageState {
  usage: KeyUsage | null;
  error: string | null;
  /** When the last answer arrived (ms since epoch). */
  updatedAt: number | null;
  /** Reads again now (asks the wallet when each read needs its own signature). */
  refresh: () => void;
}

/**
 * A subscription's pending usage while a key-service session exists: polled when the service
 * allows it without a signature per read, otherwise read once and on refresh.
 */
export function useKeyUsage(session: KeySession | null, subscriptionId: bigint, pollMs: number): KeyUsageState {
  const [state, setState] = useState<Omit<KeyUsageState, "refresh">>({ usage: null, error: null, updatedAt: null });
  const [tick, setTick] = useState(0);
  const refresh = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    if (!session) return undefined;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const usage = await session.usage(subscriptionId);
        if (live) setState({ usage, error: null, updatedAt: Date.now() });
      } catch (e) {
        if (live) setState((s) => ({ ...s, error: errorText(e) }));
      }
      if (live && session.pollable) timer = setTimeout(poll, pollMs);
    };
    void poll();
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
    };
  }, [session, subscriptionId, pollMs, tick]);
  return { ...state, refresh };
}
