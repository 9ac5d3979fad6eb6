import * as fs from "node:fs";
import * as path from "node:path";
import { figuresLine, percent, type Figures, type Reported } from "./summary";
import type { TsEquivalent, TsSurvivor } from "./stryker";

const cell = (text: string) => `\`${text.replace(/`/g, "'").replace(/\|/g, "\\|")}\``;

/** test-artifacts/mutation/report.md: figures per language, every survivor, then every contract mutant. */
export function writeMarkdown(
  file: string,
  figures: readonly Figures[],
  contractResults: readonly Reported[],
  tsSurvivors: readonly TsSurvivor[],
  durations: Readonly<Record<string, number>>,
  tsEquivalents: readonly TsEquivalent[] = [],
): void {
  const lines: string[] = [`# Mutation testing — ${new Date().toISOString().slice(0, 10)}`, ""];
  lines.push("| language | mutants | killed | timed out | survived | no coverage | equivalent | compile errors | kill rate | took |");
  lines.push("|---|---|---|---|---|---|---|---|---|---|");
  for (const f of figures) {
    const took = durations[f.language];
    lines.push(
      `| ${f.language} | ${f.total} | ${f.killed} | ${f.timeout} | ${f.survived} | ${f.noCoverage} | ${f.equivalent} | ${f.compileError} | ${percent(f.killRate)} | ${took === undefined ? "" : `${Math.round(took / 1000)} s`} |`,
    );
  }
  lines.push("", "Kill rate = (killed + timed out) / (killed + timed out + survived + no coverage).", "");
  const survivors = contractResults.filter((r) => r.status === "survived");
  lines.push(`## Survivors (${survivors.length + tsSurvivors.length})`, "");
  for (const s of survivors) lines.push(`- ${s.file}:${s.line} ${s.operator}: ${s.description} — ${cell(s.mutatedLine || "(line removed)")}`);
  for (const s of tsSurvivors) lines.push(`- ${s.file}:${s.line} ${s.mutator} (${s.status}): ${cell(s.replacement)}`);
  const stale = contractResults.filter((r) => r.staleEquivalent);
  if (stale.length) {
    lines.push("", "## Listed as equivalent but killed (remove from scripts/mutate/equivalent.json)", "");
    for (const s of stale) lines.push(`- ${s.file}:${s.line} ${s.operator}: ${s.description}`);
  }
  const equivalents = contractResults.filter((r) => r.status === "equivalent");
  if (equivalents.length || tsEquivalents.length) {
    lines.push("", "## Equivalent", "");
    for (const e of equivalents) lines.push(`- ${e.file}:${e.line} ${e.operator}: ${e.description} — ${e.reason ?? ""}`);
    for (const e of tsEquivalents) lines.push(`- ${e.file}:${e.line} ${e.mutator}: ${cell(e.replacement)} — ${e.reason}`);
  }
  lines.push("", "## Contract mutants", "", "| file:line | operator | mutation | mutated line | status | decided by |", "|---|---|---|---|---|---|");
  for (const r of contractResults) {
    lines.push(`| ${r.file}:${r.line} | ${r.operator} | ${r.description.replace(/\|/g, "\\|")} | ${cell(r.mutatedLine || "(removed)")} | ${r.status} | ${r.decidedBy ?? ""} |`);
  }
  lines.push("", ...figures.map(figuresLine), "");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, lines.join("\n"));
}
