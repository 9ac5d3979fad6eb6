import { WINDOW_SECONDS_BOUNDS } from "../../report/window";

/** Usage window length on the live networks (Coston2 with Flow testnet, Flare with Flow mainnet). */
export const LIVE_WINDOW_SECONDS = 300;

/**
 * Usage window length on the local networks (Hardhat, the emulator): FLAREFLOW_WINDOW_SECONDS (the
 * dev stack's 30, the end-to-end tests' 15), unset or empty the live length. The one reading of
 * that variable; a value the verifier would refuse stops here, before either chain is configured.
 */
export function localWindowSeconds(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const raw = env.FLAREFLOW_WINDOW_SECONDS;
  if (raw === undefined || raw === "") return LIVE_WINDOW_SECONDS;
  const seconds = Number(raw);
  if (!/^\d+$/.test(raw) || seconds < WINDOW_SECONDS_BOUNDS.min || seconds > WINDOW_SECONDS_BOUNDS.max) {
    throw new RangeError(`FLAREFLOW_WINDOW_SECONDS must be a whole number of seconds from ${WINDOW_SECONDS_BOUNDS.min} to ${WINDOW_SECONDS_BOUNDS.max}, got ${raw}`);
  }
  return seconds;
}
