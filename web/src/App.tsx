import { useMemo } from "react";
import { AdminPricingControls } from "./components/AdminPricingControls";
import { CreateSubscriptionForm } from "./components/CreateSubscriptionForm";
import { PriceCalculator } from "./components/PriceCalculator";
import { SubscriptionList } from "./components/SubscriptionList";
import { WalletButton } from "./components/WalletButton";
import { ChainProvider, useChain } from "./hooks/useChain";
import { useCurrentUser } from "./hooks/useCurrentUser";
import { useFlow } from "./hooks/useFlow";
import { KeySessionProvider } from "./hooks/useKeySession";
import { usePricing } from "./hooks/usePricing";
import { useServices } from "./services/context";

const NETWORK_WORDS = { emulator: "Local emulator", testnet: "Flow testnet", mainnet: "Flow mainnet" } as const;

/** The page: the shell renders at once; wallet, subscriptions and admin appear once FCL has loaded. */
export function App() {
  const flow = useFlow();
  const address = useCurrentUser(flow.client);
  const chain = useMemo(() => ({ client: flow.client, address, loadError: flow.error }), [flow.client, address, flow.error]);
  return (
    <ChainProvider value={chain}>
      <KeySessionProvider>
        <Page />
      </KeySessionProvider>
    </ChainProvider>
  );
}

function Page() {
  const { config } = useServices();
  const { client, address, loadError } = useChain();
  const pricing = usePricing(client);
  const isAdmin = address !== null && config.adminAddress !== null && address === config.adminAddress;

  return (
    <>
      <header className="top">
        <div>
          <h1>FlareFlow</h1>
          <p className="tagline">LLM access paid in FLOW, every bill attested by Flare and settled on Flow.</p>
        </div>
        <div className="top-right">
          <span className="network">{NETWORK_WORDS[config.network]}</span>
          <WalletButton />
        </div>
      </header>
      <main>
        <section aria-label="Subscriptions" className="subscriptions">
          {!client && !loadError && <p className="state state-loading">Loading the wallet library…</p>}
          {client && !address && <p className="state state-empty">Connect your wallet to create and see subscriptions.</p>}
          {client && address && (
            <>
              <CreateSubscriptionForm defaultProvider={config.defaultProvider} />
              <h2>Your subscriptions</h2>
              <SubscriptionList pricing={pricing.pricing} />
            </>
          )}
        </section>
        <PriceCalculator pricing={pricing.pricing} source={pricing.source} pending={pricing.pending} />
        {client && address && isAdmin && (
          <AdminPricingControls key={pricing.source} pricing={pricing.pricing} latest={pricing.latest} pending={pricing.pending} now={pricing.now} />
        )}
      </main>
      <footer className="foot muted small">
        Pending usage is LiteLLM's live view; verified usage is what Flow has billed after Flare's attestation.
      </footer>
    </>
  );
}
