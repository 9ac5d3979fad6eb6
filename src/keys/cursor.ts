/**
 * The follower's position in the event stream, and what it says about an event or a chain.
 */
import type { PositionedEvent } from "./events";
import type { Cursor } from "./state";
import { StateFileError } from "./state-validate";

/** Whether `e` lies at or before the cursor (already handled). */
export function handledBy(c: Cursor, e: PositionedEvent): boolean {
  if (e.blockHeight !== c.height) return e.blockHeight < c.height;
  if (c.last === null) return false;
  return e.transactionIndex < c.last.transactionIndex || (e.transactionIndex === c.last.transactionIndex && e.eventIndex <= c.last.eventIndex);
}

/**
 * A cursor beyond the chain's sealed head means the journal belongs to another chain (or the
 * emulator was reset): its records describe keys this chain never saw. The refusal names `where`
 * (the journal's file and the cursor's line).
 */
export function cursorBeyondChain(c: Cursor, sealedHead: number, where: string): StateFileError | null {
  if (c.height <= sealedHead + 1) return null;
  return new StateFileError(
    `${where}: the journal's cursor is at height ${c.height}, but the chain's sealed head is ${sealedHead}: ` +
      "this journal belongs to another chain (or the chain was reset); move it away to start over",
  );
}
