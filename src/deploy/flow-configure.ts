import type { AuthorizationFunction } from "@onflow/fcl";
import type { FlowNetworkConfig, FlowSettings } from "../config/networks";
import { readDeployment } from "../config/deployments";
import { keyAuthorization, runScript, sendTransaction, type FlowContext, type KeySigner, type TransactionDefinition } from "../flow/runtime";
import { pricingGetPricing, pricingGetPricingSchedule, oracleGetConfig, triggersGetState } from "../flow/generated/scripts";
import {
  pricingAdminMapModel,
  pricingAdminSetDefaultMultiplier,
  pricingAdminSetFamilyMultiplier,
  subscriptionsAdminSetGrace,
  subscriptionsAdminSetMinimumDeposit,
  pricingAdminSetNoticePeriod,
  subscriptionsAdminSetPeriod,
  pricingAdminSetTiers,
  pricingAdminUnmapModel,
  oracleRegisterOracle,
  oracleRemoveOracle,
  oracleSetSource,
  oracleSetThreshold,
  triggersSetWindowSeconds,
} from "../flow/generated/transactions";
import { formatUFix64, pricingFromCadence, scheduleFromCadence, UNITS_PER_SECOND, type PricingConfig } from "../pricing";
import { DeployError } from "./errors";

/** One configuration transaction, described before it is sent. */
interface Step {
  what: string;
  send: (authz: AuthorizationFunction) => Promise<unknown>;
}

export interface FlowConfigureOptions {
  network: FlowNetworkConfig;
  flow: FlowContext;
  signer: KeySigner;
  yes: boolean;
  log: (line: string) => void;
  /** Where deploy:evm recorded the verifier the oracles attest to. */
  deploymentsDir?: string;
  /** Overrides the network's settings (tests, the local stack's short windows). */
  settings?: FlowSettings;
}

const hex = (value: unknown) => String(value).toLowerCase().replace(/^0x/, "");

const seconds = (s: bigint) => formatUFix64(s * UNITS_PER_SECOND);

/**
 * The steps from `current` to `wanted`. Prices are compared with the latest version of the
 * schedule (an announced change counts as done: a re-run announces nothing twice); the escrow
 * settings with what is in force. With customers, a price rise is only announced here: it
 * takes effect after the notice period.
 */
function pricingSteps(ctx: FlowContext, current: PricingConfig, wanted: PricingConfig): Step[] {
  const steps: Step[] = [];
  const tx = <A>(what: string, def: TransactionDefinition<A>, args: A): Step => ({
    what,
    send: (authz) => sendTransaction(ctx, def, args, authz),
  });
  if (wanted.noticePeriod !== undefined && current.noticePeriod !== wanted.noticePeriod) {
    steps.push(tx(`set the notice period for price rises to ${wanted.noticePeriod} s`, pricingAdminSetNoticePeriod, { seconds: seconds(wanted.noticePeriod) }));
  }
  const tiers = (p: PricingConfig) => p.tiers.map((t) => `${t.threshold}:${t.pricePer1K}`).join(",");
  if (tiers(current) !== tiers(wanted)) {
    steps.push(
      tx("set the tier table", pricingAdminSetTiers, {
        thresholds: wanted.tiers.map((t) => t.threshold),
        pricesPer1K: wanted.tiers.map((t) => formatUFix64(t.pricePer1K)),
      }),
    );
  }
  for (const [family, multiplier] of Object.entries(wanted.familyMultipliers)) {
    if (current.familyMultipliers[family] !== multiplier) {
      steps.push(tx(`set family ${family} to ${formatUFix64(multiplier)}x`, pricingAdminSetFamilyMultiplier, { family, multiplier: formatUFix64(multiplier) }));
    }
  }
  if (current.defaultMultiplier !== wanted.defaultMultiplier) {
    steps.push(tx("set the default multiplier", pricingAdminSetDefaultMultiplier, { multiplier: formatUFix64(wanted.defaultMultiplier) }));
  }
  for (const [model, family] of Object.entries(wanted.modelFamilies)) {
    if (current.modelFamilies[model] !== family) steps.push(tx(`map model ${model} to ${family}`, pricingAdminMapModel, { model, family }));
  }
  for (const model of Object.keys(current.modelFamilies)) {
    if (!(model in wanted.modelFamilies)) steps.push(tx(`unmap model ${model}`, pricingAdminUnmapModel, { model }));
  }
  if (current.billingPeriod !== wanted.billingPeriod) {
    steps.push(tx("set the billing period of new subscriptions", subscriptionsAdminSetPeriod, { seconds: seconds(wanted.billingPeriod) }));
  }
  if (current.closeGracePeriod !== wanted.closeGracePeriod) {
    steps.push(tx("set the close grace period", subscriptionsAdminSetGrace, { seconds: seconds(wanted.closeGracePeriod) }));
  }
  if (wanted.minimumDeposit !== undefined && current.minimumDeposit !== wanted.minimumDeposit) {
    steps.push(tx(`set the minimum deposit to ${formatUFix64(wanted.minimumDeposit)} FLOW`, subscriptionsAdminSetMinimumDeposit, { amount: formatUFix64(wanted.minimumDeposit) }));
  }
  return steps;
}

/**
 * Brings the deployed contracts' configuration to the network's settings: pricing, the window
 * length, the oracle keys and quorum, and the verifier they attest to. Reads first and sends only
 * what differs, so a second run sends nothing; on live networks nothing is sent without `yes`.
 */
export async function configureFlow(options: FlowConfigureOptions): Promise<{ steps: string[]; sent: boolean }> {
  const { flow, log } = options;
  const settings = options.settings ?? options.network.settings();
  const verifier = readDeployment(settings.source.evmNetwork, options.deploymentsDir).evm?.contracts.UsageReportVerifier?.address;
  if (!verifier) {
    throw new DeployError(`no UsageReportVerifier in deployments/${settings.source.evmNetwork}.json: run deploy:evm for ${settings.source.evmNetwork} first`, { docs: "README.md#configuring-after-deployment" });
  }
  const tx = <A>(what: string, def: TransactionDefinition<A>, args: A): Step => ({
    what,
    send: (authz) => sendTransaction(flow, def, args, authz),
  });

  const inForce = pricingFromCadence(await runScript(flow, pricingGetPricing, {}));
  const schedule = scheduleFromCadence(await runScript(flow, pricingGetPricingSchedule, {}));
  // Prices against the latest version, settings against what is in force.
  const current: PricingConfig = { ...schedule[schedule.length - 1], billingPeriod: inForce.billingPeriod, closeGracePeriod: inForce.closeGracePeriod, minimumDeposit: inForce.minimumDeposit, noticePeriod: inForce.noticePeriod };

  // The window length first: it sets the settlement latency the close grace must cover.
  const steps: Step[] = [];
  const triggers = await runScript(flow, triggersGetState, {});
  if (BigInt(String(triggers.windowSeconds)) !== BigInt(settings.windowSeconds)) {
    steps.push(tx(`set ${settings.windowSeconds}-s usage windows`, triggersSetWindowSeconds, { seconds: settings.windowSeconds }));
  }
  steps.push(...pricingSteps(flow, current, settings.pricing));

  const oracles = await runScript(flow, oracleGetConfig, {});
  const registered = new Map(Object.entries((oracles.oracles ?? {}) as Record<string, unknown>).map(([id, key]) => [hex(key), id]));
  const wanted = new Set(settings.oracles.publicKeys.map(hex));
  for (const key of wanted) {
    if (!registered.has(key)) steps.push(tx(`register oracle ${key.slice(0, 12)}…`, oracleRegisterOracle, { publicKey: key }));
  }
  const threshold = Number(oracles.threshold);
  if (threshold !== settings.oracles.threshold) {
    steps.push(tx(`set the oracle quorum to ${settings.oracles.threshold}`, oracleSetThreshold, { threshold: settings.oracles.threshold }));
  }
  for (const [key, id] of registered) {
    if (!wanted.has(key)) steps.push(tx(`remove oracle ${id}`, oracleRemoveOracle, { oracleId: id }));
  }
  if (BigInt(String(oracles.coston2ChainId)) !== settings.source.chainId || hex(oracles.verifier) !== hex(verifier)) {
    steps.push(tx(`attest to ${verifier} on chain ${settings.source.chainId}`, oracleSetSource, { coston2ChainId: settings.source.chainId, verifier }));
  }

  const names = steps.map((s) => s.what);
  if (steps.length === 0) {
    log(`${options.network.name}: configuration up to date`);
    return { steps: names, sent: false };
  }
  for (const name of names) log(`${options.network.name}: plan: ${name}`);
  if (options.network.live && !options.yes) {
    log(`${options.network.name} is live: nothing sent. Re-run with --yes to apply the plan above.`);
    return { steps: names, sent: false };
  }
  const authz = keyAuthorization(options.signer);
  for (const step of steps) {
    await step.send(authz);
    log(`${options.network.name}: ${step.what}: done`);
  }
  return { steps: names, sent: true };
}
