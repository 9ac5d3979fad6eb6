import type { ReactNode } from "react";
import type { PageConfig } from "../config";
import type { FlowClient } from "./flowClient";
import type { KeyService } from "./keyService";
import { requiredContext } from "../hooks/requiredContext";

/** What components reach through context: swapped for mocks in component tests. */
export interface Services {
  config: PageConfig;
  /** Resolves the FCL-backed client; the page passes a lazy import, tests a mock. */
  loadFlow: () => Promise<FlowClient>;
  keys: KeyService | null;
}

const [ServicesContext, useServices] = requiredContext<Services>("Services");
export { useServices };

export function ServicesProvider({ services, children }: { services: Services; children: ReactNode }) {
  return <ServicesContext.Provider value={services}>{children}</ServicesContext.Provider>;
}
