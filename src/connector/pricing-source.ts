import { runScript, type FlowContext } from "../flow/runtime";
import { pricingGetPricingAt } from "../flow/generated/scripts";
import { formatUFix64, pricingFromCadence, type PricingConfig } from "../pricing";
import { ConnectorError, messageOf } from "./errors";

/**
 * The on-chain pricing in force for a window starting at `windowStart` (units, as Flow tells time):
 * its model-name to family map decides the report's families, as Flow will bill the window by the
 * same version.
 */
export async function onChainPricingAt(flow: FlowContext, windowStart: bigint): Promise<PricingConfig> {
  try {
    return pricingFromCadence(await runScript(flow, pricingGetPricingAt, { time: formatUFix64(windowStart) }));
  } catch (error) {
    throw new ConnectorError("unreachable", `Flow access node ${flow.accessNode}: cannot read the pricing (model map): ${messageOf(error)}`, { cause: error });
  }
}
