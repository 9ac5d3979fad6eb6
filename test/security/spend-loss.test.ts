/**
 * "Usage answered but never logged" (issue 15, also-point 1): LiteLLM answers a call at once and
 * writes its spend row with the next batch, so a proxy crash loses the rows of the calls it
 * answered since the last write, and with them their bill. The local LiteLLM server must lose
 * them too (a stand-in that kept them would hide the loss); the figure per crash is measured by
 * scripts/bench-spend-loss.ts and stated in the README.
 */
import { describe, expect, it } from "vitest";
import { crashOnce } from "../../src/local/spend-loss";

const BATCH_MS = 1500;

describe("a LiteLLM crash and the spend rows it loses", () => {
  it("a crash loses the rows of the calls answered within the last batch interval, and no older ones", async () => {
    const run = await crashOnce({ batchMs: BATCH_MS, trafficMs: 2 * BATCH_MS });
    expect(run.answered).toBeGreaterThan(20);
    expect(run.lost, "the stand-in must lose what LiteLLM loses").toBeGreaterThan(0);
    // Only the last interval's calls (plus the write's own latency) are lost: a count bound from
    // the average pace would be a timed assertion (the pace swings under load); how many rows a
    // crash costs is the benchmark's figure.
    expect(run.lostOlderThanBatch).toBe(0);
    expect(run.logged + run.lost).toBe(run.answered);
  }, 60_000);

  it("a clean stop drains the queue: nothing answered is lost", async () => {
    const run = await crashOnce({ batchMs: BATCH_MS, trafficMs: BATCH_MS, stop: "clean" });
    expect(run.answered).toBeGreaterThan(10);
    expect(run.lost).toBe(0);
  }, 60_000);
});
