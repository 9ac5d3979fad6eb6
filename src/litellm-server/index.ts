export { DEFAULT_SPEND_LOG_DELAY_MS, startLiteLLMServer } from "./server";
export { DEFAULT_MODELS, costOf } from "./models";
export { countPromptTokens, countTextTokens, fakeReply } from "./completion";
export type { LiteLLMServerHandle, LiteLLMServerOptions, ModelConfig } from "./types";
