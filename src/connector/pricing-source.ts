import { runScript, type FlowContext } from "../flow/runtime";
import { getPricing } from "../flow/generated/scripts";
import { pricingFromCadence, type PricingConfig } from "../pricing";
import { ConnectorError, messageOf } from "./errors";

/** The on-chain pricing (for its model-name to family map), read fresh for each window. */
export async function onChainPricing(flow: FlowContext): Promise<PricingConfig> {
  try {
    const onChain = await runScript(flow, getPricing, {});
    return pricingFromCadence({ ...onChain, tiers: onChain.tiers.map((t) => ({ threshold: t.threshold.toString(), pricePer1K: t.pricePer1K })) });
  } catch (error) {
    throw new ConnectorError("unreachable", `Flow access node ${flow.accessNode}: cannot read the pricing (model map): ${messageOf(error)}`);
  }
}
