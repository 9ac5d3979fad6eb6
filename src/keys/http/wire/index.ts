/**
 * The key service's wire contract: the schemas of its request bodies and answers, and the types
 * inferred from them, one module for every side. The server parses requests with it and builds
 * its answers to its types (validate.ts, routes.ts); the clients (actions.ts: the page, the local
 * customer and the bill verifier) parse answers with it, importing answers.ts and common.ts
 * alone so that a bundle gets none of the request checks (requests.ts says why).
 *
 * Each message is the predicate of its field: wireIssue writes the field's path in front of it
 * ("subscriptionId must be ..."), so a refusal always names the field.
 */
export * from "./common";
export * from "./requests";
export * from "./answers";
