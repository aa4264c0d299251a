import { describe, expect, it } from "vitest";
import { formatBudgetBench, runBudgetBench } from "../../bench/budget-bench.js";

describe("budget bench", () => {
  it("runs reserve + settle on SQLite and reports percentiles (timing is judged by the bench, not here)", async () => {
    const result = await runBudgetBench({ iterations: 300, warmup: 50 });
    expect(result.iterations).toBe(300);
    expect(result.total.p50Ms).toBeGreaterThan(0);
    expect(result.total.p99Ms).toBeGreaterThanOrEqual(result.total.p50Ms);
    expect(formatBudgetBench(result)).toMatch(/reserve \+ settle\s+p50 [\d.]+ ms {2}p99 [\d.]+ ms/);
  });
});
