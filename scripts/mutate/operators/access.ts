import type { ContractLanguage, Site } from "../types";
import { matchesOf } from "./scan";

/**
 * Access widened. Cadence: `access(self)`, `access(contract)`, `access(account)` and entitlement
 * access (`access(Configure)`, `access(A | B)`) become `access(all)`. Solidity: `private` and
 * `internal` become `public` (functions and state variables).
 */
export function accessSites(masked: string, language: ContractLanguage): Site[] {
  if (language === "cadence") {
    return matchesOf(masked, /\baccess\(\s*(?!all\s*\))([A-Za-z_][\w.]*(?:\s*[,|]\s*[A-Za-z_][\w.]*)*)\s*\)/g).map((m) => ({
      start: m.index,
      end: m.index + m[0].length,
      replacement: "access(all)",
      operator: "access-widening",
      description: `\`access(${m[1]})\` → \`access(all)\``,
    }));
  }
  return matchesOf(masked, /\b(private|internal)\b/g).map((m) => ({
    start: m.index,
    end: m.index + (m[1] as string).length,
    replacement: "public",
    operator: "access-widening",
    description: `\`${m[1]}\` → \`public\``,
  }));
}
