/**
 * Key rotation for open-source LiteLLM, where /key/{key}/regenerate is an
 * enterprise feature: generate the new key, let the caller switch over, then
 * delete the old key. Both keys work during the overlap, so at no moment does
 * the subscription lack a working key.
 *
 * Aliases. LiteLLM requires key_alias to be unique across all keys, and the
 * old and new key exist side by side, so they cannot share an alias. A
 * subscription's keys are named by generation:
 *   ff-<subscriptionId>        generation 0 (issued on SubscriptionCreated)
 *   ff-<subscriptionId>-r<n>   generation n >= 1 (the n-th rotation)
 * The generation only grows, so an alias is never reused, even after delete,
 * and spend-log rows (which carry the alias) stay attributable forever.
 */
import type { LiteLLMAdminClient } from "./client";
import { LiteLLMError } from "./errors";
import { hashKey } from "./hash";
import type { GenerateKeyResponse, KeyInfo } from "./types";

const ALIAS_RE = /^ff-([A-Za-z0-9_.]+?)(?:-r([1-9][0-9]*))?$/;

export function aliasFor(subscriptionId: string, generation = 0): string {
  if (!/^[A-Za-z0-9_.]+$/.test(subscriptionId)) {
    throw new TypeError("subscription id must match [A-Za-z0-9_.]+ (Flow ids are decimal)");
  }
  if (!Number.isSafeInteger(generation) || generation < 0) throw new TypeError("generation must be a non-negative integer");
  return generation === 0 ? `ff-${subscriptionId}` : `ff-${subscriptionId}-r${generation}`;
}

export function parseAlias(alias: string): { subscriptionId: string; generation: number } | null {
  const m = ALIAS_RE.exec(alias);
  if (!m || m[1] === undefined) return null;
  return { subscriptionId: m[1], generation: m[2] === undefined ? 0 : Number(m[2]) };
}

export interface RotateKeyOptions {
  /** Alias of the key in use now (ff-<id> or ff-<id>-r<n>). */
  currentAlias: string;
  /**
   * The raw key to issue. A key service that stores it (encrypted) before
   * calling can re-run an interrupted rotation and get the same key back.
   */
  newRawKey?: string;
  /**
   * Runs after the new key is live and before the old one is deleted: record
   * the new hash on Flow, make it deliverable. If it throws, the old key is
   * kept (both keys keep working) and the error propagates.
   */
  onNewKey?: (created: GenerateKeyResponse) => Promise<void>;
}

export interface RotateKeyResult {
  created: GenerateKeyResponse;
  oldToken: string;
  oldAlias: string;
}

function secondsUntil(iso: string | null, now: number): string | undefined {
  if (iso === null) return undefined;
  const s = Math.floor((Date.parse(iso) - now) / 1000);
  return `${Math.max(1, s)}s`;
}

export async function rotateKey(client: LiteLLMAdminClient, options: RotateKeyOptions): Promise<RotateKeyResult> {
  const parsed = parseAlias(options.currentAlias);
  if (parsed === null) {
    throw new LiteLLMError("rotateKey: alias is not a FlareFlow key alias (ff-<id> or ff-<id>-r<n>)", { kind: "config" });
  }
  const nextAlias = aliasFor(parsed.subscriptionId, parsed.generation + 1);
  const old: KeyInfo | null = await client.findKeyByAlias(options.currentAlias);
  if (old === null || old.token === null) {
    throw new LiteLLMError(`rotateKey: no key with alias ${options.currentAlias}`, { kind: "http", status: 404 });
  }
  // The new key inherits what is left of the old key's budget, not a fresh one:
  // rotation must not grant the subscription extra spend.
  const remaining = old.max_budget === null ? null : Math.max(0, old.max_budget - old.spend);
  const created = await client.generateKey({
    key_alias: nextAlias,
    key: options.newRawKey,
    models: old.models,
    max_budget: remaining,
    budget_duration: old.budget_duration,
    duration: secondsUntil(old.expires, Date.now()),
    blocked: old.blocked || undefined,
    // Limits carry over too: the live spending limit's tpm guard must hold from the first call.
    rpm_limit: old.rpm_limit ?? undefined,
    tpm_limit: old.tpm_limit ?? undefined,
    metadata: {
      ...(old.metadata as Record<string, unknown>),
      subscription_id: String(old.metadata["subscription_id"] ?? parsed.subscriptionId),
      customer: String(old.metadata["customer"] ?? ""),
      provider: String(old.metadata["provider"] ?? ""),
      generation: parsed.generation + 1,
      rotated_from: options.currentAlias,
    },
  });
  // Read it back before anyone relies on it: the new key must exist before the old one goes.
  const check = await client.keyInfo(created.token);
  if (check.key_alias !== nextAlias || hashKey(created.key) !== created.token) {
    throw new LiteLLMError("rotateKey: the new key did not read back as created", { kind: "invalid_response" });
  }
  if (options.onNewKey) await options.onNewKey(created);
  await client.deleteKeys({ keys: [old.token] });
  return { created, oldToken: old.token, oldAlias: options.currentAlias };
}
