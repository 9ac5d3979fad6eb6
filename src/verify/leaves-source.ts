import { getLeaves, keyServiceClient, type ChallengeSigner } from "../keys/http/actions";
import type { WindowLeaves } from "./leaves-doc";
import type { LeavesBillSource } from "./sources";

/**
 * The customer's leaves from the key service: one challenge for the "usage" action, signed by
 * the subscription's customer (the same proof as pending usage), then POST /v1/leaves for a range
 * of windows. Whatever comes back is checked against the attested roots by the caller.
 */
export function keyServiceLeavesSource(keyServiceUrl: string, sign: ChallengeSigner): LeavesBillSource {
  const client = keyServiceClient(keyServiceUrl, sign);
  return {
    async leaves(subscriptionId, fromWindow, toWindow): Promise<WindowLeaves[]> {
      return (await getLeaves(client, { subscriptionId, fromWindow, toWindow })).windows;
    },
  };
}
