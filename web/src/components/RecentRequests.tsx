import type { RecentRequest } from "../services/keyService";

/** The last few requests the key made, newest first. */
export function RecentRequests({ requests, limit = 5 }: { requests: RecentRequest[] | null; limit?: number }) {
  const shown = (requests ?? []).slice().sort((a, b) => b.time.localeCompare(a.time)).slice(0, limit);
  return (
    <section className="recent" aria-label="Recent requests">
      <h4>Recent requests</h4>
      {shown.length === 0 ? (
        <p className="muted">{requests ? "No requests yet." : "Shown once live usage loads."}</p>
      ) : (
        <ul>
          {shown.map((r, i) => (
            <li key={`${r.time}-${i}`}>
              <time dateTime={r.time}>{r.time ? new Date(r.time).toLocaleTimeString("en-GB") : "?"}</time> {r.model},{" "}
              {r.tokens.toLocaleString("en-US")} tokens
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
