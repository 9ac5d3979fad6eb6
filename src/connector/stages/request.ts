import { feeFor, prepareRequest, requestBodyFor, votingRoundOf } from "../attest";
import { sendOnce } from "../evm-tx";
import { logStage } from "../log";
import type { WindowRecord } from "../state";
import type { ConnectorContext } from "../context";

/**
 * Stage 3: the Web2Json request prepared by Flare's verifier, then sent to FdcHub with its fee.
 * The prepared bytes and then the signed transaction are recorded before anything is sent, so a
 * restart resumes with the same request and the same transaction.
 */
export async function requestAttestation(ctx: ConnectorContext, record: WindowRecord): Promise<WindowRecord> {
  const window = BigInt(record.window);
  const { config, contracts, wallet } = ctx;
  let current = record;
  if (!current.request) {
    const abiEncodedRequest = await prepareRequest(config.flare.verifierUrl, config.flare.verifierApiKey, requestBodyFor(config.publisher.baseUrl, window));
    current = { ...current, request: { abiEncodedRequest } };
    ctx.state.put(current);
  }
  const abiEncodedRequest = current.request?.abiEncodedRequest ?? "";
  let fee = current.request?.fee;
  if (!current.request?.tx) {
    fee = (await feeFor(contracts, wallet, abiEncodedRequest)).toString();
  }
  const hub = contracts.fdcHub.connect(wallet);
  const receipt = await sendOnce(wallet, current.request?.tx, () => hub.requestAttestation.populateTransaction(abiEncodedRequest, { value: BigInt(fee ?? "0") }), {
    record: (tx) => {
      current = { ...current, request: { abiEncodedRequest, fee, tx } };
      ctx.state.put(current);
    },
    afterRecord: () => ctx.fault("request:recorded", window),
    afterBroadcast: () => ctx.fault("request:broadcast", window),
  });
  const block = await receipt.getBlock();
  const votingRound = await votingRoundOf(contracts, block.timestamp);
  const next: WindowRecord = { ...current, stage: "requested", request: { ...current.request, abiEncodedRequest, fee, txHash: receipt.hash, votingRound: votingRound.toString() } };
  ctx.state.put(next);
  logStage(ctx.log, window, "requested", { round: votingRound, tx: receipt.hash, fee });
  return next;
}
