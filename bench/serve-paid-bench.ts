/**
 * The paid path as users run it (issue 13): a real `switchyard serve` with its default logging
 * (info, one line per request, to a log file), a task model (`switchyard/code-review`, which starts
 * on Sonnet), non-streaming, at 16 connections — once with no max_tokens, what most OpenAI clients
 * send, so each request's worst case is Sonnet's whole 64k-token output window (about a dollar),
 * and once with max_tokens set (1,000 tokens, 1.5 cents). The two alternate in short rounds in one
 * run, so a busy machine's drift falls on both alike, and are reported side by side with their
 * ratio and the gateway's own CPU time per request. Target: the default path within 15% of the
 * tuned one.
 */
import type { ChildProcess } from "node:child_process";
import { pathToFileURL } from "node:url";
import { startServer } from "./gateway-bench.js";
import { type LoadResult, percentile, runLoad } from "./load-generator.js";
import { processCpuMs, startServe } from "./serve-process.js";

export type ServePaidPath = "no max_tokens" | "max_tokens set";

export interface ServePaidRow {
  path: ServePaidPath;
  load: LoadResult;
  /** The serve process's CPU time per answered request, µs; NaN where it cannot be read. */
  cpuUsPerRequest: number;
}

export interface ServePaidBench {
  connections: number;
  rounds: number;
  rows: [ServePaidRow, ServePaidRow];
  /** Requests/s with no max_tokens over requests/s with it set. */
  throughputRatio: number;
}

export interface ServePaidBenchOptions {
  /** Measured time per path, split over the rounds, ms. */
  durationMs?: number;
  connections?: number;
  rounds?: number;
}

export const SERVE_PAID_TARGET_RATIO = 0.85;
const TUNED_MAX_TOKENS = 1_000;

export async function runServePaidBench(options: ServePaidBenchOptions = {}): Promise<ServePaidBench> {
  const durationMs = options.durationMs ?? 6_000;
  const connections = options.connections ?? 16;
  const rounds = options.rounds ?? 6;
  const children: ChildProcess[] = [];
  try {
    const upstream = await startServer(children, ["upstream"]);
    const serve = await startServe({
      openRouterBaseUrl: String(upstream.openRouter),
      ollamaUrl: String(upstream.ollama),
    });
    children.push(serve.child);
    const messages = [
      {
        role: "user",
        content: "Review this change for bugs:\n- return total / count;\n+ return count ? total / count : 0;",
      },
    ];
    const bodies: Record<ServePaidPath, string> = {
      "no max_tokens": JSON.stringify({ model: "switchyard/code-review", messages }),
      "max_tokens set": JSON.stringify({
        model: "switchyard/code-review",
        messages,
        max_tokens: TUNED_MAX_TOKENS,
      }),
    };
    const measured: Record<ServePaidPath, { results: LoadResult[]; cpuMs: number }> = {
      "no max_tokens": { results: [], cpuMs: 0 },
      "max_tokens set": { results: [], cpuMs: 0 },
    };
    const run = (path: ServePaidPath, segmentMs: number) =>
      runLoad({
        url: serve.url,
        path: "/v1/chat/completions",
        body: bodies[path],
        connections,
        durationMs: segmentMs,
        keepLatencies: true,
      });
    // Warm both paths up (JIT, the first blocks, the catalog) before anything counts.
    for (const path of Object.keys(bodies) as ServePaidPath[]) await run(path, 1_000);
    for (let round = 0; round < rounds; round++) {
      const order: ServePaidPath[] =
        round % 2 === 0 ? ["no max_tokens", "max_tokens set"] : ["max_tokens set", "no max_tokens"];
      for (const path of order) {
        const before = processCpuMs(serve.pid);
        const result = await run(path, durationMs / rounds);
        measured[path].cpuMs += processCpuMs(serve.pid) - before;
        measured[path].results.push(result);
      }
    }
    await serve.stop();
    const row = (path: ServePaidPath): ServePaidRow => {
      const load = merge(measured[path].results);
      return { path, load, cpuUsPerRequest: (measured[path].cpuMs * 1000) / load.requests };
    };
    const rows: [ServePaidRow, ServePaidRow] = [row("no max_tokens"), row("max_tokens set")];
    return {
      connections,
      rounds,
      rows,
      throughputRatio: rows[0].load.requestsPerSecond / rows[1].load.requestsPerSecond,
    };
  } finally {
    for (const child of children) child.kill("SIGKILL");
  }
}

/** One result from several runs of the same load. */
function merge(results: readonly LoadResult[]): LoadResult {
  const latencies = results.flatMap((result) => result.latenciesMs ?? []).sort((a, b) => a - b);
  const seconds = results.reduce((sum, result) => sum + result.seconds, 0);
  return {
    requests: latencies.length,
    errors: results.reduce((sum, result) => sum + result.errors, 0),
    seconds,
    requestsPerSecond: latencies.length / seconds,
    p50Ms: percentile(latencies, 0.5),
    p90Ms: percentile(latencies, 0.9),
    p99Ms: percentile(latencies, 0.99),
  };
}

export function formatServePaidBench(bench: ServePaidBench): string {
  const lines = [
    `The paid path through \`switchyard serve\` as users run it: default logging (info, a line per request), model switchyard/code-review (Sonnet), non-streaming, ${bench.connections} connections`,
    `(no max_tokens: each worst case is Sonnet's whole output window, about $0.96; max_tokens set: ${TUNED_MAX_TOKENS.toLocaleString("en-US")} tokens, 1.5¢; the two alternate over ${bench.rounds} rounds in one run)`,
    "path              req/s     p50 ms   p90 ms   p99 ms   errors   gateway CPU µs/request",
  ];
  for (const row of bench.rows) {
    const { load } = row;
    lines.push(
      `${row.path.padEnd(15)} ${load.requestsPerSecond.toFixed(0).padStart(7)}   ${load.p50Ms.toFixed(2).padStart(6)}   ${load.p90Ms.toFixed(2).padStart(6)}   ${load.p99Ms.toFixed(2).padStart(6)}   ${String(load.errors).padStart(6)}   ${Number.isFinite(row.cpuUsPerRequest) ? row.cpuUsPerRequest.toFixed(0) : "n/a"}`,
    );
  }
  const met = bench.throughputRatio >= SERVE_PAID_TARGET_RATIO;
  const [open, tuned] = bench.rows;
  const cpuRatio = open.cpuUsPerRequest / tuned.cpuUsPerRequest;
  lines.push(
    `throughput ratio ${bench.throughputRatio.toFixed(2)} (no max_tokens / max_tokens set; target ≥ ${SERVE_PAID_TARGET_RATIO}: ${met ? "met" : "NOT met"})` +
      (Number.isFinite(cpuRatio) ? `, CPU per request ratio ${cpuRatio.toFixed(2)}` : ""),
  );
  return lines.join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const durationMs = Number(process.env.BENCH_DURATION_MS ?? 6_000);
  console.log(formatServePaidBench(await runServePaidBench({ durationMs })));
}
