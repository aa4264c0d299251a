import { describe, expect, it } from "vitest";
import { formatBudgetBench, runBudgetBench } from "../../bench/budget-bench.js";

describe("budget bench", () => {
  it("runs the three wirings side by side and reports percentiles and ratios (timing is judged by the bench, not here)", async () => {
    const result = await runBudgetBench({ iterations: 300, warmup: 50, concurrencyLevels: [1, 4] });
    expect(result.rows.map((row) => [row.wiring, row.concurrency])).toEqual([
      ["per-request commits", 1],
      ["group commit", 1],
      ["blocks", 1],
      ["per-request commits", 4],
      ["group commit", 4],
      ["blocks", 4],
    ]);
    for (const row of result.rows) {
      expect(row.requests).toBe(300);
      expect(row.onPath.p50Ms).toBeGreaterThan(0);
      expect(row.onPath.p99Ms).toBeGreaterThanOrEqual(row.onPath.p50Ms);
      expect(row.cpuMicrosPerRequest).toBeGreaterThan(0);
    }
    const text = formatBudgetBench(result);
    expect(text).toMatch(/group commit\s+4\s+\d+\s+[\d.]+ ms {2}[\d.]+ ms/);
    expect(text).toMatch(/at 4: group commit \/ per-request commits: throughput [\d.]+×/);
    expect(text).toMatch(/at 4: blocks \/ group commit: throughput [\d.]+×/);
    // A count, not a timing: with no max_tokens each worst case ($0.97) is more than a starting
    // block, and the requests in flight still share blocks rather than taking one each.
    expect(result.outputBounds.map((bound) => bound.maxTokens)).toEqual([1_000, null]);
    for (const bound of result.outputBounds) expect(bound.reservationsPerThousand).toBeLessThan(100);
    expect(text).toMatch(/none\s+\d+\s+[\d.]+ ms {2}[\d.]+ ms\s+[\d.]+ µs\s+[\d.]+/);
  });
});
