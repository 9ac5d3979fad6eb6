import * as fcl from "@onflow/fcl";
import type { AuthorizationFunction, FlowEvent, TransactionStatus } from "@onflow/fcl";
import { fclArgs } from "./codec";
import type { ScriptDefinition, TransactionDefinition } from "./define";
import { resolveImports } from "./imports";
import { FlareFlowError, type FlareFlowErrorOptions, messageOf } from "../../errors";

/** Where Cadence runs: the access node and the address of every imported contract. */
export interface FlowContext {
  accessNode: string;
  addresses: Readonly<Record<string, string>>;
}

function configure(ctx: FlowContext): void {
  fcl.config().put("accessNode.api", ctx.accessNode);
}

/** Runs a generated script binding and returns its validated result. */
export async function runScript<Args, Result>(
  ctx: FlowContext,
  script: ScriptDefinition<Args, Result>,
  args: Args,
): Promise<Result> {
  configure(ctx);
  const raw = await fcl.query({
    cadence: resolveImports(script.cadence, ctx.addresses),
    args: fclArgs(script.params, args as Record<string, unknown>),
  });
  return script.result.decode(raw as never, script.name);
}

export class TransactionError extends FlareFlowError {
  override readonly name = "TransactionError";
  override readonly docs = "README.md#billing-rules-and-trust";
  constructor(
    readonly transaction: string,
    readonly transactionId: string | undefined,
    readonly cadenceError: string,
    options?: FlareFlowErrorOptions,
  ) {
    super(`${transaction} failed: ${cadenceError}`, options);
  }
}

export interface SealedTransaction {
  transactionId: string;
  events: FlowEvent[];
  status: TransactionStatus;
}

/**
 * Sends a generated transaction binding signed by `signer` (proposer, payer and
 * sole authorizer) and waits until it is sealed. A Cadence panic or failed
 * pre-condition becomes a TransactionError carrying Cadence's message.
 */
export async function sendTransaction<Args>(
  ctx: FlowContext,
  transaction: TransactionDefinition<Args>,
  args: Args,
  signer: AuthorizationFunction,
  options: { computeLimit?: number; onStatus?: (status: string) => void } = {},
): Promise<SealedTransaction> {
  configure(ctx);
  let transactionId: string | undefined;
  try {
    transactionId = await fcl.mutate({
      cadence: resolveImports(transaction.cadence, ctx.addresses),
      args: fclArgs(transaction.params, args as Record<string, unknown>),
      proposer: signer,
      payer: signer,
      authorizations: [signer],
      limit: options.computeLimit ?? 9999,
    });
    options.onStatus?.("pending");
    const status = await fcl.tx(transactionId).onceSealed();
    if (status.errorMessage) throw new TransactionError(transaction.name, transactionId, status.errorMessage);
    options.onStatus?.("sealed");
    return { transactionId, events: status.events, status };
  } catch (error) {
    if (error instanceof TransactionError) throw error;
    const message = messageOf(error);
    throw new TransactionError(transaction.name, transactionId, message, { cause: error });
  }
}

/** The payloads of one event type among a transaction's events. */
export function eventsOf(sealed: SealedTransaction, suffix: string): unknown[] {
  return sealed.events.filter((e) => e.type.endsWith(suffix)).map((e) => e.data);
}
