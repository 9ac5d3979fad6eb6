import { QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { readConfig } from "./config";
import { createQueryClient } from "./queries";
import { ServicesProvider, type Services } from "./services/context";
import { httpKeyService } from "./services/keyService";
import "./styles.css";
import { PageError } from "./errors";

const container = document.getElementById("root");
if (!container) {
  throw new PageError("index.html lacks #root");
}
const config = readConfig(import.meta.env);
const services: Services = {
  config,
  // FCL and the bindings are a separate chunk, fetched after the shell has painted.
  loadFlow: () => import("./services/flow").then((m) => m.createFlowClient(config)),
  keys: config.keyServiceUrl ? httpKeyService(config.keyServiceUrl) : null,
};
createRoot(container).render(
  <StrictMode>
    <QueryClientProvider client={createQueryClient()}>
      <ServicesProvider services={services}>
        <App />
      </ServicesProvider>
    </QueryClientProvider>
  </StrictMode>,
);
