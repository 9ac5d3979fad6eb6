import { useState } from "react";
import { errorText, flowUnitsText, tokensText } from "../format";
import { useServices } from "../services/context";
import type { BillVerifier, WindowEvidence, WindowVerdict } from "../services/billVerifier";
import { PageError } from "../errors";

/** How many windows the tile lists at first, and how many more each "Show more" adds. */
const FIRST = 5;
const MORE = 10;

type Links = { coston2Tx?: (hash: string) => string; flowTx?: (id: string) => string; round?: (round: string) => string };

/** Explorer links of live networks (VITE_COSTON2_TX_URL etc. override; `{}` is replaced). */
function explorerLinks(network: string, env: Record<string, string | boolean | undefined>): Links {
  const template = (name: string, fallback: string | undefined) => {
    const t = typeof env[name] === "string" && env[name] !== "" ? (env[name] as string) : fallback;
    return t === undefined ? undefined : (value: string) => t.replace("{}", encodeURIComponent(value));
  };
  const live = network !== "emulator";
  return {
    coston2Tx: template("VITE_COSTON2_TX_URL", live ? "https://coston2-explorer.flare.network/tx/{}" : undefined),
    flowTx: template("VITE_FLOW_TX_URL", network === "testnet" ? "https://testnet.flowscan.io/tx/{}" : network === "mainnet" ? "https://www.flowscan.io/tx/{}" : undefined),
    round: template("VITE_FLARE_ROUND_URL", undefined),
  };
}

const short = (hash: string): string => `${hash.slice(0, 10)}…${hash.slice(-6)}`;

function Evidence({ href, text, label }: { href: string | undefined; text: string; label: string }) {
  return href ? (
    <a href={href} target="_blank" rel="noreferrer" aria-label={label} title={text}>
      {short(text)}
    </a>
  ) : (
    <code aria-label={label} title={text}>
      {text.length > 20 ? short(text) : text}
    </code>
  );
}

function WindowRow({ w, verifier, subscriptionId, links }: { w: WindowEvidence; verifier: BillVerifier; subscriptionId: bigint; links: Links }) {
  const [state, setState] = useState<{ running: boolean; verdict?: WindowVerdict | null; error?: string }>({ running: false });
  const verify = () => {
    setState({ running: true });
    verifier.verify(subscriptionId, w.window).then(
      (verdict) => setState({ running: false, verdict: verdict ?? null }),
      (e: unknown) => setState({ running: false, error: errorText(e) }),
    );
  };
  const tokens = Object.values(w.tokensByFamily).reduce((a, b) => a + b, 0n);
  return (
    <li data-testid="verified-window" data-window={w.window.toString()}>
      <div className="window-head">
        <time dateTime={new Date(w.start * 1000).toISOString()}>{new Date(w.start * 1000).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "medium" })}</time>
        <span>
          {tokensText(tokens)}, {flowUnitsText(w.charged)}
        </span>
      </div>
      <div className="window-evidence">
        <a href={w.reportUrl} target="_blank" rel="noreferrer" data-testid="report-link">
          report
        </a>
        <span>
          Flare round {links.round ? <a href={links.round(w.round.toString())} target="_blank" rel="noreferrer">{w.round.toString()}</a> : <code>{w.round.toString()}</code>}
        </span>
        <span>
          Coston2 {w.coston2Tx ? <Evidence href={links.coston2Tx?.(w.coston2Tx)} text={w.coston2Tx} label="Coston2 transaction" /> : <em>no transaction found</em>}
        </span>
        <span>
          Flow {w.flowTxs.map((id) => <Evidence key={id} href={links.flowTx?.(id)} text={id} label="Flow transaction" />)}
        </span>
        <button type="button" onClick={verify} disabled={state.running} data-testid="verify-window">
          {state.running ? "Verifying…" : "Verify"}
        </button>
      </div>
      {state.verdict && state.verdict.problems.length === 0 && (
        <p className="verify-ok" role="status" data-testid="verify-result">
          ✓ Verified in this browser: the report hashes to the digest Flow settled and Coston2 stored under round {state.verdict.round.toString()}, and
          every line costs {flowUnitsText(state.verdict.recomputed)} by the pricing in force.
        </p>
      )}
      {state.verdict && state.verdict.problems.length > 0 && (
        <ul className="verify-problems" role="alert" data-testid="verify-result">
          {state.verdict.problems.map((p) => (
            <li key={p}>✗ {p}</li>
          ))}
        </ul>
      )}
      {state.verdict === null && <p role="alert" data-testid="verify-result">✗ Flow shows no charge of this window any more.</p>}
      {state.error && (
        <p role="alert" data-testid="verify-result">
          ✗ Could not verify: {state.error}
        </p>
      )}
    </li>
  );
}

/**
 * A tile's verified windows with their public evidence (report, Flare round, Coston2 and Flow
 * transactions), the last few first, and a "Verify" per window that recomputes it in the browser
 * with the code of `npm run verify-bill`.
 */
export function VerifiedWindows({ subscriptionId }: { subscriptionId: bigint }) {
  const { config } = useServices();
  const env = import.meta.env as Record<string, string | boolean | undefined>;
  const [verifier, setVerifier] = useState<BillVerifier | null>(null);
  const [shown, setShown] = useState(0);
  const [windows, setWindows] = useState<WindowEvidence[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const links = explorerLinks(config.network, env);

  const load = (count: number) => {
    setLoading(true);
    setError(null);
    void (async () => {
      const module = await import("../services/billVerifier");
      const evm = module.evmEndpoints(env);
      if (!evm) throw new PageError("this page has no EVM endpoint configured (VITE_EVM_RPC_URL, VITE_VERIFIER_ADDRESS)");
      const v = verifier ?? module.createBillVerifier(config, evm);
      setVerifier(v);
      setWindows((await v.evidence(subscriptionId, count)).reverse());
      setShown(count);
    })()
      .catch((e: unknown) => setError(errorText(e)))
      .finally(() => setLoading(false));
  };

  return (
    <section className="usage verified-windows" aria-label="Evidence of verified windows" data-testid="verified-windows">
      <h4>Evidence</h4>
      {windows === null ? (
        <button type="button" onClick={() => load(FIRST)} disabled={loading} data-testid="show-evidence">
          {loading ? "Reading Flow and Coston2…" : "Show evidence"}
        </button>
      ) : windows.length === 0 ? (
        <p className="muted">No window of this subscription has been billed yet.</p>
      ) : (
        <>
          <ol className="window-list">
            {verifier &&
              windows.map((w) => <WindowRow key={w.window.toString()} w={w} verifier={verifier} subscriptionId={subscriptionId} links={links} />)}
          </ol>
          {windows.length >= shown && (
            <button type="button" onClick={() => load(shown + MORE)} disabled={loading}>
              {loading ? "Loading…" : "Show more"}
            </button>
          )}
        </>
      )}
      {error && <p role="alert">{error}</p>}
    </section>
  );
}
