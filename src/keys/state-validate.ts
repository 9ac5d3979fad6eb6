/**
 * Checks what is read back from the state file: it is external input like any
 * other (a hand edit, a disk error, a file from another version).
 */
import type { SealedKey } from "./crypto";
import type { Cursor, KeyGeneration, Lifecycle, SubscriptionRecord } from "./state";
import { FlareFlowError } from "../errors";

export class StateFileError extends FlareFlowError {
  override readonly name = "StateFileError";
  override readonly docs = "README.md#services";
}

type Obj = Record<string, unknown>;

function obj(v: unknown, path: string): Obj {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new StateFileError(`${path}: expected an object`);
  return v as Obj;
}
function str(v: unknown, path: string): string {
  if (typeof v !== "string") throw new StateFileError(`${path}: expected a string`);
  return v;
}
function nat(v: unknown, path: string): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) throw new StateFileError(`${path}: expected a non-negative integer`);
  return v;
}
function bool(v: unknown, path: string): boolean {
  if (typeof v !== "boolean") throw new StateFileError(`${path}: expected a boolean`);
  return v;
}
function oneOf<T extends string>(v: unknown, options: readonly T[], path: string): T {
  if (typeof v !== "string" || !(options as readonly string[]).includes(v)) {
    throw new StateFileError(`${path}: expected one of ${options.join(", ")}`);
  }
  return v as T;
}
function strings(v: unknown, path: string): string[] {
  if (!Array.isArray(v)) throw new StateFileError(`${path}: expected an array`);
  return v.map((x, i) => str(x, `${path}[${i}]`));
}

export function parseCursor(v: unknown, path: string): Cursor {
  const o = obj(v, path);
  const last = o["last"] === null ? null : obj(o["last"], `${path}.last`);
  return {
    height: nat(o["height"], `${path}.height`),
    last: last === null ? null : { transactionIndex: nat(last["transactionIndex"], `${path}.last.transactionIndex`), eventIndex: nat(last["eventIndex"], `${path}.last.eventIndex`) },
  };
}

function parseSealed(v: unknown, path: string): SealedKey | null {
  if (v === null) return null;
  const o = obj(v, path);
  return { iv: str(o["iv"], `${path}.iv`), tag: str(o["tag"], `${path}.tag`), data: str(o["data"], `${path}.data`) };
}

function parseGeneration(v: unknown, path: string): KeyGeneration {
  const o = obj(v, path);
  const hash = str(o["hash"], `${path}.hash`);
  if (!/^[0-9a-f]{64}$/.test(hash)) throw new StateFileError(`${path}.hash: expected 64 lowercase hex digits`);
  return {
    generation: nat(o["generation"], `${path}.generation`),
    alias: str(o["alias"], `${path}.alias`),
    hash,
    sealed: parseSealed(o["sealed"], `${path}.sealed`),
    litellm: oneOf(o["litellm"], ["pending", "live", "deleted", "unknown"] as const, `${path}.litellm`),
    flow: oneOf(o["flow"], ["pending", "sending", "attached", "skipped"] as const, `${path}.flow`),
    sentFromHeight: o["sentFromHeight"] === null ? null : nat(o["sentFromHeight"], `${path}.sentFromHeight`),
    blocked: bool(o["blocked"], `${path}.blocked`),
    models: strings(o["models"], `${path}.models`),
    revoked: bool(o["revoked"], `${path}.revoked`),
  };
}

export function parseSubscriptionRecord(v: unknown, path: string): SubscriptionRecord {
  const o = obj(v, path);
  const keys = o["keys"];
  if (!Array.isArray(keys)) throw new StateFileError(`${path}.keys: expected an array`);
  const id = str(o["id"], `${path}.id`);
  if (!/^\d+$/.test(id)) throw new StateFileError(`${path}.id: expected a decimal subscription id`);
  return {
    id,
    customer: str(o["customer"], `${path}.customer`),
    provider: str(o["provider"], `${path}.provider`),
    models: strings(o["models"], `${path}.models`),
    maxBudgetPerPeriod: o["maxBudgetPerPeriod"] === null ? null : str(o["maxBudgetPerPeriod"], `${path}.maxBudgetPerPeriod`),
    lifecycle: oneOf<Lifecycle>(o["lifecycle"], ["active", "suspended", "closing", "closed"], `${path}.lifecycle`),
    // Optional: journals written before the live limit have no such field (no live block).
    liveBlock: o["liveBlock"] === undefined || o["liveBlock"] === null ? null : oneOf(o["liveBlock"], ["escrow", "cap"] as const, `${path}.liveBlock`),
    keys: keys.map((k, i) => parseGeneration(k, `${path}.keys[${i}]`)),
  };
}
