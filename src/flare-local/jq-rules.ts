import { parse, type BinaryOperator, type ExpressionAst, type ProgAst } from "@jq-tools/jq";
import { FLARE_WEB2JSON_LIMITS, WEB2JSON_STATUS, Web2JsonRefused } from "./web2json-status";
import { messageOf } from "../errors";

/**
 * The jq filter check of Flare's Web2Json verifier (verifier-indexer-api v1.6.0-rc.0,
 * src/verification/web-2-json/validate-jq.ts), rebuilt here: a length cap, a parse, then a walk of
 * the AST that accepts only known node kinds, non-assigning operators and an allowlist of pure
 * builtins. Everything else (assignment `|=` `+=` ..., `reduce`, `foreach`, `def`, `..`, `as $x`,
 * `label`/`break`, `@format` filters, `walk`, `delpaths`, `recurse`, `range`, `limit`, `env`,
 * `input`, ...) is INVALID JQ FILTER.
 */

const ALLOWED_BUILTINS: ReadonlySet<string> = new Set([
  "map", "select", "flatten", "not",
  "length", "keys", "to_entries", "from_entries", "has", "contains", "add", "join",
  "tonumber", "tostring", "split", "gsub", "match",
  "type",
  "startswith", "endswith", "test", "explode", "implode", "ascii_upcase", "ascii_downcase",
  "sort", "sort_by", "reverse", "first", "last",
  ".",
]);

const ALLOWED_OPERATORS: ReadonlySet<BinaryOperator> = new Set<BinaryOperator>([
  "|", ",", "//", "and", "or", "==", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "%",
]);

function refuse(message = "Invalid or disallowed jq expression"): Web2JsonRefused {
  return new Web2JsonRefused(WEB2JSON_STATUS.INVALID_JQ_FILTER, message);
}

/** Flare names a builtin by its lower-cased name without an arity suffix or module path. */
function builtinName(raw: string): string {
  const name = raw.toLowerCase();
  return name.replace(/\/\d+$/, "").split("::").pop() || name;
}

/** Throws Web2JsonRefused(INVALID JQ FILTER) unless Flare's verifier would accept `filter`. */
export function validateJqFilter(filter: string, maxLength: number = FLARE_WEB2JSON_LIMITS.maxJqFilterLength): void {
  if (filter.length > maxLength) throw refuse(`Exceeds max allowed length ${filter.length} > ${maxLength}`);
  let ast: ProgAst;
  try {
    ast = parse(filter);
  } catch (error) {
    throw refuse(`Parse error: ${messageOf(error)}`);
  }
  const stack: ExpressionAst[] = ast.expr ? [ast.expr] : [];
  let visited = 0;
  while (stack.length > 0) {
    const expr = stack.pop() as ExpressionAst;
    if (++visited > FLARE_WEB2JSON_LIMITS.maxJqAstNodes) throw refuse();
    switch (expr.type) {
      case "binary":
        if (!ALLOWED_OPERATORS.has(expr.operator)) throw refuse(`Unsupported or unknown binary operator: ${expr.operator}`);
        stack.push(expr.right, expr.left);
        break;
      case "filter": {
        const name = builtinName(expr.name ?? "");
        if (!ALLOWED_BUILTINS.has(name)) throw refuse(`Unknown or disallowed jq filter: ${name}`);
        stack.push(...[...expr.args].reverse());
        break;
      }
      case "if":
        if (expr.else) stack.push(expr.else);
        for (const elif of [...(expr.elifs ?? [])].reverse()) stack.push(elif.then, elif.cond);
        stack.push(expr.then, expr.cond);
        break;
      case "try":
        if (expr.catch) stack.push(expr.catch);
        stack.push(expr.body);
        break;
      case "unary":
        if ((expr.operator as string) !== "-") throw refuse(`Unsupported or disallowed unary operator: ${String(expr.operator)}`);
        stack.push(expr.expr);
        break;
      case "index":
        if (typeof expr.index !== "string") stack.push(expr.index);
        stack.push(expr.expr);
        break;
      case "slice":
        if (expr.to) stack.push(expr.to);
        if (expr.from) stack.push(expr.from);
        stack.push(expr.expr);
        break;
      case "iterator":
        stack.push(expr.expr);
        break;
      case "array":
        if (expr.expr) stack.push(expr.expr);
        break;
      case "object":
        for (const entry of [...expr.entries].reverse()) {
          if (typeof entry.key !== "string") stack.push(entry.key);
          if (entry.value !== undefined && entry.value !== null) stack.push(entry.value);
        }
        break;
      case "str":
        if (expr.interpolated) for (const part of [...expr.parts].reverse()) if (typeof part !== "string") stack.push(part);
        break;
      case "varDeclaration":
        throw refuse("variable declarations (`as`) are not allowed");
      case "var":
      case "identity":
      case "num":
      case "bool":
      case "null":
        break;
      default:
        throw refuse();
    }
  }
}
