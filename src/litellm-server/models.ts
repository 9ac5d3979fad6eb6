import type { ModelConfig } from "./types";

/**
 * Default catalogue: one model per pricing family of the design (GPT-4,
 * GPT-3.5, Claude, Llama). Prices are LiteLLM cost-map style USD per token and
 * only need to be deterministic here.
 */
export const DEFAULT_MODELS: readonly ModelConfig[] = [
  { model_name: "gpt-4", litellm_model: "gpt-4", provider: "openai", input_cost_per_token: 0.00003, output_cost_per_token: 0.00006 },
  { model_name: "gpt-3.5-turbo", litellm_model: "gpt-3.5-turbo", provider: "openai", input_cost_per_token: 0.0000005, output_cost_per_token: 0.0000015 },
  { model_name: "claude-3-sonnet", litellm_model: "anthropic/claude-3-sonnet-20240229", provider: "anthropic", input_cost_per_token: 0.000003, output_cost_per_token: 0.000015 },
  { model_name: "llama-3-70b", litellm_model: "groq/llama3-70b-8192", provider: "groq", input_cost_per_token: 0.00000059, output_cost_per_token: 0.00000079 },
];

export function costOf(model: ModelConfig, promptTokens: number, completionTokens: number): number {
  return promptTokens * model.input_cost_per_token + completionTokens * model.output_cost_per_token;
}
