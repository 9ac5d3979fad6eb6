/**
 * The admin's pricing edits, checked as UsageBasedSubscriptions checks them, before any signature.
 * Like the subscription forms (validation.ts), each edit is a zod/mini schema over the inputs'
 * text, its value type inferred, each input read by a reader that says why its text is refused,
 * and every refused input reported, not just the first; a table whose cells all read is then held
 * to the contract's own rules (validateTiers, in the contract's words: TIER_ERRORS).
 */
import * as z from "zod/mini";
import { formatFlow, parseUFix64, validateMultiplier, validateTiers, type Tier } from "../../src/pricing";
import { field } from "./validation";
import { messageOf } from "../../src/errors";

/** The value, or every refusal in the order of the inputs. */
export type Checked<T> = { ok: true; value: T } | { ok: false; errors: string[] };

const UINT64_MAX = 18_446_744_073_709_551_615n;

/** A UFix64 amount in units, or `refused`. */
const ufix64 = (refused: string) =>
  field<bigint>((text) => {
    try {
      return { value: parseUFix64(text) };
    } catch {
      return { refused };
    }
  });

/** One row of the tier table; thresholds may be written with separators ("1,000,000"). */
const tierRow = z.pipe(
  z.object({
    threshold: field<bigint>((text) => {
      const digits = text.replace(/[\s,_]/g, "");
      return /^\d+$/.test(digits) && BigInt(digits) <= UINT64_MAX ? { value: BigInt(digits) } : { refused: "the threshold must be a whole number of tokens." };
    }),
    price: ufix64("the price must be a FLOW amount with at most 8 decimals."),
  }),
  z.transform((row): Tier => ({ threshold: row.threshold, pricePer1K: row.price })),
);

/** A stage that passes what `validate` (one of src/pricing's, throwing the contract's words) accepts. */
function contractRule<T>(validate: (value: T) => void) {
  return z.transform((value: T, ctx) => {
    try {
      validate(value);
      return value;
    } catch (e) {
      ctx.issues.push({ code: "custom", message: messageOf(e), input: value });
      return z.NEVER;
    }
  });
}

/** The table: every row read, then the contract's rules over the whole (only when every cell reads). */
const tierTable = z.pipe(z.array(tierRow), contractRule<Tier[]>(validateTiers));

export type TierRow = z.input<typeof tierRow>;

export function tierRows(tiers: readonly Tier[]): TierRow[] {
  return tiers.map((t) => ({ threshold: t.threshold.toString(), price: formatFlow(t.pricePer1K) }));
}

/** What `schema` makes of `input`, a refusal within a table row named by its tier ("Tier 2: …"). */
function check<S extends z.ZodMiniType>(schema: S, input: z.input<S>): Checked<z.output<S>> {
  const r = z.safeParse(schema, input);
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, errors: r.error.issues.map((issue) => (typeof issue.path[0] === "number" ? `Tier ${issue.path[0] + 1}: ${issue.message}` : issue.message)) };
}

/** The tier table, or each refused cell in the field's words, or the table's refusal in the contract's (TIER_ERRORS). */
export function parseTierRows(rows: readonly TierRow[]): Checked<Tier[]> {
  return check(tierTable, [...rows]);
}

/** A family multiplier edit (family null: the default multiplier), under the contract's pre-conditions. */
const multiplierEdit = z.pipe(
  z.object({
    family: z.nullable(
      field<string>((text) => {
        const bytes = new TextEncoder().encode(text);
        return bytes.length >= 1 && bytes.length <= 31 && /^[\x20-\x7e]+$/.test(text) ? { value: text } : { refused: "UsageBasedSubscriptions: a family key is 1 to 31 ASCII bytes" };
      }),
    ),
    multiplier: z.pipe(ufix64("The multiplier must be a number with at most 8 decimals, like 1.5."), contractRule<bigint>(validateMultiplier)),
  }),
  z.transform((edit) => edit.multiplier),
);

/** The multiplier in units, or why the contract would refuse the edit. */
export function parseMultiplier(family: string | null, multiplier: string): Checked<bigint> {
  return check(multiplierEdit, { family, multiplier });
}
