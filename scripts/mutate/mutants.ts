import { lineColumn, maskSource } from "./mask";
import { allSites } from "./operators";
import { lineEndOf, lineStartOf } from "./operators/scan";
import { mutantIdentity, normalize } from "./identity";
import type { ContractLanguage, Mutant, Site } from "./types";

/** Every mutant of one file, in source order. */
export function mutantsOf(file: string, source: string, language: ContractLanguage): Mutant[] {
  const masked = maskSource(source, language);
  const seen = new Map<string, number>();
  return allSites(source, masked, language).map((site) => {
    const { mutant, region } = applySite(file, source, language, site);
    const base = mutantIdentity(region, 0);
    const occurrence = seen.get(base) ?? 0;
    seen.set(base, occurrence + 1);
    return { ...mutant, identity: mutantIdentity(region, occurrence) };
  });
}

type Region = { file: string; operator: string; original: string; mutated: string };

/** One site applied: the mutated file, how to name the change, and the lines it touches. */
function applySite(file: string, source: string, language: ContractLanguage, site: Site): { mutant: Mutant; region: Region } {
  const mutatedSource = source.slice(0, site.start) + site.replacement + source.slice(site.end);
  const { line, column } = lineColumn(source, site.start);
  const regionStart = lineStartOf(source, site.start);
  const originalRegion = source.slice(regionStart, lineEndOf(source, site.end));
  const mutatedRegion = mutatedSource.slice(regionStart, lineEndOf(mutatedSource, site.start + site.replacement.length));
  const region: Region = { file, operator: site.operator, original: originalRegion, mutated: mutatedRegion };
  const mutant: Mutant = {
    file,
    language,
    line,
    column,
    endLine: lineColumn(source, Math.max(site.start, site.end - 1)).line,
    operator: site.operator,
    description: site.description,
    originalLine: normalize(originalRegion.split("\n")[0] ?? ""),
    mutatedLine: normalize(mutatedRegion.split("\n")[0] ?? ""),
    mutatedSource,
    identity: "",
  };
  return { mutant, region };
}
