import { useQuery } from "@tanstack/react-query";
import type { PricingConfig } from "../../../src/pricing";
import { errorText } from "../format";
import { useConnected } from "../hooks/useChain";
import { queryKeys } from "../queries";
import { useServices } from "../services/context";
import { SubscriptionTile } from "./SubscriptionTile";

/** A failed read of the list and a way to ask again: in place of the list at first (a block), above the tiles it could not refresh (a line). */
function ReadFailed({ as: Tag, what, error, retry }: { as: "div" | "p"; what: "read" | "refresh"; error: unknown; retry: () => void }) {
  return (
    <Tag className="state state-error" role="alert">
      Could not {what} your subscriptions: {errorText(error)}{" "}
      <button type="button" className="link" onClick={retry}>
        Try again
      </button>
    </Tag>
  );
}

/** Every subscription of the connected account, newest first, with loading, empty and error states. */
export function SubscriptionList({ pricing }: { pricing: PricingConfig }) {
  const { client, address } = useConnected();
  const { config } = useServices();
  const list = useQuery({
    queryKey: queryKeys.subscriptions(address),
    queryFn: () => client.listSubscriptions(address),
    // Verified usage changes only when a report settles: re-read the chain now and then.
    refetchInterval: Math.max(config.usagePollMs, 5000),
  });
  // The tiles' clock (grace periods, projections) moves with each poll, answered or not.
  const nowSeconds = Math.max(list.dataUpdatedAt, list.errorUpdatedAt) / 1000;
  const retry = () => void list.refetch();

  if (list.isPending) return <p className="state state-loading">Loading your subscriptions…</p>;
  if (list.isError && !list.data) return <ReadFailed as="div" what="read" error={list.error} retry={retry} />;
  const subscriptions = (list.data ?? []).slice().reverse();
  if (subscriptions.length === 0 && !list.isError) {
    return <p className="state state-empty">You have no subscriptions yet. Create one with the form above.</p>;
  }
  return (
    <>
      {list.isError && <ReadFailed as="p" what="refresh" error={list.error} retry={retry} />}
      <div className="tiles">
        {subscriptions.map((s) => (
          <SubscriptionTile key={s.id.toString()} subscription={s} pricing={pricing} nowSeconds={nowSeconds} />
        ))}
      </div>
    </>
  );
}
