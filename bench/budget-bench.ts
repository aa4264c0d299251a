/**
 * The budget's cost on the hot path: one paid request's reserve (cap check + insert, one
 * IMMEDIATE transaction) and settle (reservation → spend, one transaction), through the
 * BudgetGuard as the dispatcher calls it, on SQLite in a temp file with WAL. Target: p99 < 0.2 ms
 * for reserve + settle together.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { BudgetGuard } from "../src/budget/budget-guard.js";
import { builtInCatalog } from "../src/budget/model-catalog.js";
import { SqliteBudgetStore } from "../src/budget/sqlite-budget-store.js";
import { SqliteLedger } from "../src/store/sqlite-ledger.js";

export const BUDGET_BENCH_TARGET_P99_MS = 0.2;

export interface LatencyStats {
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
}

export interface BudgetBenchResult {
  iterations: number;
  warmup: number;
  reserve: LatencyStats;
  settle: LatencyStats;
  /** reserve + settle, measured per iteration. */
  total: LatencyStats;
  meetsTarget: boolean;
}

export interface BudgetBenchOptions {
  iterations?: number;
  warmup?: number;
}

export async function runBudgetBench(options: BudgetBenchOptions = {}): Promise<BudgetBenchResult> {
  const iterations = Math.max(options.iterations ?? 10_000, 1);
  const warmup = options.warmup ?? 1_000;
  const directory = mkdtempSync(join(tmpdir(), "switchyard-budget-bench-"));
  // The ledger opens the file (WAL, synchronous=NORMAL) and the budget shares its connection,
  // exactly as openStores() wires them in the server.
  const ledger = new SqliteLedger(join(directory, "ledger.db"));
  const store = new SqliteBudgetStore(ledger.database);
  const guard = new BudgetGuard({
    store,
    catalog: builtInCatalog(),
    budget: { monthlyUsd: 1_000_000, aliasCeilingsUsd: { "cloud-sonnet": 1_000_000 } },
  });
  await guard.start();
  const reserveTimes = new Float64Array(iterations);
  const settleTimes = new Float64Array(iterations);
  const totalTimes = new Float64Array(iterations);
  try {
    for (let index = -warmup; index < iterations; index++) {
      const started = performance.now();
      const decision = await guard.reserve({
        alias: "cloud-sonnet",
        model: "anthropic/claude-sonnet-4.5",
        local: false,
        promptTokens: 2_000,
        maxOutputTokens: 1_000,
      });
      const reserved = performance.now();
      if (decision.kind !== "reserved") throw new Error(`bench reservation was ${decision.kind}`);
      await guard.settle(decision.reservation, { inputTokens: 2_000, outputTokens: 400, costUsd: 0.012 });
      const settled = performance.now();
      if (index < 0) continue;
      reserveTimes[index] = reserved - started;
      settleTimes[index] = settled - reserved;
      totalTimes[index] = settled - started;
    }
  } finally {
    await guard.close();
    await ledger.close();
    rmSync(directory, { recursive: true, force: true });
  }
  const total = stats(totalTimes);
  return {
    iterations,
    warmup,
    reserve: stats(reserveTimes),
    settle: stats(settleTimes),
    total,
    meetsTarget: total.p99Ms < BUDGET_BENCH_TARGET_P99_MS,
  };
}

export function formatBudgetBench(result: BudgetBenchResult): string {
  const row = (label: string, value: LatencyStats) =>
    `${label.padEnd(18)} p50 ${value.p50Ms.toFixed(4)} ms  p99 ${value.p99Ms.toFixed(4)} ms  ` +
    `mean ${value.meanMs.toFixed(4)} ms  max ${value.maxMs.toFixed(3)} ms`;
  return [
    `Budget guard on SQLite (WAL, temp file): ${result.iterations.toLocaleString("en-US")} iterations after ${result.warmup.toLocaleString("en-US")} warm-up`,
    row("reserve", result.reserve),
    row("settle", result.settle),
    row("reserve + settle", result.total),
    `target p99 < ${BUDGET_BENCH_TARGET_P99_MS} ms: ${result.meetsTarget ? "met" : "NOT met"}`,
  ].join("\n");
}

function stats(samples: Float64Array): LatencyStats {
  const sorted = Float64Array.from(samples).sort();
  const at = (quantile: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))] ?? 0;
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    meanMs: sum / sorted.length,
    maxMs: sorted[sorted.length - 1] ?? 0,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(formatBudgetBench(await runBudgetBench()));
}
