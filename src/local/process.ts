import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { waitFor } from "./wait";

export interface ProcessSpec {
  /** Short name for logs and status. */
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /**
   * false: the process gets `env` and only the harmless basics of this one's
   * environment (PATH, HOME, locale, temp dir), never a secret that happens to
   * be set here. Default true (the whole environment, then `env`).
   */
  inheritEnv?: boolean;
  /** Where the process's output goes (appended; never the terminal, so no secret reaches it by accident). */
  logFile: string;
  /** Resolves true once the service answers; `logOffset` is where this start's output begins in the log. */
  ready: (started: { logOffset: number }) => Promise<boolean>;
  readyTimeoutMs?: number;
}

const BASIC_ENV = ["PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR"] as const;

/** What any process needs to run, and nothing that could be a secret. */
export function basicEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of BASIC_ENV) if (process.env[name] !== undefined) env[name] = process.env[name];
  return env;
}

export interface StopOptions {
  /** The child was spawned `detached`: it leads its own process group, and the whole group is signalled. */
  group?: boolean;
  /** The first signal; default SIGTERM. */
  signal?: NodeJS.Signals;
  /** SIGKILL follows after this long if the child has not exited; default 5 s. */
  graceMs?: number;
}

/**
 * Stops a child and resolves once it has exited: `signal`, then SIGKILL after the grace period.
 * A child not spawned `detached` shares this process's group (Ctrl-C in a terminal reaches it
 * too) and is signalled alone; signalling a detached child's group stops whatever it started.
 */
export async function stopChild(child: ChildProcess, options: StopOptions = {}): Promise<void> {
  const { group = false, signal = "SIGTERM", graceMs = 5000 } = options;
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const send = (sig: NodeJS.Signals) => {
    try {
      if (group) process.kill(-pid, sig);
      else child.kill(sig);
    } catch {
      // already gone
    }
  };
  send(signal);
  const timer = setTimeout(() => send("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * How a service's own process ends (the key service, the LiteLLM and Flare stand-ins): on the
 * first SIGINT or SIGTERM, `stop` (which lets the service finish what it journals), then exit 0,
 * or 1 if stopping failed.
 */
export function exitOnSignal(stop: () => Promise<void>): void {
  const shutdown = (): void => {
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

/**
 * A child process of the local stack: started in its own process group (so
 * stopping it stops whatever it started), logged to a file, restartable.
 */
export class ManagedProcess {
  private child: ChildProcess | undefined;
  private stopping = false;

  constructor(readonly spec: ProcessSpec) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the process and waits until it is ready; throws with the log's tail if it dies first. */
  async start(): Promise<void> {
    const { spec } = this;
    fs.mkdirSync(path.dirname(spec.logFile), { recursive: true });
    const logOffset = fs.existsSync(spec.logFile) ? fs.statSync(spec.logFile).size : 0;
    const out = fs.openSync(spec.logFile, "a");
    this.stopping = false;
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: { ...(spec.inheritEnv === false ? basicEnv() : process.env), ...spec.env },
      stdio: ["ignore", out, out],
      detached: true,
    });
    fs.closeSync(out);
    this.child = child;
    const died = new Promise<never>((_, reject) => {
      child.once("exit", (code, signal) => {
        if (!this.stopping) reject(new Error(`${spec.name} exited (${signal ?? code}) before it was ready:\n${this.tail()}`));
      });
    });
    died.catch(() => undefined);
    await Promise.race([waitFor(spec.name, () => spec.ready({ logOffset }), { timeoutMs: spec.readyTimeoutMs ?? 120_000, everyMs: 200, retryErrors: true }), died]);
  }

  /** The last lines of the process's log. */
  tail(lines = 20): string {
    try {
      return fs.readFileSync(this.spec.logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "(no log)";
    }
  }

  /** Stops the whole process group: SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.child || !this.running) return;
    this.stopping = true;
    await stopChild(this.child, { group: true, graceMs });
  }

  /** Kills without warning (SIGKILL to the whole group, no SIGTERM first): what a crash looks like to the rest of the stack. */
  async kill(): Promise<void> {
    if (!this.child || !this.running) return;
    this.stopping = true;
    await stopChild(this.child, { group: true, signal: "SIGKILL" });
  }
}
