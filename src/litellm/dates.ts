/** LiteLLM's spend endpoints take "YYYY-MM-DD HH:MM:SS", UTC, second precision. */

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

export function formatLiteLLMDate(d: Date): string {
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
}

export function floorToSecond(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}

export function ceilToSecond(d: Date): Date {
  return new Date(Math.ceil(d.getTime() / 1000) * 1000);
}

export function utcDay(iso: string): string {
  return new Date(iso).toISOString().slice(0, 10);
}
