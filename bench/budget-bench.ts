/**
 * The budget's cost on the hot path: each paid request reserves its worst case before it is sent
 * and settles to the real cost after, through the BudgetGuard as the dispatcher calls it, on
 * SQLite in a temp file with WAL, with its ledger row recorded as the dispatcher records it.
 *
 * Side by side in one run:
 * - baseline, per-request commits: the store on its own (no write queue), reserve and settle each
 *   one IMMEDIATE transaction, the settle awaited;
 * - group commit (`openStores`, `reservation_block_percent: 0`): reservations asked for in the
 *   same turn of the event loop share one transaction, settles are handed off (`settleLater`) and
 *   commit at the end of their turn;
 * - blocks, the server's wiring (block-reservations.ts over the group commit): headroom for many
 *   requests is reserved at once and granted in memory; settles are booked together every 20 ms.
 * Each at 1 request at a time (the latency a request sees) and at 16 concurrent (the gateway
 * benchmark's load). "On the path" is what a request waits for: reserve, and the settle hand-off;
 * "CPU per request" counts everything, background commits included. Target: on-path p99 < 0.2 ms.
 *
 * Then blocks at the reference caps ($100 a month, Sonnet $60), 16 concurrent, with max_tokens
 * set (1,000 tokens) and with none — what most OpenAI clients send, so each worst case is Sonnet's
 * whole output window, about $0.96, more than a starting block — counting the store reservations.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { BlockReservations } from "../src/budget/block-reservations.js";
import { BudgetGuard, type Reservation } from "../src/budget/budget-guard.js";
import { builtInCatalog } from "../src/budget/model-catalog.js";
import type { RequestRecord } from "../src/store/ledger-store.js";
import { openStores } from "../src/store/open-stores.js";
import { newRequestId } from "../src/store/request-id.js";
import { SqliteBudgetStore } from "../src/store/sqlite-budget-store.js";
import { SqliteLedger } from "../src/store/sqlite-ledger.js";
import { sampleRecord } from "../test/store/sample-record.js";

export const BUDGET_BENCH_TARGET_P99_MS = 0.2;

export interface LatencyStats {
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
}

export type BudgetWiring = "per-request commits" | "group commit" | "blocks";

export interface BudgetBenchRow {
  wiring: BudgetWiring;
  concurrency: number;
  requests: number;
  requestsPerSecond: number;
  /** Time a request waits for the budget: reserve plus the settle (awaited or handed off). */
  onPath: LatencyStats;
  /** Process CPU per request, background commits included. */
  cpuMicrosPerRequest: number;
}

/** Blocks at the reference caps, 16 concurrent, by the requests' output bound. */
export interface OutputBoundRow {
  /** null: no max_tokens (the model's whole output window). */
  maxTokens: number | null;
  row: BudgetBenchRow;
  /** Store reservations (blocks, or exact ones near a cap) per 1,000 requests. */
  reservationsPerThousand: number;
}

export interface BudgetBenchResult {
  iterations: number;
  warmup: number;
  rows: BudgetBenchRow[];
  outputBounds: OutputBoundRow[];
  /** On-path p99 of the server's wiring (blocks), one request at a time. */
  meetsTarget: boolean;
}

export interface BudgetBenchOptions {
  iterations?: number;
  warmup?: number;
  concurrencyLevels?: number[];
}

export async function runBudgetBench(options: BudgetBenchOptions = {}): Promise<BudgetBenchResult> {
  const iterations = Math.max(options.iterations ?? 10_000, 1);
  const warmup = options.warmup ?? 1_000;
  const rows: BudgetBenchRow[] = [];
  for (const concurrency of options.concurrencyLevels ?? [1, 16]) {
    for (const wiring of ["per-request commits", "group commit", "blocks"] as const) {
      rows.push(await measure(wiring, concurrency, iterations, warmup));
    }
  }
  const outputBounds: OutputBoundRow[] = [];
  for (const maxTokens of [1_000, null]) {
    const counted = { reservations: 0 };
    const row = await measure("blocks", 16, iterations, warmup, { maxTokens, counted });
    outputBounds.push({
      maxTokens,
      row,
      reservationsPerThousand: (counted.reservations * 1000) / row.requests,
    });
  }
  const target = rows.find((row) => row.wiring === "blocks" && row.concurrency === 1);
  return {
    iterations,
    warmup,
    rows,
    outputBounds,
    meetsTarget: target !== undefined && target.onPath.p99Ms < BUDGET_BENCH_TARGET_P99_MS,
  };
}

/** The reference caps and an output bound, with the store's reservations counted (blocks only). */
interface ReferenceSetup {
  maxTokens: number | null;
  counted: { reservations: number };
}

async function measure(
  wiring: BudgetWiring,
  concurrency: number,
  iterations: number,
  warmup: number,
  reference?: ReferenceSetup,
): Promise<BudgetBenchRow> {
  const directory = mkdtempSync(join(tmpdir(), "switchyard-budget-bench-"));
  const path = join(directory, "ledger.db");
  const stores =
    wiring === "per-request commits"
      ? (() => {
          const ledger = new SqliteLedger(path);
          const budget = new SqliteBudgetStore(ledger.database);
          return { ledger, budget, close: async () => ledger.close() };
        })()
      : await openStores(path);
  let measuring = false;
  const inner = stores.budget;
  const counting: typeof inner = Object.create(inner);
  counting.reserve = (request) => {
    if (reference && measuring) reference.counted.reservations++;
    return inner.reserve(request);
  };
  const guard = new BudgetGuard({
    store: wiring === "blocks" ? new BlockReservations(counting) : stores.budget,
    catalog: builtInCatalog(),
    budget: reference
      ? { monthlyUsd: 100, aliasCeilingsUsd: { "cloud-sonnet": 60 } }
      : { monthlyUsd: 1_000_000, aliasCeilingsUsd: { "cloud-sonnet": 1_000_000 } },
  });
  await guard.start();
  // Small enough that the reference caps last the run ($0.0001 a request).
  const usage = reference
    ? { inputTokens: 20, outputTokens: 3, costUsd: 0.000_105 }
    : { inputTokens: 2_000, outputTokens: 400, costUsd: 0.012 };
  const maxOutputTokens = reference ? (reference.maxTokens ?? undefined) : 1_000;
  const onPath = new Float64Array(iterations);
  let next = -warmup;
  let measuredFrom = 0;
  let cpuFrom = process.cpuUsage();
  const oneRequest = async (index: number) => {
    const started = performance.now();
    const decision = await guard.reserve({
      alias: "cloud-sonnet",
      model: "anthropic/claude-sonnet-4.5",
      local: false,
      promptTokens: 2_000,
      maxOutputTokens,
    });
    const reserved = performance.now();
    if (decision.kind !== "reserved") throw new Error(`bench reservation was ${decision.kind}`);
    // The upstream call: the other requests' turns of the event loop happen here.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const settling = performance.now();
    const cost = await settle(wiring, guard, decision.reservation, usage);
    const settled = performance.now();
    stores.ledger.record(ledgerRow(cost));
    if (index >= 0) onPath[index] = reserved - started + (settled - settling);
  };
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < iterations) {
          const index = next++;
          if (index === 0) {
            measuredFrom = performance.now();
            cpuFrom = process.cpuUsage();
            measuring = true;
          }
          await oneRequest(index);
        }
      }),
    );
    await guard.idle();
    await stores.ledger.flush();
    const cpu = process.cpuUsage(cpuFrom);
    const seconds = (performance.now() - measuredFrom) / 1000;
    return {
      wiring,
      concurrency,
      requests: iterations,
      requestsPerSecond: iterations / seconds,
      onPath: stats(onPath),
      cpuMicrosPerRequest: (cpu.user + cpu.system) / iterations,
    };
  } finally {
    await guard.close();
    await stores.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

async function settle(
  wiring: BudgetWiring,
  guard: BudgetGuard,
  reservation: Reservation,
  usage: { inputTokens: number; outputTokens: number; costUsd: number },
): Promise<number> {
  if (wiring === "per-request commits") return (await guard.settle(reservation, usage)).costUsd;
  return guard.settleLater(reservation, usage).costUsd;
}

function ledgerRow(costUsd: number): RequestRecord {
  return sampleRecord({
    id: newRequestId(),
    task: "code-review",
    selector: "alias",
    tier: 2,
    alias: "cloud-sonnet",
    model: "anthropic/claude-sonnet-4.5",
    backend: "openrouter",
    costUsd,
    catalogCostUsd: costUsd,
    reportedCostUsd: costUsd,
    reservedUsd: 0.021,
  });
}

export function formatBudgetBench(result: BudgetBenchResult): string {
  const lines = [
    `Budget step on SQLite (WAL, temp file): ${result.iterations.toLocaleString("en-US")} paid requests after ${result.warmup.toLocaleString("en-US")} warm-up, each reserve + settle + ledger row`,
    "wiring                conc   req/s     on path p50   p99        cpu/request",
  ];
  for (const row of result.rows) {
    lines.push(
      `${row.wiring.padEnd(20)} ${String(row.concurrency).padStart(5)}  ${row.requestsPerSecond.toFixed(0).padStart(6)}   ${row.onPath.p50Ms.toFixed(4)} ms  ${row.onPath.p99Ms.toFixed(4)} ms  ${row.cpuMicrosPerRequest.toFixed(1).padStart(6)} µs`,
    );
  }
  const comparisons: Array<[BudgetWiring, BudgetWiring]> = [
    ["group commit", "per-request commits"],
    ["blocks", "group commit"],
  ];
  for (const concurrency of new Set(result.rows.map((row) => row.concurrency))) {
    for (const [wiring, baselineWiring] of comparisons) {
      const find = (name: BudgetWiring) =>
        result.rows.find((row) => row.concurrency === concurrency && row.wiring === name);
      const row = find(wiring);
      const baseline = find(baselineWiring);
      if (!row || !baseline) continue;
      lines.push(
        `at ${concurrency}: ${wiring} / ${baselineWiring}: throughput ${(row.requestsPerSecond / baseline.requestsPerSecond).toFixed(2)}×, CPU per request ${(row.cpuMicrosPerRequest / baseline.cpuMicrosPerRequest).toFixed(2)}×, on-path p50 ${(row.onPath.p50Ms / baseline.onPath.p50Ms).toFixed(2)}×`,
      );
    }
  }
  lines.push(
    `target on-path p99 < ${BUDGET_BENCH_TARGET_P99_MS} ms (blocks, the server's wiring, one at a time): ${result.meetsTarget ? "met" : "NOT met"}`,
  );
  if (result.outputBounds.length > 0) {
    lines.push(
      "blocks at the reference caps ($100 a month, Sonnet $60), 16 concurrent: max_tokens 1,000 (worst case 2.1¢) and none (the whole 64k window, $0.97)",
      "max_tokens   req/s     on path p50   p99        cpu/request   store reservations per 1,000 requests",
    );
    for (const { maxTokens, row, reservationsPerThousand } of result.outputBounds) {
      lines.push(
        `${(maxTokens === null ? "none" : maxTokens.toLocaleString("en-US")).padEnd(10)} ${row.requestsPerSecond.toFixed(0).padStart(6)}   ${row.onPath.p50Ms.toFixed(4)} ms  ${row.onPath.p99Ms.toFixed(4)} ms  ${row.cpuMicrosPerRequest.toFixed(1).padStart(6)} µs     ${reservationsPerThousand.toFixed(1)}`,
      );
    }
    const [tuned, open] = result.outputBounds;
    if (tuned && open) {
      lines.push(
        `no max_tokens / max_tokens set: throughput ${(open.row.requestsPerSecond / tuned.row.requestsPerSecond).toFixed(2)}×, CPU per request ${(open.row.cpuMicrosPerRequest / tuned.row.cpuMicrosPerRequest).toFixed(2)}×`,
      );
    }
  }
  return lines.join("\n");
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
