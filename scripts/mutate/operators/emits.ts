import type { ContractLanguage, Site } from "../types";
import { matchesOf, matchingClose } from "./scan";

/** `emit Event(...)` removed (Solidity: through its `;`). */
export function emitSites(masked: string, language: ContractLanguage): Site[] {
  const sites: Site[] = [];
  for (const m of matchesOf(masked, /\bemit\s+([A-Za-z_][\w.]*)\s*\(/g)) {
    const close = matchingClose(masked, m.index + m[0].length - 1);
    if (close === -1) continue;
    let end = close + 1;
    if (language === "solidity") {
      const semicolon = masked.indexOf(";", end);
      if (semicolon === -1 || masked.slice(end, semicolon).trim() !== "") continue;
      end = semicolon + 1;
    }
    sites.push({ start: m.index, end, replacement: "", operator: "emit-removal", description: `\`emit ${m[1]}\` removed` });
  }
  return sites;
}
