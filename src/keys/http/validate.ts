/** Field checks for request bodies, each failing with a 400 that names the field. */
import { HttpError } from "./errors";
import { ACTIONS, type ProofAction } from "./challenges";

export function bodyObject(body: unknown): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new HttpError(400, "bad_request", "the body must be a JSON object");
  }
  return body as Record<string, unknown>;
}

export function subscriptionIdField(o: Record<string, unknown>): string {
  const v = o["subscriptionId"];
  const s = typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? String(v) : v;
  if (typeof s !== "string" || !/^\d{1,20}$/.test(s) || BigInt(s) > 18446744073709551615n) {
    throw new HttpError(400, "bad_request", "subscriptionId must be a UInt64 in decimal");
  }
  return BigInt(s).toString();
}

export function actionField(o: Record<string, unknown>): ProofAction {
  const v = o["action"];
  if (typeof v !== "string" || !(ACTIONS as readonly string[]).includes(v)) {
    throw new HttpError(400, "bad_request", `action must be one of ${ACTIONS.join(", ")}`);
  }
  return v as ProofAction;
}

export function nonceField(o: Record<string, unknown>): string {
  const v = o["nonce"];
  if (typeof v !== "string" || !/^[0-9a-f]{64}$/.test(v)) throw new HttpError(400, "bad_request", "nonce must be the 64 hex digits the challenge returned");
  return v;
}

/** Usage queries cover LiteLLM's spend log, which began after 1970; years beyond 9999 have no 4-digit form. */
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export function optionalDateField(o: Record<string, unknown>, name: string): Date | undefined {
  const v = o[name];
  if (v === undefined || v === null) return undefined;
  const d = typeof v === "string" && v.length <= 40 ? new Date(v) : undefined;
  if (d === undefined || Number.isNaN(d.getTime())) throw new HttpError(400, "bad_request", `${name} must be an ISO 8601 date string`);
  if (d.getTime() < EARLIEST || d.getTime() > LATEST) {
    throw new HttpError(400, "bad_request", `${name} must lie between 1970-01-01 and 9999-12-31`);
  }
  return d;
}
