import { describe, expect, it } from "vitest";
import { until, waitFor } from "../../src/local/wait";

describe("until / waitFor", () => {
  it("returns the first value the probe gives", async () => {
    let calls = 0;
    await expect(until("three calls", () => (++calls === 3 ? "done" : undefined), { everyMs: 1 })).resolves.toBe("done");
    expect(calls).toBe(3);
  });

  it("fails naming what it waited for once the timeout has passed", async () => {
    await expect(waitFor("the moon", () => false, { timeoutMs: 20, everyMs: 5 })).rejects.toThrow("timed out waiting for the moon");
  });

  it("ends with the probe's error unless errors count as not yet", async () => {
    let calls = 0;
    const flaky = async () => {
      if (++calls < 3) throw new Error("connection refused");
      return true;
    };
    await expect(waitFor("a server", flaky, { everyMs: 1 })).rejects.toThrow("connection refused");
    calls = 0;
    await expect(waitFor("a server", flaky, { everyMs: 1, retryErrors: true })).resolves.toBeUndefined();
    expect(calls).toBe(3);
  });

  it("takes a number as the timeout", async () => {
    const started = Date.now();
    await expect(waitFor("never", () => false, 50)).rejects.toThrow("timed out waiting for never (0.05 s)");
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("a synchronous throw counts as not yet too when errors are retried", async () => {
    let calls = 0;
    const probe = () => {
      if (++calls < 2) throw new Error("not yet");
      return true;
    };
    await expect(waitFor("sync", probe, { everyMs: 1, retryErrors: true })).resolves.toBeUndefined();
  });
});
