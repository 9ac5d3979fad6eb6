import type { LiveView } from "../../src/keys/http/wire";

/**
 * The key service's live spending limit as the page draws it (the `live` field of a usage answer,
 * read by its schema in src/keys/http/wire/answers.ts): whether pending usage has paused the key, against
 * what, and what lifts the pause. `periodEnd` and `asOf` are ISO times; a new period lifts a cap pause.
 */
export type LiveLimit = Pick<LiveView, "reached" | "pendingCost" | "escrowLeft" | "unpaid" | "periodSpend" | "cap" | "toLift" | "periodEnd" | "asOf">;
