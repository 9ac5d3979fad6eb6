import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Aggregator, aggregateNaive, type SpendRowFields } from "../../src/connector/aggregate";
import { DEFAULT_PRICING, familyOfSpendRow, multiplierFor, normaliseModelName } from "../../src/pricing";
import { isValidFamily } from "../../src/report";

/*
 * Issue 14, point 6: spend rows carry the deployment's model name as LiteLLM logs it (provider
 * route, vendor, version and date) and model_group, the public name. Names below are the forms
 * LiteLLM's own model cost map and provider docs use (litellm/model_prices_and_context_window_backup.json
 * keys such as "azure/gpt-4-0613", "anthropic/claude-3-5-sonnet-20241022",
 * "bedrock/anthropic.claude-3-5-sonnet-20241022-v2:0", "vertex_ai/claude-3-5-sonnet@20240620",
 * "groq/llama3-70b-8192").
 */

const P = DEFAULT_PRICING;

describe("the family of a logged model name", () => {
  it.each([
    // [model_group, model, family]
    [null, "azure/gpt-4-0613", "gpt-4"],
    [null, "gpt-4-0613", "gpt-4"],
    [null, "azure/gpt-4-32k-0613", "gpt-4"],
    [null, "openai/gpt-4o", "gpt-4"],
    [null, "gpt-4o-2024-08-06", "gpt-4"],
    [null, "gpt-4o-mini-2024-07-18", "gpt-4"],
    [null, "gpt-4-turbo-2024-04-09", "gpt-4"],
    [null, "azure/gpt-35-turbo", undefined],
    [null, "gpt-3.5-turbo-0125", "gpt-3.5"],
    [null, "anthropic/claude-3-5-sonnet-20241022", "claude"],
    [null, "anthropic/claude-3-5-haiku-20241022", "claude"],
    [null, "claude-3-opus-latest", "claude"],
    [null, "bedrock/anthropic.claude-3-5-sonnet-20241022-v2:0", "claude"],
    [null, "bedrock/us.anthropic.claude-3-haiku-20240307-v1:0", "claude"],
    [null, "vertex_ai/claude-3-5-sonnet@20240620", "claude"],
    [null, "groq/llama3-70b-8192", undefined],
    [null, "together_ai/meta-llama/Llama-3-70b-chat-hf", "llama"],
    [null, "mistral/mistral-large-latest", undefined],
    [null, "gpt-4.1-mini", undefined],
    // model_group (the public name) decides first.
    ["gpt-4", "azure/my-deployment-7", "gpt-4"],
    ["llama-3-70b", "groq/llama3-70b-8192", "llama"],
    ["claude-3-sonnet", "anthropic/claude-3-sonnet-20240229", "claude"],
    ["gpt-4o", "anthropic/claude-3-5-sonnet-20241022", "gpt-4"],
    ["my-team-alias", "openai/gpt-4o", "gpt-4"],
    ["", "azure/gpt-4-0613", "gpt-4"],
  ] as const)("model_group %s, model %s -> %s", (group, model, family) => {
    expect(familyOfSpendRow(P, group, model)).toBe(family);
  });

  it("normalises provider routes, Bedrock vendors, versions and dates", () => {
    expect(normaliseModelName("bedrock/converse/us.anthropic.claude-3-7-sonnet-20250219-v1:0")).toBe("claude-3-7-sonnet");
    expect(normaliseModelName("Azure/GPT-4-0613")).toBe("gpt-4");
    expect(normaliseModelName("gpt-4o-2024-08-06")).toBe("gpt-4o");
    expect(normaliseModelName("latest")).toBe("latest");
  });

  it("normalises a name with surrounding whitespace as the name itself", () => {
    expect(normaliseModelName("  azure/gpt-4-0613\n")).toBe("gpt-4");
    expect(familyOfSpendRow(P, null, " claude-3-5-sonnet-20241022 ")).toBe("claude");
  });

  it("strips suffixes until none is left, whatever order they come in (Vertex: version, then date)", () => {
    expect(normaliseModelName("vertex_ai/claude-3-5-sonnet-v2@20241022")).toBe("claude-3-5-sonnet");
    expect(normaliseModelName("gpt-4-0613-latest")).toBe("gpt-4");
    expect(normaliseModelName("ollama/llama3:latest")).toBe("llama3");
  });

  it("never reduces a name to nothing: a name that is all suffix stays as it is", () => {
    for (const name of ["-latest", ":latest", "@20240620", "-0613", "azure/-20241022", "-v2:0"]) {
      expect(normaliseModelName(name), name).not.toBe("");
    }
    expect(normaliseModelName("@20240620")).toBe("@20240620");
  });

  it("cuts a name to a family only at a '-': a name that merely starts with a family's letters is not that family", () => {
    expect(familyOfSpendRow(P, null, "llamafile-7b")).toBeUndefined();
    expect(familyOfSpendRow(P, null, "claudette-2")).toBeUndefined();
    expect(familyOfSpendRow(P, null, "gpt-4x-alpaca")).toBeUndefined();
    expect(familyOfSpendRow(P, null, "llama-guard-7b")).toBe("llama");
  });

  it("bills a name that starts with a '-' at the default multiplier (no empty prefix is looked up)", () => {
    for (const name of ["-gpt-4", "-x", "azure/-claude-3"]) expect(familyOfSpendRow(P, null, name), name).toBeUndefined();
  });

  it("an on-chain mapping of the exact name always wins (the admin can pin any deployment name)", () => {
    const pinned = { ...P, modelFamilies: { ...P.modelFamilies, "azure/gpt-4-0613": "llama" } };
    expect(familyOfSpendRow(pinned, null, "azure/gpt-4-0613")).toBe("llama");
  });

  it("property: the family is a family key or a mapped family, so Cadence charges the multiplier the report names", () => {
    const names = fc.oneof(
      fc.constantFrom(...Object.keys(P.modelFamilies), ...Object.keys(P.familyMultipliers), "toString", "__proto__", "constructor"),
      fc.string(),
      fc.tuple(fc.constantFrom("azure/", "openai/", "bedrock/us.anthropic.", "vertex_ai/", ""), fc.constantFrom("gpt-4", "claude-3-5-sonnet", "llama-3-70b", "x"), fc.constantFrom("", "-0613", "-20241022", "@20240620", "-v2:0", "-latest")).map((p) => p.join("")),
    );
    fc.assert(
      fc.property(fc.option(names, { nil: null }), names, (group, model) => {
        const family = familyOfSpendRow(P, group, model);
        if (family === undefined) return;
        expect(Object.prototype.hasOwnProperty.call(P.familyMultipliers, family) || Object.values(P.modelFamilies).includes(family)).toBe(true);
        expect(isValidFamily(family)).toBe(true);
        expect(multiplierFor(P, family)).toBe(P.familyMultipliers[family]);
      }),
    );
  });
});

describe("aggregation bills logged names by family", () => {
  const row = (id: string, group: string | null, model: string, tokens: number): SpendRowFields => ({
    request_id: id,
    api_key: "k",
    model,
    model_group: group,
    total_tokens: tokens,
    startTime: "2026-03-01T12:00:00.000Z",
    status: "success",
    metadata: { user_api_key_alias: "ff-42" },
  });

  it("dated and provider-prefixed deployments land in their family, not at the default multiplier", () => {
    const rows = [
      row("1", "gpt-4", "azure/gpt-4-0613", 100),
      row("2", null, "openai/gpt-4o", 50),
      row("3", "claude-3-5-sonnet", "anthropic/claude-3-5-sonnet-20241022", 70),
      row("4", null, "bedrock/anthropic.claude-3-5-sonnet-20241022-v2:0", 30),
      row("5", null, "mistral/mistral-large-latest", 9),
    ];
    const a = new Aggregator(P);
    for (const r of rows) a.add(r);
    const lines = a.result().lines.map((l) => [l.family, l.tokens, l.requests]);
    expect(lines).toEqual([
      ["", 9n, 1n],
      ["claude", 100n, 2n],
      ["gpt-4", 150n, 2n],
    ]);
    expect(aggregateNaive(rows, P).map((l) => [l.family, l.tokens, l.requests])).toEqual(lines);
  });
});
