import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { freePort } from "./ports";
import { stopChild } from "./process";
import { waitFor } from "./wait";
import { LocalStackError } from "./errors";

/**
 * A throwaway PostgreSQL server for tests and benchmarks: Debian's `postgresql` package
 * (PostgreSQL 15), initdb into a temporary directory, one server on 127.0.0.1 at a free port,
 * password (SCRAM) authentication over TCP, stopped and deleted by stop(). initdb and postgres
 * refuse to run as root, so under root the server runs as the `postgres` user (or `nobody`).
 * `bash scripts/install-postgres.sh` installs the package when it is missing.
 */

export const POSTGRES_BIN_DIRS = ["/usr/lib/postgresql/15/bin"];

export type PostgresServer = {
  host: string;
  port: number;
  /** The superuser (password authentication), for setting the database up. */
  superuser: { user: string; password: string };
  database: string;
  /** Connection URL of the superuser. */
  url(user?: string, password?: string): string;
  /** CPU seconds the server has used so far, its finished backends included (Linux /proc). */
  cpuSeconds(): number;
  stop(): Promise<void>;
};

function binDir(): string {
  const found = POSTGRES_BIN_DIRS.find((d) => fs.existsSync(path.join(d, "initdb")));
  if (found === undefined) {
    throw new LocalStackError(`PostgreSQL 15 is not installed (no initdb in ${POSTGRES_BIN_DIRS.join(", ")}): run bash scripts/install-postgres.sh as root`);
  }
  return found;
}

/** The account the server runs as: ourselves, or an unprivileged one when we are root. */
function serverAccount(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return undefined;
  for (const name of ["postgres", "nobody"]) {
    const id = spawnSync("id", ["-u", name], { encoding: "utf8" });
    const gid = spawnSync("id", ["-g", name], { encoding: "utf8" });
    if (id.status === 0 && gid.status === 0) return { uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
  }
  throw new LocalStackError("running as root and neither the postgres nor the nobody account exists to run PostgreSQL as");
}

function chownTree(dir: string, account: { uid: number; gid: number } | undefined): void {
  if (account === undefined) return;
  fs.chownSync(dir, account.uid, account.gid);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(p, account);
    else fs.chownSync(p, account.uid, account.gid);
  }
}

/** /proc/<pid>/stat fields 14-17: utime, stime, cutime, cstime (clock ticks). */
function cpuTicks(pid: number, withChildren: boolean): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(fields[i]));
    return (utime ?? 0) + (stime ?? 0) + (withChildren ? (cutime ?? 0) + (cstime ?? 0) : 0);
  } catch {
    return 0;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return fs
      .readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .split(/\s+/)
      .filter((x) => x !== "")
      .map(Number);
  } catch {
    return [];
  }
}

/** The clock-tick rate of /proc (USER_HZ); 100 on Linux unless getconf says otherwise. */
const TICKS_PER_SECOND = (() => {
  const r = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" });
  const n = Number(r.stdout?.trim());
  return Number.isInteger(n) && n > 0 ? n : 100;
})();

export type StartPostgresOptions = {
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string>;
  /** Where the server's log goes (default: inside its temporary directory, deleted on stop). */
  logFile?: string;
};

export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresServer> {
  const bin = binDir();
  const account = serverAccount();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "ff-pg-"));
  const data = path.join(root, "data");
  const password = `pw-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
  fs.writeFileSync(path.join(root, "pwfile"), `${password}\n`, { mode: 0o600 });
  chownTree(root, account);
  const asServer = account === undefined ? {} : { uid: account.uid, gid: account.gid };
  const init = spawnSync(
    path.join(bin, "initdb"),
    ["-D", data, "-U", "postgres", "--pwfile", path.join(root, "pwfile"), "--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
    { encoding: "utf8", cwd: root, ...asServer },
  );
  fs.rmSync(path.join(root, "pwfile"), { force: true });
  if (init.status !== 0) {
    fs.rmSync(root, { recursive: true, force: true });
    throw new LocalStackError(`initdb failed (${init.status}): ${init.stderr || init.stdout}`);
  }
  const port = await freePort();
  const logFile = options.logFile ?? path.join(root, "server.log");
  if (options.logFile !== undefined) fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const log = fs.openSync(logFile, "a");
  if (account !== undefined) fs.fchownSync(log, account.uid, account.gid);
  // A throwaway server: durability off (it is deleted afterwards); nothing else differs from
  // Debian's defaults, so read figures are those of an untuned server.
  const settings: Record<string, string> = { listen_addresses: "127.0.0.1", unix_socket_directories: root, fsync: "off", synchronous_commit: "off", full_page_writes: "off", ...options.settings };
  const args = ["-D", data, "-p", String(port), ...Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`])];
  const child: ChildProcess = spawn(path.join(bin, "postgres"), args, { cwd: root, stdio: ["ignore", log, log], detached: true, ...asServer });
  fs.closeSync(log);
  let exited = false;
  child.once("exit", () => (exited = true));
  // Never leave a server behind if this process ends without stop().
  const killOnExit = () => {
    try {
      if (child.pid !== undefined && !exited) process.kill(child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  };
  process.once("exit", killOnExit);
  const tail = () => {
    try {
      return fs.readFileSync(logFile, "utf8").trimEnd().split("\n").slice(-15).join("\n");
    } catch {
      return "(no log)";
    }
  };
  const stop = async () => {
    process.removeListener("exit", killOnExit);
    // SIGINT is PostgreSQL's fast shutdown: clients are disconnected, no waiting for them. The
    // postmaster stops its own backends: only it is signalled.
    await stopChild(child, { signal: "SIGINT", graceMs: 10_000 });
    fs.rmSync(root, { recursive: true, force: true });
  };
  try {
    await waitFor(
      "PostgreSQL",
      async () => {
        if (exited) throw new LocalStackError(`PostgreSQL exited before it was ready:\n${tail()}`);
        // Ready when the log says so (a TCP connect alone can race the startup).
        if (!/database system is ready to accept connections/.test(fs.readFileSync(logFile, "utf8"))) return false;
        return new Promise<boolean>((resolve) => {
          const socket = net.connect(port, "127.0.0.1", () => {
            socket.destroy();
            resolve(true);
          });
          socket.on("error", () => resolve(false));
        });
      },
      { timeoutMs: 60_000, everyMs: 200, retryErrors: true },
    );
  } catch (error) {
    await stop();
    throw error instanceof Error && exited ? new Error(`PostgreSQL exited before it was ready:\n${tail()}`) : error;
  }
  return {
    host: "127.0.0.1",
    port,
    superuser: { user: "postgres", password },
    database: "postgres",
    url: (user = "postgres", pw = password) => `postgres://${encodeURIComponent(user)}:${encodeURIComponent(pw)}@127.0.0.1:${port}/postgres`,
    // The postmaster's own time with that of the backends it has reaped, plus the live ones'.
    cpuSeconds: () => (child.pid === undefined ? 0 : (cpuTicks(child.pid, true) + childrenOf(child.pid).reduce((t, p) => t + cpuTicks(p, false), 0)) / TICKS_PER_SECOND),
    stop,
  };
}
