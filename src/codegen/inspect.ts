import { execFileSync } from "node:child_process";
import { flowBinary, repoRoot } from "../local/flow-binary";
import { FlareFlowError } from "../errors";

/** A Cadence type as `flow inspect` prints it (read with Cadence's own parser). */
export interface TypeNode {
  kind: "nominal" | "optional" | "array" | "dictionary" | "reference" | "intersection" | "other";
  name?: string;
  of?: TypeNode;
  key?: TypeNode;
  value?: TypeNode;
  size?: number;
  text: string;
}

export interface ParamInfo {
  name: string;
  type: TypeNode;
}

export interface CompositeInfo {
  name: string;
  kind: "struct" | "resource" | "enum" | "event" | "contract" | string;
  fields?: ParamInfo[];
  cases?: string[];
  doc?: string;
}

export interface FileInfo {
  path: string;
  kind: "transaction" | "script" | "contract";
  doc?: string;
  imports: string[];
  params: ParamInfo[];
  returns?: TypeNode;
  composites?: CompositeInfo[];
}

/** Parses Cadence files with the pinned toolchain's `flow inspect`. */
export function inspectCadence(files: string[]): FileInfo[] {
  const out = execFileSync(flowBinary(), ["inspect", ...files], {
    cwd: repoRoot(),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const parsed: unknown = JSON.parse(out);
  if (!Array.isArray(parsed)) throw new FlareFlowError("flow inspect: expected a JSON array", { docs: "README.md#the-flow-toolchain" });
  return parsed as FileInfo[];
}
