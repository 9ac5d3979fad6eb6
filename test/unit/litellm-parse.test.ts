/**
 * LiteLLM's answers read through their schemas (src/litellm/parse.ts): each malformed body is a
 * ShapeError naming the path, what was expected and what came (never a raw key), and the
 * tolerances LiteLLM's releases need stay: absent and null optional fields, JSON columns as text.
 */
import { describe, expect, it } from "vitest";
import { parseGenerateKeyResponse, parseKeyInfo, parseKeyListAnswer, parseSpendLogsPage, parseUpdateKeyResponse } from "../../src/litellm/parse";
import { ShapeError } from "../../src/litellm/validate";

const HASH = "ab".repeat(32);
const row = { request_id: "r1", api_key: HASH, spend: 0.5, prompt_tokens: 5, completion_tokens: 7, total_tokens: 12, startTime: "2026-03-01T00:00:00Z", endTime: "2026-03-01T00:00:01Z", model: "gpt-4", metadata: '{"user_api_key": "k", "spend_logs_metadata": "", "other": 1}' };
const page = (data: unknown[]) => ({ data, total: data.length, page: 1, page_size: 100, total_pages: 1 });

describe("LiteLLM answers", () => {
  it("read optional fields as null or their default, and JSON columns given as text as objects", () => {
    const parsed = parseSpendLogsPage(page([row])).data[0];
    expect(parsed).toEqual({ ...row, call_type: "", model_group: null, user: null, status: null, metadata: { user_api_key: "k", user_api_key_alias: null, user_api_key_user_id: null, spend_logs_metadata: {}, other: 1 } });
    expect(parseSpendLogsPage(page([])).total_is_capped).toBe(false);
    expect(parseKeyInfo({ metadata: null, blocked: null }, "info")).toMatchObject({ token: null, spend: 0, models: [], metadata: {}, blocked: false, tpm_limit: null });
    expect(parseKeyListAnswer({ keys: [HASH] })).toEqual({ entries: [{ kind: "hash", token: HASH }], total_count: 1, current_page: 1, total_pages: 1 });
  });

  it("refuse a malformed body with the path, what was expected and what came", () => {
    const refused: [() => unknown, string][] = [
      [() => parseSpendLogsPage([]), "body: expected object, got array"],
      [() => parseSpendLogsPage(page([{ ...row, total_tokens: 13 }])), "data[0].total_tokens: expected prompt_tokens + completion_tokens (12), got number 13"],
      [() => parseSpendLogsPage(page([row, { ...row, spend: -1 }])), "data[1].spend: expected non-negative number, got number -1"],
      [() => parseSpendLogsPage(page([{ ...row, prompt_tokens: 1.5, total_tokens: 8.5 }])), "data[0].prompt_tokens: expected non-negative integer, got number 1.5"],
      [() => parseSpendLogsPage(page([{ ...row, metadata: "{not json" }])), 'data[0].metadata: expected JSON object (or its string form), got string "{not json"'],
      [() => parseSpendLogsPage(page([{ ...row, metadata: "[1]" }])), "data[0].metadata: expected object, got array"],
      [() => parseSpendLogsPage(page([{ ...row, metadata: { spend_logs_metadata: 7 } }])), "data[0].metadata.spend_logs_metadata: expected object, got number 7"],
      [() => parseSpendLogsPage(page([{ ...row, startTime: "yesterday" }])), 'data[0].startTime: expected ISO date string, got string "yesterday"'],
      [() => parseKeyInfo({ models: [1] }, "info"), "info.models[0]: expected string, got number 1"],
      [() => parseKeyListAnswer({ keys: [HASH, "nope"] }), 'keys[1]: expected sha256 hex, got string "nope"'],
      [() => parseKeyListAnswer({ keys: [{ spend: "12" }] }), 'keys[0].spend: expected finite number, got string "12"'],
      [() => parseUpdateKeyResponse({ key: "k" }), "token: expected string, got undefined"],
      [() => parseGenerateKeyResponse({ key: "pk-live-secret", token: HASH }), 'key: expected an sk- key, got string "another string"'],
    ];
    for (const [parse, message] of refused) {
      expect(parse, message).toThrow(ShapeError);
      expect(parse, message).toThrow(message);
    }
  });
});
