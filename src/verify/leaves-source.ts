import { InvalidLeavesError, parseWindowLeaves, type WindowLeaves } from "./leaves-doc";
import type { LeavesBillSource } from "./sources";

/** A wallet signature of the key service's challenge (FCL composite signatures). */
export type SignChallenge = (messageHex: string) => Promise<readonly { addr: string; keyId: number; signature: string }[]>;

async function post(url: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json().catch(() => null)) as unknown };
}

const errorText = (body: unknown): string => {
  const message = (body as { error?: { message?: unknown } } | null)?.error?.message;
  return typeof message === "string" ? message : "no error message";
};

/**
 * The customer's leaves from the key service: one challenge for the "usage" action, signed by
 * the subscription's customer (the same proof as pending usage), then POST /v1/leaves for a range
 * of windows. Whatever comes back is checked against the attested roots by the caller.
 */
export function keyServiceLeavesSource(keyServiceUrl: string, sign: SignChallenge): LeavesBillSource {
  const base = keyServiceUrl.replace(/\/$/, "");
  return {
    async leaves(subscriptionId, fromWindow, toWindow): Promise<WindowLeaves[]> {
      const id = subscriptionId.toString();
      const challenge = await post(`${base}/v1/challenge`, { subscriptionId: id, action: "usage" });
      const c = challenge.body as { nonce?: unknown; messageHex?: unknown } | null;
      if (challenge.status !== 200 || typeof c?.nonce !== "string" || typeof c.messageHex !== "string") {
        throw new Error(`the key service refused a challenge for subscription ${id}: HTTP ${challenge.status} (${errorText(challenge.body)})`);
      }
      const signatures = await sign(c.messageHex);
      const answer = await post(`${base}/v1/leaves`, { subscriptionId: id, nonce: c.nonce, signatures, fromWindow: fromWindow.toString(), toWindow: toWindow.toString() });
      if (answer.status !== 200) throw new Error(`the key service refused the leaves of subscription ${id}: HTTP ${answer.status} (${errorText(answer.body)})`);
      const windows = (answer.body as { windows?: unknown } | null)?.windows;
      if (!Array.isArray(windows)) throw new InvalidLeavesError("the key service's answer has no windows list");
      return windows.map((raw: unknown) => {
        const w = (raw as { window?: unknown } | null)?.window;
        if (typeof w !== "string" || !/^(0|[1-9][0-9]{0,19})$/.test(w)) throw new InvalidLeavesError(`the key service's answer names a bad window: ${JSON.stringify(w)}`);
        return parseWindowLeaves(raw, BigInt(w));
      });
    },
  };
}
