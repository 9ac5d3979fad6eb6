/** The stored key row as LiteLLM serialises LiteLLM_VerificationToken. */
import type { KeyRecord } from "./types";

export function keyRow(k: KeyRecord, includeToken: boolean): Record<string, unknown> {
  const row: Record<string, unknown> = {
    key_name: k.key_name,
    key_alias: k.key_alias,
    spend: k.spend,
    expires: k.expires,
    models: k.models,
    aliases: {},
    config: {},
    user_id: k.user_id,
    team_id: k.team_id,
    permissions: {},
    max_parallel_requests: null,
    metadata: k.metadata,
    blocked: k.blocked,
    tpm_limit: k.tpm_limit ?? null,
    rpm_limit: k.rpm_limit ?? null,
    max_budget: k.max_budget,
    budget_duration: k.budget_duration,
    budget_reset_at: k.budget_reset_at,
    allowed_cache_controls: [],
    allowed_routes: [],
    soft_budget_cooldown: false,
    model_spend: k.model_spend,
    model_max_budget: {},
    budget_id: null,
    organization_id: null,
    created_at: k.created_at,
    created_by: null,
    updated_at: k.updated_at,
    updated_by: null,
    litellm_budget_table: null,
  };
  return includeToken ? { token: k.token, ...row } : row;
}
