import type { RecentRequest } from "../services/keyService";

/** The last few requests the key made, newest first. */
export function RecentRequests({ requests, limit = 5 }: { requests: RecentRequest[] | null; limit?: number }) {
  const shown = (requests ?? []).slice().sort((a, b) => b.timestamp.localeCompare(a.timestamp)).slice(0, limit);
  return (
    <section className="recent" aria-label="Recent requests">
      <h4>Recent requests</h4>
      {shown.length === 0 ? (
        <p className="muted">{requests ? "No requests yet." : "Shown once live usage loads."}</p>
      ) : (
        <ul>
          {shown.map((r, i) => (
            <li key={r.request_id || i}>
              <time dateTime={r.timestamp}>{r.timestamp ? new Date(r.timestamp).toLocaleTimeString("en-GB") : "?"}</time> {r.model},{" "}
              {r.total_tokens.toLocaleString("en-US")} tokens
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
