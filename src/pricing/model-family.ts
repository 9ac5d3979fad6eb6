import type { PricingConfig } from "./config";

/**
 * The family a LiteLLM spend row is billed as. LiteLLM logs two names per call
 * (proxy/spend_tracking/spend_tracking_utils.py): `model_group`, the public name the customer
 * asked for (and the name a key's allowed models list), and `model`, the deployment's own name,
 * often provider-prefixed and dated (`azure/gpt-4-0613`, `anthropic/claude-3-5-sonnet-20241022`,
 * `bedrock/anthropic.claude-3-5-sonnet-20241022-v2:0`, `vertex_ai/claude-3-5-sonnet@20240620`).
 *
 * The rule, using only the on-chain pricing (family keys and the model map), so anyone can
 * recompute it from public data:
 *   for `model_group`, then `model`:
 *     1. the name itself, exactly as UsageBasedSubscriptions.familyOf resolves it;
 *     2. the normalised name (normaliseModelName) looked up the same way;
 *     3. the longest prefix of the normalised name, cut at a '-', that is a family key or a mapped
 *        model (`gpt-4-32k` -> `gpt-4`, `claude-3-5-haiku` -> `claude`);
 *   no match: the default multiplier (family "").
 * The result is always a family key or a value of the model map, so the family written into a
 * report line is one FlareFDCTriggers charges at that family's multiplier: the digest and the
 * Cadence charge agree. A pure function of the pricing configuration and the two names.
 */

export type FamilyRules = Pick<PricingConfig, "familyMultipliers" | "modelFamilies">;

/** Provider routes LiteLLM puts before a deployment name ("azure/", "bedrock/converse/", ...). */
const PROVIDER_PATH = /^.*\//;
/** Bedrock model ids: optional cross-region prefix, then the vendor ("us.anthropic.", "meta."). */
const BEDROCK_VENDOR = /^(?:(?:us|eu|apac|global)\.)?(?:anthropic|meta|amazon|cohere|mistral|ai21|deepseek|openai|writer)\./;
/** Version and date suffixes: "-v2:0", "@20240620", "-latest", "-2024-08-06", "-20241022", "-0613". */
const SUFFIXES = [/-v\d+(?::\d+)?$/, /@\d{8}$/, /[-:@]latest$/, /-\d{4}-\d{2}-\d{2}$/, /-\d{8}$/, /-\d{4}$/];

/** A deployment name reduced to the model it names: lower case, no provider route, vendor, version or date. */
export function normaliseModelName(name: string): string {
  let out = name.trim().toLowerCase().replace(PROVIDER_PATH, "").replace(BEDROCK_VENDOR, "");
  for (let changed = true; changed; ) {
    changed = false;
    for (const suffix of SUFFIXES) {
      const next = out.replace(suffix, "");
      if (next !== out && next !== "") {
        out = next;
        changed = true;
      }
    }
  }
  return out;
}

const hasOwn = (record: object, key: string): boolean => Object.prototype.hasOwnProperty.call(record, key);

/** UsageBasedSubscriptions.familyOf: a family key is its own family, a mapped model its family. */
function exactFamily(rules: FamilyRules, name: string): string | undefined {
  if (hasOwn(rules.familyMultipliers, name)) return name;
  return hasOwn(rules.modelFamilies, name) ? rules.modelFamilies[name] : undefined;
}

function familyOfName(rules: FamilyRules, name: string): string | undefined {
  const exact = exactFamily(rules, name);
  if (exact !== undefined) return exact;
  const normal = normaliseModelName(name);
  if (normal === "") return undefined;
  const mapped = exactFamily(rules, normal);
  if (mapped !== undefined) return mapped;
  for (let cut = normal.lastIndexOf("-"); cut > 0; cut = normal.lastIndexOf("-", cut - 1)) {
    const prefixFamily = exactFamily(rules, normal.slice(0, cut));
    if (prefixFamily !== undefined) return prefixFamily;
  }
  return undefined;
}

/** The family of a spend row: by `model_group` first, then the deployment `model`; undefined: default multiplier. */
export function familyOfSpendRow(rules: FamilyRules, modelGroup: string | null | undefined, model: string): string | undefined {
  if (modelGroup !== null && modelGroup !== undefined && modelGroup !== "") {
    const byGroup = familyOfName(rules, modelGroup);
    if (byGroup !== undefined) return byGroup;
  }
  return familyOfName(rules, model);
}
