/**
 * The customer's own request leaves (POST /v1/leaves), behind the same wallet proof as pending
 * usage (action "usage"): for a range of windows, the requests under each of the subscription's
 * report lines, as the connector recorded them beside its state (src/connector/leaves.ts). The
 * public report carries only the roots; whoever receives these leaves recomputes each root and
 * compares it with the attested report, so the key service is not trusted with them.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { readWindowLeaves } from "../connector/leaves";
import type { LeavesAnswer, WindowLeaves } from "./http/wire";
import { keyError } from "./http/errors";

/** Environment of the leaves endpoint (beside KEY_SERVICE_ENV). */
export const LEAVES_ENV = {
  FLAREFLOW_CONNECTOR_STATE: "the connector's state directory, read-only: serves POST /v1/leaves (unset: the endpoint answers 503)",
} as const;

/** Windows with lines of one subscription in one answer (a month of 5-minute windows fits). */
export const MAX_LEAVES_WINDOWS = 10_000;

export interface LeavesReader {
  /** The subscription's lines' leaves in windows [from, to] that the connector committed. */
  leaves(subscriptionId: string, from: bigint, to: bigint): WindowLeaves[];
}

export function connectorLeavesReader(connectorStateDir: string): LeavesReader {
  const windowsDir = path.join(connectorStateDir, "windows");
  const workDir = path.join(connectorStateDir, "work");
  return {
    leaves(subscriptionId, from, to) {
      let names: string[];
      try {
        names = fs.readdirSync(windowsDir);
      } catch {
        return [];
      }
      const windows = names
        .filter((n) => /^(0|[1-9][0-9]{0,19})\.json$/.test(n))
        .map((n) => BigInt(n.slice(0, -5)))
        .filter((w) => w >= from && w <= to)
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const out: WindowLeaves[] = [];
      for (const w of windows) {
        // Only a window whose record committed it: its leaves file is final.
        const record = JSON.parse(fs.readFileSync(path.join(windowsDir, `${w}.json`), "utf8")) as { stage?: unknown };
        if (record.stage === "skipped") continue;
        const leaves = readWindowLeaves(workDir, w);
        const lines = leaves?.lines.filter((l) => l.subscriptionId === subscriptionId) ?? [];
        if (lines.length === 0) continue;
        if (out.length === MAX_LEAVES_WINDOWS) throw keyError(413, "too_many_windows", `more than ${MAX_LEAVES_WINDOWS} windows with usage in that range; ask for a shorter one`);
        out.push({ window: w.toString(), lines });
      }
      return out;
    },
  };
}

/** The reader the environment names, if any. */
export function leavesReaderFromEnv(env: Readonly<Record<string, string | undefined>>): LeavesReader | undefined {
  const dir = env.FLAREFLOW_CONNECTOR_STATE;
  return dir === undefined || dir === "" ? undefined : connectorLeavesReader(dir);
}

/** The answer to a proven leaves request. */
export function leavesAnswer(reader: LeavesReader | undefined, subscriptionId: string, range: { from: bigint; to: bigint }): LeavesAnswer {
  if (reader === undefined) throw keyError(503, "leaves_unavailable", "this key service has no access to the connector's leaves (FLAREFLOW_CONNECTOR_STATE)");
  return { subscriptionId, windows: reader.leaves(subscriptionId, range.from, range.to) };
}
