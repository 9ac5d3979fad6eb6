import { describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import { stopChild } from "../../src/local/process";
import { waitFor } from "../../src/local/wait";

/** A node child running `code`, started once it has printed its first line. */
async function child(code: string, detached = false): Promise<{ proc: ChildProcess; firstLine: string }> {
  const proc = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "inherit"], detached });
  const firstLine = await new Promise<string>((resolve) => proc.stdout!.once("data", (chunk: Buffer) => resolve(chunk.toString().trim())));
  return { proc, firstLine };
}

/** Alive and not a zombie (an orphan's zombie may wait for a reaper this container lacks). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

describe("stopChild", () => {
  it("stops a child with SIGTERM", async () => {
    const { proc } = await child("console.log('up'); setInterval(() => undefined, 1000)");
    await stopChild(proc);
    expect(proc.signalCode).toBe("SIGTERM");
  });

  it("kills a child that ignores SIGTERM once the grace period is over", async () => {
    const { proc } = await child("process.on('SIGTERM', () => undefined); console.log('up'); setInterval(() => undefined, 1000)");
    const started = Date.now();
    await stopChild(proc, { graceMs: 300 });
    expect(proc.signalCode).toBe("SIGKILL");
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it("signals a detached child's whole group: what it started stops with it", async () => {
    const grandchild = "require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => undefined, 1000)'], { stdio: 'ignore' })";
    const { proc, firstLine } = await child(`const g = ${grandchild}; console.log(g.pid); setInterval(() => undefined, 1000)`, true);
    const pid = Number(firstLine);
    try {
      expect(alive(pid)).toBe(true);
      await stopChild(proc, { group: true });
      await waitFor("the grandchild gone", () => !alive(pid), 5000);
    } finally {
      if (alive(pid)) process.kill(pid, "SIGKILL");
    }
  });

  it("leaves an exited child alone", async () => {
    const { proc } = await child("console.log('up')");
    await new Promise((r) => proc.once("exit", r));
    await stopChild(proc);
    expect(proc.exitCode).toBe(0);
  });
});
