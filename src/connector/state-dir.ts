import * as path from "node:path";

export type ConnectorNetwork = "local" | "coston2";

/**
 * Where a network's connector state lives (FLAREFLOW_CONNECTOR_STATE overrides). Its own module
 * so that the publisher, which needs nothing else of the connector's configuration, loads none of it.
 */
export function defaultStateDir(network: ConnectorNetwork, env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env.FLAREFLOW_CONNECTOR_STATE ?? path.resolve(__dirname, `../../.flareflow/connector-${network}`);
}
