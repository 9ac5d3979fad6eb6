import { logStage } from "../log";
import { checkProof, fetchProof, isRoundFinalized } from "../prove";
import { recorded, summaryOf, type WindowRecord } from "../state";
import type { ConnectorContext } from "../context";
import { ConnectorStateError } from "../errors";

/**
 * Stage 4: once the request's round is final on the Relay, its proof from the DA layer, checked.
 * A string when the window must wait; after `proofAttempts` polls without a proof the window goes
 * back to stage 2 to be requested again.
 */
export async function prove(ctx: ConnectorContext, record: WindowRecord): Promise<WindowRecord | string> {
  const window = BigInt(record.window);
  const { config, contracts, proving } = ctx;
  const request = recorded(record, "request");
  if (request.votingRound === undefined) throw new ConnectorStateError(`window ${window}: stage ${record.stage} but no voting round recorded`);
  const round = BigInt(request.votingRound);
  if (!(await isRoundFinalized(contracts, round))) {
    const waiting = `window ${window}: waiting for voting round ${round} to finalize`;
    if (Date.now() - proving.lastWaitLog > 5000) {
      proving.lastWaitLog = Date.now();
      logStage(ctx.log, window, "waiting", { round });
    }
    return waiting;
  }
  const requestBytes = request.abiEncodedRequest;
  // Flare may place a request in a later round (FdcHub's request offset): ask by request alone then.
  const fetched =
    (await fetchProof(config.flare.daLayerUrl, config.flare.daApiKey, requestBytes, round)) ??
    (await fetchProof(config.flare.daLayerUrl, config.flare.daApiKey, requestBytes, undefined));
  if (!fetched) {
    const misses = (proving.misses.get(window) ?? 0) + 1;
    proving.misses.set(window, misses);
    if (misses < config.flare.proofAttempts) return `window ${window}: round ${round} final, DA layer has no proof yet (${misses})`;
    // Not attested in its round (e.g. the providers could not fetch the summary): request again.
    proving.misses.delete(window);
    const retry: WindowRecord = { ...record, stage: "published", request: undefined };
    ctx.state.put(retry);
    logStage(ctx.log, window, "not-attested", { round, action: "requesting again" });
    return `window ${window}: not attested in round ${round}; will request again`;
  }
  await checkProof(contracts, fetched, requestBytes, summaryOf(record));
  const next: WindowRecord = { ...record, stage: "proved", proof: { votingRound: fetched.votingRound.toString(), responseHex: fetched.responseHex, merkleProof: fetched.merkleProof } };
  ctx.state.put(next);
  logStage(ctx.log, window, "proved", { round: fetched.votingRound, proofLength: fetched.merkleProof.length });
  return next;
}
