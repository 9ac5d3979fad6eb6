/**
 * FlareFlow pricing, the TypeScript mirror of UsageBasedSubscriptions (exact: bigint units of
 * 1e-8 FLOW). A differential test holds it equal to the Cadence quote scripts.
 */
export * from "./units";
export * from "./tiers";
export * from "./config";
export * from "./billing";
export * from "./model-family";
