import { formatFlow } from "../pricing";
import type { BillVerdict, WindowVerdict } from "./bill";

/** The command's table and JSON, from a verdict (no I/O). */

const short = (hash: string | undefined): string => (hash === undefined ? "—" : hash.length > 16 ? `${hash.slice(0, 10)}…${hash.slice(-4)}` : hash);

const families = (v: WindowVerdict): string =>
  Object.entries(v.tokensByFamily)
    .map(([f, t]) => `${f === "" ? "(default)" : f} ${t}`)
    .join(", ");

export function verdictTable(verdict: BillVerdict): string {
  const header = ["window start (UTC)", "round", "report", "Coston2 tx", "Flow tx", "tokens by family", "charged", "recomputed", ""];
  const rows = verdict.windows.map((v) => [
    new Date(v.start * 1000).toISOString().replace(".000Z", "Z"),
    v.round.toString(),
    v.reportUrl,
    short(v.coston2Tx),
    v.flowTxs.map(short).join(" ") || "—",
    families(v),
    formatFlow(v.charged),
    formatFlow(v.recomputed),
    v.problems.length === 0 ? "✓" : "✗",
  ]);
  const tokens = verdict.total.tokens.toString();
  rows.push(["total", "", `${verdict.windows.length} windows`, "", "", `${tokens} tokens`, formatFlow(verdict.total.charged), formatFlow(verdict.total.recomputed), verdict.ok ? "✓" : "✗"]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => [...(r[i] ?? "")].length)));
  const line = (cells: string[]) => cells.map((c, i) => c + " ".repeat(Math.max(0, (widths[i] ?? 0) - [...c].length))).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.slice(0, -1).map(line), line(widths.map((w) => "-".repeat(w))), line(rows[rows.length - 1] ?? [])].join("\n");
}

/** Every disagreement, one per line, window problems first. */
export function verdictProblems(verdict: BillVerdict): string[] {
  return [...verdict.windows.flatMap((v) => v.problems.map((p) => `window ${v.window}: ${p}`)), ...verdict.problems];
}

/** The verdict as JSON (bigints as decimal strings). */
export function verdictJson(verdict: BillVerdict): string {
  return JSON.stringify(verdict, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value), 2);
}
