import type { PricingConfig } from "../../pricing";

/** What `deploy:flow` configures after deploying (idempotently), per network. */
export interface FlowSettings {
  /** Usage window length; FlareFDCTriggers takes it before its first settlement. */
  windowSeconds: number;
  /** Oracle secp256k1 public keys (128 hex chars, no 04 prefix) and the quorum. */
  oracles: { publicKeys: readonly string[]; threshold: number };
  /** The Coston2/Flare verifier oracles attest to: chain id and the EVM network whose deployment names it. */
  source: { chainId: bigint; evmNetwork: "hardhat" | "localhost" | "coston2" | "flare" };
  pricing: PricingConfig;
}

/** A Flow network the project deploys to and talks to. */
export interface FlowNetworkConfig {
  readonly name: "emulator" | "testnet" | "mainnet";
  /** REST access node for FCL. */
  readonly accessNode: string;
  /** Live networks print the plan and need --yes; their keys come from the environment. */
  readonly live: boolean;
  /** flow.json account that holds the project's contracts. */
  readonly deployAccount: string;
  /** FCL wallet discovery (the dev wallet on the emulator). */
  readonly walletDiscovery: string;
  /** Post-deploy configuration; read lazily because live networks take keys from the environment. */
  readonly settings: () => FlowSettings;
}

/** An EVM network the verifier is deployed to. */
export interface EvmNetworkConfig {
  readonly name: "hardhat" | "localhost" | "coston2" | "flare";
  readonly chainId: number;
  readonly live: boolean;
  /** Whether the local FDC harness stands in for Flare's contracts here. */
  readonly fdcHarness: boolean;
  /**
   * The report publisher's base URL that UsageReportVerifier pins. Flare's
   * verifiers fetch only public HTTPS, so live networks take it from
   * FLAREFLOW_PUBLISHER_URL; locally the connector serves it.
   */
  readonly publisherBaseUrl: string | undefined;
  /**
   * Usage window length in seconds that UsageReportVerifier is deployed with, and the Flow network
   * paired with this one takes (window-length.ts: 300 live; locally FLAREFLOW_WINDOW_SECONDS).
   */
  readonly windowSeconds: number;
}
