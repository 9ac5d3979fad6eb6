"use strict";
/**
 * The worker that applies a Web2Json request's jq filter and ABI-encodes the result, as Flare's
 * verifier does in its worker processes (verifier-indexer-api v1.6.0-rc.0,
 * src/verification/web-2-json/worker-process.ts `runJq` and utils.ts `abiEncode`): one jq output is
 * the value, several (or none) are the array of outputs; an array value is the parameter list,
 * anything else the single parameter. A jq failure is JQ PARSE ERROR, an encoding failure ABI
 * ENCODING ERROR. Plain JavaScript because a worker thread loads a file, not a TypeScript module;
 * the parent (jq-process.ts) enforces the time and memory limits.
 */
const { parentPort } = require("node:worker_threads");
const { evaluate, parse } = require("@jq-tools/jq");
const { AbiCoder, ParamType } = require("ethers");

const PARSE_ERROR = "INVALID: JQ PARSE ERROR";
const ENCODE_ERROR = "INVALID: ABI ENCODING ERROR";

function message(error) {
  return error instanceof Error ? error.message : String(error);
}

parentPort.on("message", (task) => {
  let value;
  try {
    const outputs = Array.from(evaluate(parse(task.filter), [task.json]));
    value = outputs.length === 1 ? outputs[0] : outputs;
  } catch (error) {
    parentPort.postMessage({ id: task.id, ok: false, status: PARSE_ERROR, message: message(error) });
    return;
  }
  try {
    const values = Array.isArray(value) ? value : [value];
    const encoded = AbiCoder.defaultAbiCoder().encode([ParamType.from(JSON.parse(task.abiType))], values);
    parentPort.postMessage({ id: task.id, ok: true, result: encoded });
  } catch (error) {
    parentPort.postMessage({ id: task.id, ok: false, status: ENCODE_ERROR, message: message(error) });
  }
});
parentPort.postMessage({ ready: true });
