import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { contractAddresses, deploymentPlan, projectContracts } from "../config/flow-json";
import type { FlowNetworkConfig } from "../config/networks";
import { readDeployment, writeDeployment, type FlowDeployment } from "../config/deployments";
import { keyAuthorization, resolveImports, sendTransaction, type KeySigner } from "../flow/runtime";
import { deployAddContract, deployUpdateContract } from "../flow/generated/transactions";
import { lineDiff } from "./line-diff";
import { DeployError } from "./errors";

export interface FlowDeployOptions {
  network: FlowNetworkConfig;
  /** Overrides the network's access node (a test's own emulator). */
  accessNode?: string;
  signer: KeySigner;
  /** Live networks send nothing without it. */
  yes: boolean;
  log: (line: string) => void;
  deploymentsDir?: string;
}

export interface FlowDeployResult {
  added: string[];
  updated: string[];
  unchanged: string[];
  sent: boolean;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** The code of every contract on `address`, from the access node's REST API. */
async function deployedContracts(accessNode: string, address: string): Promise<Record<string, string>> {
  const response = await fetch(`${accessNode}/v1/accounts/${address.replace(/^0x/, "")}?expand=contracts`);
  if (!response.ok) throw new DeployError(`access node ${accessNode}: account ${address}: HTTP ${response.status}`);
  const body = (await response.json()) as { contracts?: Record<string, unknown> };
  const out: Record<string, string> = {};
  for (const [name, code] of Object.entries(body.contracts ?? {})) {
    if (typeof code === "string") out[name] = Buffer.from(code, "base64").toString("utf8");
  }
  return out;
}

/**
 * Deploys or updates the project's contracts on one network, idempotently:
 * unchanged contracts are left alone, a change is shown as a diff before it
 * is sent, and on live networks nothing is sent without `yes`.
 */
export async function deployFlow(options: FlowDeployOptions): Promise<FlowDeployResult> {
  const { network, signer, log } = options;
  const accessNode = options.accessNode ?? network.accessNode;
  const names = deploymentPlan(network.name, network.deployAccount);
  const sources = new Map(projectContracts().map((c) => [c.name, c.source]));
  const addresses = contractAddresses(network.name, signer.address);
  const onChain = await deployedContracts(accessNode, signer.address);

  const plan: { name: string; action: "add" | "update" | "unchanged"; code: string }[] = [];
  for (const name of names) {
    const source = sources.get(name);
    if (!source) throw new DeployError(`flow.json deploys ${name}, which has no source in contracts`);
    const code = resolveImports(fs.readFileSync(source, "utf8"), addresses);
    const current = onChain[name];
    const action = current === undefined ? "add" : current === code ? "unchanged" : "update";
    plan.push({ name, action, code });
    log(`${network.name}: ${name} at ${signer.address}: ${action}`);
    if (action === "update" && current !== undefined) log(lineDiff(current, code));
  }

  const result: FlowDeployResult = {
    added: plan.filter((p) => p.action === "add").map((p) => p.name),
    updated: plan.filter((p) => p.action === "update").map((p) => p.name),
    unchanged: plan.filter((p) => p.action === "unchanged").map((p) => p.name),
    sent: false,
  };
  if (result.added.length + result.updated.length === 0) {
    log(`${network.name}: nothing to do, every contract is up to date`);
  } else if (network.live && !options.yes) {
    log(`${network.name} is live: nothing sent. Re-run with --yes to apply the plan above.`);
    return result;
  } else {
    const ctx = { accessNode, addresses };
    const authz = keyAuthorization(signer);
    for (const step of plan) {
      if (step.action === "unchanged") continue;
      const tx = step.action === "add" ? deployAddContract : deployUpdateContract;
      const sealed = await sendTransaction(ctx, tx, { name: step.name, code: step.code }, authz);
      log(`${network.name}: ${step.action === "add" ? "added" : "updated"} ${step.name} (tx ${sealed.transactionId})`);
    }
    result.sent = true;
  }

  const record = readDeployment(network.name, options.deploymentsDir);
  const flow: FlowDeployment = { network: network.name, account: signer.address, contracts: {} };
  for (const step of plan) flow.contracts[step.name] = { address: signer.address, codeSha256: sha256(step.code) };
  if (JSON.stringify(record.flow) !== JSON.stringify(flow)) {
    writeDeployment(network.name, { ...record, flow }, options.deploymentsDir);
  }
  return result;
}
