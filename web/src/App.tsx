import { useState } from "react";
import { AdminPricingControls } from "./components/AdminPricingControls";
import { CreateSubscriptionForm } from "./components/CreateSubscriptionForm";
import { PriceCalculator } from "./components/PriceCalculator";
import { SubscriptionList } from "./components/SubscriptionList";
import { WalletButton } from "./components/WalletButton";
import { useCurrentUser } from "./hooks/useCurrentUser";
import { useFlow } from "./hooks/useFlow";
import { KeySessionProvider } from "./hooks/useKeySession";
import { usePricing } from "./hooks/usePricing";
import { useServices } from "./services/context";

const NETWORK_WORDS = { emulator: "Local emulator", testnet: "Flow testnet", mainnet: "Flow mainnet" } as const;

/** The page: the shell renders at once; wallet, subscriptions and admin appear once FCL has loaded. */
export function App() {
  const { config } = useServices();
  const flow = useFlow();
  const address = useCurrentUser(flow.client);
  const pricing = usePricing(flow.client);
  const [refresh, setRefresh] = useState(0);
  const isAdmin = address !== null && config.adminAddress !== null && address === config.adminAddress;

  return (
    <KeySessionProvider client={flow.client} address={address}>
      <header className="top">
        <div>
          <h1>FlareFlow</h1>
          <p className="tagline">LLM access paid in FLOW, every bill attested by Flare and settled on Flow.</p>
        </div>
        <div className="top-right">
          <span className="network">{NETWORK_WORDS[config.network]}</span>
          <WalletButton client={flow.client} address={address} loadError={flow.error} />
        </div>
      </header>
      <main>
        <section aria-label="Subscriptions" className="subscriptions">
          {!flow.client && !flow.error && <p className="state state-loading">Loading the wallet library…</p>}
          {flow.client && !address && <p className="state state-empty">Connect your wallet to create and see subscriptions.</p>}
          {flow.client && address && (
            <>
              <CreateSubscriptionForm client={flow.client} address={address} defaultProvider={config.defaultProvider} onCreated={() => setRefresh((r) => r + 1)} />
              <h2>Your subscriptions</h2>
              <SubscriptionList client={flow.client} address={address} pricing={pricing.pricing} pollMs={config.usagePollMs} refreshKey={refresh} />
            </>
          )}
        </section>
        <PriceCalculator pricing={pricing.pricing} source={pricing.source} pending={pricing.pending} />
        {flow.client && address && isAdmin && (
          <AdminPricingControls
            key={pricing.source}
            client={flow.client}
            address={address}
            pricing={pricing.pricing}
            latest={pricing.latest}
            pending={pricing.pending}
            now={pricing.now}
            onChanged={pricing.reload}
          />
        )}
      </main>
      <footer className="foot muted small">
        Pending usage is LiteLLM's live view; verified usage is what Flow has billed after Flare's attestation.
      </footer>
    </KeySessionProvider>
  );
}
