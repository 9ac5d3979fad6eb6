/**
 * The start-up audit of LiteLLM against the records, run once per start after
 * the follower has replayed the chain to its head (so every hash that was ever
 * on Flow is in a record). It is what makes recovery from the chain and
 * LiteLLM alone correct when the journal was lost or is an older copy:
 *
 * - a key of one of our subscriptions (by alias ff-<id>...) whose hash no
 *   record holds was made by this service and never reached Flow, or was
 *   superseded there: no customer can hold it through us, so it is deleted
 *   (this also frees its alias for the generation that needs it);
 * - a key adopted from the chain (litellm "unknown") takes its alias,
 *   generation, blocked flag and models from LiteLLM, or is marked gone;
 * - a record that says "live" for a key LiteLLM no longer has is corrected
 *   (recreated from its sealed raw key when it is the current one).
 */
import { parseAlias, type KeyInfo, type LiteLLMAdminClient } from "../litellm";
import type { Logger } from "../log";
import { currentKey, mustDelete, type KeyGeneration, type SubscriptionRecord } from "./state";

export interface AuditResult {
  /** Records that changed, to be journaled. */
  changed: SubscriptionRecord[];
  /** Aliases of the unknown keys deleted from LiteLLM. */
  deleted: string[];
}

/** What LiteLLM says about generation `k` (found or not), applied to a copy of it. */
export function fromLiteLLM(sub: SubscriptionRecord, k: KeyGeneration, info: KeyInfo | null): KeyGeneration {
  if (info === null) {
    if (k.litellm === "unknown" || k.litellm === "live") {
      // The current key can be made again from its sealed raw key; any other one is just gone.
      const recreate = k.litellm === "live" && k.sealed !== null && k === currentKey(sub) && !mustDelete(sub, k);
      return { ...k, litellm: recreate ? "pending" : "deleted", sealed: recreate ? k.sealed : null };
    }
    return k;
  }
  const parsed = info.key_alias === null ? null : parseAlias(info.key_alias);
  if (k.litellm === "unknown") {
    return {
      ...k,
      litellm: "live",
      alias: info.key_alias ?? "",
      generation: parsed !== null && parsed.subscriptionId === sub.id ? parsed.generation : k.generation,
      blocked: info.blocked,
      models: [...info.models],
    };
  }
  // Created (or never deleted) after the copy of the journal was taken: LiteLLM holds it.
  if (k.litellm === "pending" || k.litellm === "deleted") return { ...k, litellm: "live", blocked: info.blocked, models: [...info.models] };
  return k;
}

export async function auditLiteLLM(
  litellm: LiteLLMAdminClient,
  subs: ReadonlyMap<string, SubscriptionRecord>,
  log: Logger,
): Promise<AuditResult> {
  const known = new Set<string>();
  for (const sub of subs.values()) for (const k of sub.keys) known.add(k.hash);
  const listed = new Map<string, KeyInfo>();
  const orphans: KeyInfo[] = [];
  for await (const info of litellm.iterateKeys()) {
    const parsed = info.key_alias === null ? null : parseAlias(info.key_alias);
    if (parsed === null || info.token === null || !subs.has(parsed.subscriptionId)) continue; // not one of our subscriptions' keys
    if (known.has(info.token)) listed.set(info.token, info);
    else orphans.push(info);
  }
  const deleted: string[] = [];
  for (const info of orphans) {
    await litellm.deleteKeys({ keys: [info.token as string] });
    deleted.push(info.key_alias ?? "");
    log.warn(`LiteLLM key ${info.key_alias} belongs to no record and was never attached on Flow: deleted`);
  }
  const changed: SubscriptionRecord[] = [];
  for (const sub of subs.values()) {
    const keys = sub.keys.map((k) => fromLiteLLM(sub, k, listed.get(k.hash) ?? null));
    if (keys.some((k, i) => k !== sub.keys[i])) changed.push({ ...sub, keys });
  }
  return { changed, deleted };
}
