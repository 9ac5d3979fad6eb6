import { useCallback, useState } from "react";
import type { OnStatus } from "../services/flowClient";
import { errorText } from "../format";

export type TxState =
  | { kind: "idle" }
  | { kind: "signing" }
  | { kind: "pending" }
  | { kind: "sealed"; transactionId: string }
  | { kind: "error"; message: string };

/** One transaction's progress in words: signing, pending, sealed, or the error. */
export function useTransaction() {
  const [state, setState] = useState<TxState>({ kind: "idle" });
  const run = useCallback(async <T,>(send: (onStatus: OnStatus) => Promise<T>, idOf: (result: T) => string): Promise<T | null> => {
    setState({ kind: "signing" });
    try {
      const result = await send((status) => {
        if (status === "signing") setState({ kind: "signing" });
        else if (status === "pending") setState({ kind: "pending" });
      });
      setState({ kind: "sealed", transactionId: idOf(result) });
      return result;
    } catch (error) {
      setState({ kind: "error", message: errorText(error) });
      return null;
    }
  }, []);
  const reset = useCallback(() => setState({ kind: "idle" }), []);
  return { state, run, reset, busy: state.kind === "signing" || state.kind === "pending" };
}
