import * as path from "node:path";
import * as z from "zod/mini";
import { optionalText, type Env } from "../config/env";

export type ConnectorNetwork = "local" | "coston2";

/**
 * FLAREFLOW_CONNECTOR_STATE, or undefined when unset or blank: read here alone, for the connector,
 * its publisher and the key service's leaves (which only read the directory).
 */
export function connectorStateFromEnv(env: Env): string | undefined {
  return z.parse(optionalText, env.FLAREFLOW_CONNECTOR_STATE);
}

/**
 * Where a network's connector state lives (FLAREFLOW_CONNECTOR_STATE overrides). Its own module
 * so that the publisher, which needs nothing else of the connector's configuration, loads none of it.
 */
export function defaultStateDir(network: ConnectorNetwork, env: Env = process.env): string {
  return connectorStateFromEnv(env) ?? path.resolve(__dirname, `../../.flareflow/connector-${network}`);
}
