import { ConnectorState, isTerminal } from "./state";

/** `npm run connector -- status`: each recorded window's stage, round and last transaction. */
export function statusLines(stateDir: string): string[] {
  const state = new ConnectorState(stateDir);
  const records = state.all();
  if (records.length === 0) return [`no windows recorded in ${stateDir}`];
  return records.map((r) => {
    const round = r.proof?.votingRound ?? r.request?.votingRound;
    const parts = [`window ${r.window}`, r.stage.padEnd(10), `lines ${r.summary.lineCount}`, `tokens ${r.summary.totalTokens}`];
    if (r.rows.late > 0) parts.push(`late ${r.rows.late}`);
    if (round) parts.push(`round ${round}`);
    if (r.request?.txHash) parts.push(`request ${r.request.txHash}`);
    if (r.verify?.txHash) parts.push(`verify ${r.verify.txHash}`);
    if (r.flow?.transactionIds.length) parts.push(`flow ${r.flow.transactionIds[r.flow.transactionIds.length - 1]}`);
    if (!isTerminal(r.stage)) parts.push("(in progress)");
    return parts.join("  ");
  });
}
