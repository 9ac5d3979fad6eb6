import type { DailyUsage } from "../services/keyService";

const WIDTH = 280;
const HEIGHT = 80;
const DAYS = 14;

/** Tokens per day over the last two weeks as inline SVG bars (no chart library: size matters). */
export function DailyUsageChart({ days }: { days: DailyUsage[] | null }) {
  const shown = (days ?? []).slice().sort((a, b) => a.date.localeCompare(b.date)).slice(-DAYS);
  const max = Math.max(1, ...shown.map((d) => d.tokens));
  const slot = WIDTH / DAYS;
  return (
    <section className="daily" aria-label="Daily usage">
      <h4>Daily usage</h4>
      {shown.length === 0 ? (
        <p className="muted">{days ? "No usage yet." : "Shown once live usage loads."}</p>
      ) : (
        <svg width={WIDTH} height={HEIGHT + 14} viewBox={`0 0 ${WIDTH} ${HEIGHT + 14}`} role="img" aria-label={`Tokens per day, highest ${max.toLocaleString("en-US")}`}>
          {shown.map((d, i) => {
            const h = Math.max(1, Math.round((d.tokens / max) * HEIGHT));
            return (
              <g key={d.date}>
                <rect className="bar" x={i * slot + 2} y={HEIGHT - h} width={slot - 4} height={h}>
                  <title>{`${d.date}: ${d.tokens.toLocaleString("en-US")} tokens, ${d.requests} requests`}</title>
                </rect>
                {(i === 0 || i === shown.length - 1) && (
                  <text x={i * slot + slot / 2} y={HEIGHT + 12} textAnchor="middle" className="axis">
                    {d.date.slice(5)}
                  </text>
                )}
              </g>
            );
          })}
        </svg>
      )}
    </section>
  );
}
