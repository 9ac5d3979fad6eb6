import { QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import { configure, render } from "@testing-library/react";
import type { ReactElement } from "react";
import { vi } from "vitest";
import { readConfig, type PageConfig } from "../../web/src/config";
import { ChainProvider } from "../../web/src/hooks/useChain";
import { KeySessionProvider } from "../../web/src/hooks/useKeySession";
import { createQueryClient } from "../../web/src/queries";
import { ServicesProvider, type Services } from "../../web/src/services/context";
import { DEFAULT_PRICING, type PricingConfig } from "../../src/pricing";
import type { AccountStorage, EscrowSettings, FlowClient, PricingAnnouncement, ScheduledPricing, Subscription } from "../../web/src/services/flowClient";
import type { KeyService, KeySession, UsageAnswer } from "../../web/src/services/keyService";

// waitFor and findBy give up after 1 s by default; on two shared cores a query's answer can take
// longer to render. They still return as soon as the page shows what they wait for.
configure({ asyncUtilTimeout: 10_000 });

export const CUSTOMER = "0x01cf0e2f2f715450";
export const PROVIDER = "0x179b6b1cb6755e31";
export const ADMIN = "0xf8d6e0586b0a20c7";

export const config: PageConfig = {
  ...readConfig({ VITE_FLOW_ADDRESSES: JSON.stringify({ UsageBasedSubscriptions: ADMIN }) }),
  defaultProvider: PROVIDER,
  keyServiceUrl: "http://127.0.0.1:1/keys",
};

export function subscription(over: Partial<Subscription> = {}): Subscription {
  const now = Math.floor(Date.now() / 1000);
  return {
    id: 7n,
    customer: CUSTOMER,
    provider: PROVIDER,
    status: "Active",
    balance: "7.50000000",
    deposited: "10.00000000",
    spent: "2.50000000",
    refunded: "0.00000000",
    maxBudgetPerPeriod: null,
    allowedModels: null,
    createdAt: `${now - 86400 * 3}.00000000`,
    periodStart: `${now - 86400 * 3}.00000000`,
    periodEnd: `${now + 86400 * 27}.00000000`,
    periodTokens: 100_000n,
    periodRequests: 40n,
    periodSpent: "2.50000000",
    totalTokens: 100_000n,
    keyHash: "ab".repeat(32),
    closeRequestedAt: null,
    closeGraceEndsAt: null,
    billingPeriod: "2592000.00000000",
    suspendedFor: null,
    ...over,
  } as Subscription;
}

export const storageOk: AccountStorage = {
  balance: 100n * 100_000_000n,
  availableBalance: 100n * 100_000_000n - 100_000n,
  storageUsed: 4_000n,
  storageCapacity: 10_000_000_000n,
};

/** Seconds since the epoch as a timestamp in units of 1e-8 s. */
export const at = (seconds: number): bigint => BigInt(Math.floor(seconds)) * 100_000_000n;

/** One version of a schedule as get_pricing_schedule gives it (after the mirror's conversion). */
export function scheduled(config: PricingConfig, version: bigint, effectiveFrom: bigint, announcedAt = 0n): ScheduledPricing {
  return { ...config, version, effectiveFrom, announcedAt };
}

/** The deployment's schedule: one version, in force from the start. */
export const deployedSchedule: ScheduledPricing[] = [scheduled(DEFAULT_PRICING, 0n, 0n)];

export const escrowSettings: EscrowSettings = {
  billingPeriod: 2_592_000n,
  closeGracePeriod: 3_600n,
  minimumCloseGracePeriod: 900n,
  minimumDeposit: 100_000_000n,
};

export const announcement = (over: Partial<PricingAnnouncement> = {}): PricingAnnouncement => ({
  transactionId: "1".repeat(64),
  version: 1n,
  effectiveFrom: at(Date.now() / 1000),
  increase: false,
  ...over,
});

export function flowMock(over: Partial<FlowClient> = {}): FlowClient {
  return {
    onUser: vi.fn((cb) => {
      cb({ address: CUSTOMER });
      return () => undefined;
    }),
    logIn: vi.fn(async () => undefined),
    logOut: vi.fn(async () => undefined),
    listSubscriptions: vi.fn(async () => [subscription()]),
    getSubscription: vi.fn(async () => subscription()),
    getPricingSchedule: vi.fn(async () => deployedSchedule),
    getEscrowSettings: vi.fn(async () => escrowSettings),
    accountStorage: vi.fn(async () => storageOk),
    createSubscription: vi.fn(async (_c, _i, onStatus) => {
      onStatus("signing");
      onStatus("pending");
      return { id: 8n, transactionId: "f".repeat(64) };
    }),
    topUp: vi.fn(async () => "a".repeat(64)),
    updateSubscription: vi.fn(async () => "b".repeat(64)),
    revokeKey: vi.fn(async () => "c".repeat(64)),
    requestClose: vi.fn(async () => "d".repeat(64)),
    finishClose: vi.fn(async () => "e".repeat(64)),
    setTiers: vi.fn(async () => announcement()),
    setFamilyMultiplier: vi.fn(async () => announcement({ transactionId: "2".repeat(64) })),
    setDefaultMultiplier: vi.fn(async () => announcement({ transactionId: "3".repeat(64) })),
    cancelPricingChanges: vi.fn(async () => ({ transactionId: "4".repeat(64), versions: [1n] })),
    signMessage: vi.fn(async () => [{ addr: CUSTOMER, keyId: 0, signature: "00" }]),
    ...over,
  };
}

export const usage: UsageAnswer = {
  subscriptionId: "1",
  keyHashes: ["a".repeat(64)],
  usage_summary: { total_requests: 50, total_tokens: 130_000, total_cost: 1.5 },
  model_breakdown: {
    "gpt-4o": { requests: 20, tokens: 100_000, cost: 1.2 },
    "claude-3-haiku": { requests: 30, tokens: 30_000, cost: 0.3 },
  },
  recent_requests: [
    { request_id: "chatcmpl-1", model: "gpt-4o", prompt_tokens: 600, completion_tokens: 300, total_tokens: 900, cost: 0.01, timestamp: "2025-01-02T10:00:00Z" },
    { request_id: "chatcmpl-2", model: "claude-3-haiku", prompt_tokens: 200, completion_tokens: 100, total_tokens: 300, cost: 0.001, timestamp: "2025-01-02T11:00:00Z" },
  ],
  daily_usage: [
    { date: "2025-01-01", requests: 20, tokens: 60_000, cost: 0.6 },
    { date: "2025-01-02", requests: 30, tokens: 70_000, cost: 0.9 },
  ],
  live: null,
};

export function keysMock(session: Partial<KeySession> = {}): { service: KeyService; session: KeySession } {
  const full: KeySession = {
    address: CUSTOMER,
    pollable: true,
    revealKey: vi.fn(async () => "sk-test-plaintext-key"),
    rotateKey: vi.fn(async () => undefined),
    usage: vi.fn(async () => usage),
    ...session,
  };
  return { service: { signIn: vi.fn(async () => full) }, session: full };
}

/** The page's query defaults, without the retry (a test's failed read shows its error at once). */
export function testQueryClient(): QueryClient {
  const client = createQueryClient();
  client.setDefaultOptions({ ...client.getDefaultOptions(), queries: { ...client.getDefaultOptions().queries, retry: false } });
  return client;
}

/** A component with the page's providers around it: the mock client, `address` connected (CUSTOMER unless given). */
export function renderWith(ui: ReactElement, options: { flow?: FlowClient; keys?: KeyService | null; address?: string | null; pageConfig?: PageConfig } = {}) {
  const flow = options.flow ?? flowMock();
  const keys = options.keys === undefined ? keysMock().service : options.keys;
  const services = { config: options.pageConfig ?? config, loadFlow: async () => flow, keys };
  const queryClient = testQueryClient();
  const address = options.address === undefined ? CUSTOMER : options.address;
  const result = render(
    <QueryClientProvider client={queryClient}>
      <ServicesProvider services={services}>
        <ChainProvider value={{ client: flow, address, loadError: null }}>
          <KeySessionProvider>{ui}</KeySessionProvider>
        </ChainProvider>
      </ServicesProvider>
    </QueryClientProvider>,
  );
  // What a sealed transaction marked for re-reading (the spy calls through).
  const invalidate = vi.spyOn(queryClient, "invalidateQueries");
  return { ...result, queryClient, invalidate };
}

/** The whole page as main.tsx mounts it (FCL replaced by `services.loadFlow`). */
export function renderPage(ui: ReactElement, services: Services) {
  return render(
    <QueryClientProvider client={testQueryClient()}>
      <ServicesProvider services={services}>{ui}</ServicesProvider>
    </QueryClientProvider>,
  );
}
