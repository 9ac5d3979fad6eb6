import { JsonRpcProvider, Wallet, type Log } from "ethers";
import {
  FDC_PROTOCOL_ID,
  buildRoundProofs,
  decodeWeb2JsonRequest,
  encodeWeb2JsonResponse,
  messageIntegrityCode,
  web2JsonResponse,
  WEB2JSON_ATTESTATION_TYPE,
  type Web2JsonResponse,
} from "../fdc";
import { keccak256, toUtf8Bytes } from "ethers";
import { FLARE_CONTRACT_REGISTRY_ADDRESS } from "../fdc/harness";
import { IFdcHub__factory, IFlareContractRegistry__factory, IRelay__factory } from "../evm/typechain";
import { RelayStandIn__factory } from "../evm/typechain";
import { lowestUsedTimestampOf, type VerifierRelease } from "./release";
import { processWeb2Json, type FetchPolicy } from "./web2json-fetch";
import type { Logger } from "../log";
import { messageOf } from "../errors";
import { LocalStackError } from "../local/errors";

/**
 * The local FDC round engine: follows FdcHub's AttestationRequest events, assigns each request
 * to the voting round of its block time (the Relay's getVotingRoundId), and once a round has
 * ended does what Flare's attestation providers and relay do: every request of the round is
 * verified afresh (the publisher's URL fetched again), kept only if its message integrity code
 * matches the response now computed, and the round's Merkle tree (Flare's rules, src/fdc) is
 * built; its root is set on the Relay stand-in, which finalizes the round. The proofs are kept
 * for the DA-layer endpoint.
 */

/** How Flare's DA layer keys a request: `un_prefix_0x(requestBytes)`, case as given (stored with 0x here). */
export function daRequestKey(requestBytes: string): string {
  return `0x${requestBytes.startsWith("0x") ? requestBytes.slice(2) : requestBytes}`;
}

export type StoredProof = { votingRound: bigint; requestBytes: string; response: Web2JsonResponse; responseHex: string; proof: string[] };

export type RoundEngineOptions = {
  rpcUrl: string;
  /** Owner of the Relay stand-in (the harness deployer). */
  ownerKey: string;
  policy: FetchPolicy;
  verifierRelease: VerifierRelease;
  /** Jump the chain's clock to the end of a round that has requests (evm_increaseTime), for tests. */
  fastClock: boolean;
  /** Seconds after a round's end before it is finalized (Flare: within the next round). */
  finalizationDelaySeconds: number;
  pollMs: number;
  log: Logger;
};

export class RoundEngine {
  private readonly provider: JsonRpcProvider;
  private readonly owner: Wallet;
  private readonly pending = new Map<bigint, string[]>();
  private readonly proofs = new Map<string, StoredProof>();
  private nextBlock = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private addresses: { fdcHub: string; relay: string } | undefined;

  constructor(private readonly options: RoundEngineOptions) {
    this.provider = new JsonRpcProvider(options.rpcUrl, undefined, { staticNetwork: true, polling: false, cacheTimeout: -1 });
    this.owner = new Wallet(options.ownerKey, this.provider);
  }

  private static key(votingRound: bigint, requestBytes: string): string {
    return `${votingRound}:${requestBytes.toLowerCase()}`;
  }

  /**
   * The proof of a request: in a given round, or the latest round holding it. Matched as Flare's
   * DA layer matches (`request_hex = un_prefix_0x(requestBytes)`): the 0x is optional, the hex is
   * compared as given, and chain events carry lowercase hex.
   */
  proofOf(requestBytes: string, votingRound?: bigint): StoredProof | undefined {
    const asked = daRequestKey(requestBytes);
    let found: StoredProof | undefined;
    for (const p of this.proofs.values()) {
      if (p.requestBytes !== asked) continue;
      if (votingRound !== undefined ? p.votingRound === votingRound : found === undefined || p.votingRound > found.votingRound) found = p;
    }
    return found;
  }

  private async resolveAddresses(): Promise<{ fdcHub: string; relay: string }> {
    if (this.addresses) return this.addresses;
    const registry = IFlareContractRegistry__factory.connect(FLARE_CONTRACT_REGISTRY_ADDRESS, this.provider);
    const fdcHub = await registry.getContractAddressByName("FdcHub");
    const relay = await registry.getContractAddressByName("Relay");
    if (/^0x0+$/.test(fdcHub) || /^0x0+$/.test(relay)) throw new LocalStackError("the FDC harness is not deployed on this chain (no FdcHub or Relay in Flare's registry)");
    this.addresses = { fdcHub, relay };
    return this.addresses;
  }

  start(): void {
    const loop = async () => {
      if (this.stopped) return;
      this.running = this.tick().catch((error: unknown) => this.options.log.error(`flare-local: ${messageOf(error)}`));
      await this.running;
      if (!this.stopped) this.timer = setTimeout(() => void loop(), this.options.pollMs);
    };
    void loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    this.provider.destroy();
  }

  /** One pass: collect new requests, finalize every round that has ended. */
  async tick(): Promise<void> {
    const { fdcHub, relay } = await this.resolveAddresses();
    await this.collect(fdcHub, relay);
    await this.finalizeDue(relay);
  }

  private async collect(fdcHubAddress: string, relayAddress: string): Promise<void> {
    const latest = await this.provider.getBlockNumber();
    if (latest < this.nextBlock) return;
    const hub = IFdcHub__factory.connect(fdcHubAddress, this.provider);
    const relay = IRelay__factory.connect(relayAddress, this.provider);
    const logs: Log[] = await this.provider.getLogs({
      address: fdcHubAddress,
      topics: [hub.interface.getEvent("AttestationRequest").topicHash],
      fromBlock: this.nextBlock,
      toBlock: latest,
    });
    for (const log of logs) {
      const parsed = hub.interface.parseLog(log);
      if (!parsed) continue;
      const data = String(parsed.args[0]).toLowerCase();
      const block = await this.provider.getBlock(log.blockNumber);
      if (!block) continue;
      const round = await relay.getVotingRoundId(block.timestamp);
      const list = this.pending.get(round) ?? [];
      list.push(data);
      this.pending.set(round, list);
      this.options.log.info(`flare-local: attestation request in block ${log.blockNumber} -> voting round ${round}`);
    }
    this.nextBlock = latest + 1;
  }

  private async finalizeDue(relayAddress: string): Promise<void> {
    if (this.pending.size === 0) return;
    const relay = RelayStandIn__factory.connect(relayAddress, this.owner);
    const first = BigInt(await relay.firstVotingRoundStartTs());
    const epoch = BigInt(await relay.votingEpochDurationSeconds());
    const rounds = [...this.pending.keys()].sort((a, b) => (a < b ? -1 : 1));
    for (const round of rounds) {
      const due = first + (round + 1n) * epoch + BigInt(this.options.finalizationDelaySeconds);
      let now = BigInt((await this.provider.getBlock("latest"))?.timestamp ?? 0);
      if (now < due) {
        if (this.options.fastClock) {
          await this.provider.send("evm_increaseTime", [Number(due - now)]);
        }
        // Mine so the chain's clock moves even when nobody sends transactions.
        await this.provider.send("evm_mine", []);
        now = BigInt((await this.provider.getBlock("latest"))?.timestamp ?? 0);
        if (now < due) return;
      }
      await this.finalize(relay, round, this.pending.get(round) ?? []);
      this.pending.delete(round);
    }
  }

  private async finalize(relay: ReturnType<typeof RelayStandIn__factory.connect>, round: bigint, requests: string[]): Promise<void> {
    const responses: { requestBytes: string; response: Web2JsonResponse }[] = [];
    for (const requestBytes of new Set(requests)) {
      let request: ReturnType<typeof decodeWeb2JsonRequest>;
      try {
        request = decodeWeb2JsonRequest(requestBytes);
      } catch (error) {
        this.options.log.warn(`flare-local: round ${round}: undecodable request dropped (${messageOf(error)})`);
        continue;
      }
      if (request.attestationType !== WEB2JSON_ATTESTATION_TYPE) continue;
      const outcome = await processWeb2Json(request.requestBody, this.options.policy);
      if (outcome.status !== "VALID") {
        this.options.log.info(`flare-local: round ${round}: ${request.requestBody.url}: ${outcome.status} (${outcome.reason})`);
        continue;
      }
      const response = web2JsonResponse({
        votingRound: round,
        lowestUsedTimestamp: lowestUsedTimestampOf(this.options.verifierRelease),
        sourceId: request.sourceId,
        requestBody: request.requestBody,
        responseBody: { abiEncodedData: outcome.abiEncodedData },
      });
      // A request whose data changed since it was prepared is not attested (its MIC fails).
      if (messageIntegrityCode(response) !== request.messageIntegrityCode) {
        this.options.log.warn(`flare-local: round ${round}: ${request.requestBody.url}: message integrity code mismatch, not attested`);
        continue;
      }
      responses.push({ requestBytes, response });
    }
    let root: string;
    if (responses.length === 0) {
      // Flare finalizes every round; a round with nothing attested gets a root no proof leads to.
      root = keccak256(toUtf8Bytes(`flare-local: empty round ${round}`));
    } else {
      const built = buildRoundProofs(responses.map((r) => r.response));
      root = built.root;
      responses.forEach((r, i) => {
        const stored: StoredProof = {
          votingRound: round,
          requestBytes: r.requestBytes,
          response: r.response,
          responseHex: encodeWeb2JsonResponse(r.response),
          proof: built.proofs[i].merkleProof,
        };
        this.proofs.set(RoundEngine.key(round, r.requestBytes), stored);
      });
    }
    await (await relay.setMerkleRoot(FDC_PROTOCOL_ID, round, root)).wait();
    this.options.log.info(`flare-local: voting round ${round} finalized with ${responses.length} attestation(s), root ${root}`);
  }
}
