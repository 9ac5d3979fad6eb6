import { useEffect, useState } from "react";
import { useServices } from "../services/context";
import type { FlowClient } from "../services/flowClient";
import { errorText } from "../format";

export interface FlowState {
  client: FlowClient | null;
  error: string | null;
}

const cache = new WeakMap<() => Promise<FlowClient>, Promise<FlowClient>>();

/** The Flow client, loaded after the first paint (its chunk holds FCL); one load per page. */
export function useFlow(): FlowState {
  const { loadFlow } = useServices();
  const [state, setState] = useState<FlowState>({ client: null, error: null });
  useEffect(() => {
    let live = true;
    let pending = cache.get(loadFlow);
    if (!pending) {
      pending = loadFlow();
      cache.set(loadFlow, pending);
    }
    pending.then(
      (client) => live && setState({ client, error: null }),
      (error: unknown) => live && setState({ client: null, error: `The wallet library did not load: ${errorText(error)}` }),
    );
    return () => {
      live = false;
    };
  }, [loadFlow]);
  return state;
}
