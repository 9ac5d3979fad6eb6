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
}
