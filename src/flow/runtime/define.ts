import type { Codec } from "./codec";

export type Params = readonly (readonly [string, Codec<never, unknown>])[];

/** A Cadence script with typed arguments and a typed, validated result. */
export interface ScriptDefinition<Args, Result> {
  readonly kind: "script";
  readonly name: string;
  readonly source: string;
  readonly cadence: string;
  readonly params: Params;
  readonly result: Codec<never, Result>;
  /** Phantom: the argument object type. */
  readonly argsType?: Args;
}

/** A Cadence transaction with typed arguments. */
export interface TransactionDefinition<Args> {
  readonly kind: "transaction";
  readonly name: string;
  readonly source: string;
  readonly cadence: string;
  readonly params: Params;
  readonly argsType?: Args;
}

export function defineScript<Args, Result>(d: Omit<ScriptDefinition<Args, Result>, "kind">): ScriptDefinition<Args, Result> {
  return { kind: "script", ...d };
}

export function defineTransaction<Args>(d: Omit<TransactionDefinition<Args>, "kind">): TransactionDefinition<Args> {
  return { kind: "transaction", ...d };
}
