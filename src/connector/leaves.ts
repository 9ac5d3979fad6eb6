import * as fs from "node:fs";
import * as path from "node:path";
import type { LineRequests, UsageLine } from "../report";
import { parseWindowLeaves, type WindowLeaves } from "../verify/leaves-doc";

/**
 * The requests under each line's requestsRoot, kept privately beside the connector's state
 * (`work/<w>/leaves.json`): the public report carries only roots, and the key service hands each
 * customer their own leaves behind a wallet signature. Written before the window's record
 * commits it, like the report file.
 */

export function leavesFile(workDir: string, window: bigint): string {
  return path.join(workDir, window.toString(), "leaves.json");
}

/** The leaves document of a window's lines (`leaves[i]` are the requests of `lines[i]`). */
export function windowLeaves(window: bigint, lines: readonly UsageLine[], leaves: readonly LineRequests[]): WindowLeaves {
  if (lines.length !== leaves.length) throw new RangeError(`window ${window}: ${lines.length} lines but ${leaves.length} leaf lists`);
  return {
    window: window.toString(),
    lines: lines.map((l, i) => {
      const { ids, tokens } = leaves[i] as LineRequests;
      // A count missing for an id would be written as "undefined" and only refused when read back.
      if (ids.length !== tokens.length) throw new RangeError(`window ${window}, line ${i}: ${ids.length} request ids but ${tokens.length} token counts`);
      return {
        subscriptionId: l.subscriptionId.toString(),
        family: l.family,
        requestsRoot: l.requestsRoot,
        requests: ids.map((requestId, k) => ({ requestId, tokens: String(tokens[k]) })),
      };
    }),
  };
}

/** A window's leaves as the connector recorded them, or undefined if it recorded none. */
export function readWindowLeaves(workDir: string, window: bigint): WindowLeaves | undefined {
  const file = leavesFile(workDir, window);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  return parseWindowLeaves(JSON.parse(text) as unknown, window);
}
