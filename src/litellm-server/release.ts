/**
 * The LiteLLM release this stand-in imitates: the proxy of `litellm==1.110.2` (PyPI), read from
 * its own source (litellm/proxy/...). Each rule cites the module it comes from.
 */
export const LITELLM_RELEASE = "1.110.2";

/** litellm/constants.py LITELLM_PROXY_MASTER_KEY_ALIAS: what spend rows name the master key as. */
export const MASTER_KEY_ALIAS = "litellm_proxy_master_key";
/** litellm/constants.py LITELLM_PROXY_ADMIN_NAME: the user of master-key calls. */
export const PROXY_ADMIN_NAME = "default_user_id";
/** spend_management_endpoints.py SPEND_LOGS_PAGINATION_COUNT_CAP. */
export const SPEND_LOGS_PAGINATION_COUNT_CAP = 10_000;
/** parallel_request_limiter_v3.py: LITELLM_RATE_LIMIT_WINDOW_SIZE, 60 s by default. */
export const RATE_LIMIT_WINDOW_MS = 60_000;
/** litellm/__init__.py budget_exceeded_status_code (422; 429 restores the older answer). */
export const BUDGET_EXCEEDED_STATUS = 422;

/** Python's str(float): shortest digits, exponent form below 1e-4 or from 1e16, ".0" on whole numbers. */
export function pyFloat(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mantissa, expText] = x.toExponential().split("e");
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    return `${mantissa}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  const fixed = x.toFixed(Math.max(0, (mantissa.split(".")[1]?.length ?? 0) - exp));
  return fixed.includes(".") ? fixed : `${fixed}.0`;
}

/** Python's str(datetime) of an aware UTC datetime: "YYYY-MM-DD HH:MM:SS[.ffffff]+00:00". */
export function pyUtcDatetime(ms: number): string {
  const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const millis = iso.slice(20, 23);
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${millis === "000" ? "" : `.${millis}000`}+00:00`;
}
