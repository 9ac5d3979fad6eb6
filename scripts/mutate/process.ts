import { spawn, type ChildProcess } from "node:child_process";
import { stopChild } from "../../src/local/process";
import type { Command } from "./targets";

/** Children still running, so an interrupted run can end them (each leads its own process group). */
const running = new Set<ChildProcess>();

export interface CommandOutcome {
  ok: boolean;
  timedOut: boolean;
  /** The last few KB of stdout and stderr, for a compile error's or a failure's reason. */
  tail: string;
  durationMs: number;
}

const TAIL_BYTES = 4096;

/** Runs a command in `cwd`; past `timeoutMs` its whole process group is killed. */
export function runCommand(command: Command, cwd: string, timeoutMs: number): Promise<CommandOutcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command.command, command.args, { cwd, detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, FORCE_COLOR: "0" } });
    running.add(child);
    let tail = "";
    const keep = (chunk: Buffer) => {
      tail = (tail + chunk.toString("utf8")).slice(-TAIL_BYTES);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, timeoutMs);
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ ok: ok && !timedOut, timedOut, tail, durationMs: Date.now() - started });
    };
    child.on("error", (error) => {
      tail += `\n${error.message}`;
      finish(false);
    });
    child.on("close", (code) => finish(code === 0));
  });
}

/** A mutant's run is thrown away, so its whole group is killed at once, not asked to stop. */
function killGroup(child: ChildProcess): void {
  void stopChild(child, { group: true, signal: "SIGKILL" });
}

/** Ends every child still running (on Ctrl-C). */
export function killAll(): void {
  for (const child of running) killGroup(child);
}
