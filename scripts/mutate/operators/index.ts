import type { ContractLanguage, Site } from "../types";
import { accessSites } from "./access";
import { comparisonSites } from "./comparison";
import { conditionSites } from "./conditions";
import { constantSites } from "./constants";
import { emitSites } from "./emits";
import { guardSites } from "./guards";
import { booleanLiteralSites, logicalSites } from "./logical";

/** The fixed catalogue; operators search the masked source (comments and strings blanked). */
export function allSites(source: string, masked: string, language: ContractLanguage): Site[] {
  const sites = [
    ...comparisonSites(masked),
    ...guardSites(masked, language),
    ...emitSites(masked, language),
    ...constantSites(masked),
    ...conditionSites(source, masked, language),
    ...logicalSites(masked),
    ...booleanLiteralSites(masked),
    ...accessSites(masked, language),
  ];
  return sites.sort((a, b) => a.start - b.start || a.end - b.end || a.replacement.localeCompare(b.replacement));
}

export { comparisonSites, guardSites, emitSites, constantSites, conditionSites, logicalSites, booleanLiteralSites, accessSites };
