import { WINDOW_SECONDS_BOUNDS } from "../../report/window";

/** Usage window length on the live networks (Coston2 with Flow testnet, Flare with Flow mainnet). */
export const LIVE_WINDOW_SECONDS = 300;

/** `npm run dev`'s window length, short enough to watch usage go from pending to verified. */
export const DEV_WINDOW_SECONDS = 30;

/**
 * Usage window length on the local networks (Hardhat, the emulator): FLAREFLOW_WINDOW_SECONDS (the
 * local stack sets it for what it starts), unset or empty `fallback`. The one reading of that
 * variable; a value the verifier would refuse stops here, before either chain is configured.
 */
export function localWindowSeconds(env: Readonly<Record<string, string | undefined>> = process.env, fallback = LIVE_WINDOW_SECONDS): number {
  const raw = env.FLAREFLOW_WINDOW_SECONDS;
  if (raw === undefined || raw === "") return fallback;
  const seconds = Number(raw);
  if (!/^\d+$/.test(raw) || seconds < WINDOW_SECONDS_BOUNDS.min || seconds > WINDOW_SECONDS_BOUNDS.max) {
    throw new RangeError(`FLAREFLOW_WINDOW_SECONDS must be a whole number of seconds from ${WINDOW_SECONDS_BOUNDS.min} to ${WINDOW_SECONDS_BOUNDS.max}, got ${raw}`);
  }
  return seconds;
}
