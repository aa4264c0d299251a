/**
 * This build's gateway beside an earlier revision's, in one run: the same requests through both,
 * against the same fake upstream, taking turns so that a busy moment on the machine falls on both.
 * `scripts/bench-against.sh <revision>` builds the revision in a worktree of its own and runs this
 * with its bench server. Nothing here asserts: the ratios are the result.
 */
import type { ChildProcess } from "node:child_process";
import { startServer } from "./gateway-bench.js";
import { type LoadResult, runLoad } from "./load-generator.js";

export interface RevisionBenchRow {
  path: "local" | "paid";
  connections: number;
  baseline: LoadResult;
  current: LoadResult;
}

const MESSAGES = [{ role: "user", content: "Write a haiku about switchyards." }];

export async function runRevisionBench(options: {
  baselineServer: string;
  durationMs?: number;
  rounds?: number;
}): Promise<RevisionBenchRow[]> {
  const durationMs = options.durationMs ?? 5_000;
  const rounds = options.rounds ?? 2;
  const children: ChildProcess[] = [];
  try {
    const upstream = await startServer(children, ["upstream"]);
    const args = ["gateway", String(upstream.openRouter), String(upstream.ollama)];
    const current = await startServer(children, args);
    const baseline = await startServer(children, args, options.baselineServer);
    const rows: RevisionBenchRow[] = [];
    for (const path of ["paid", "local"] as const) {
      for (const connections of [1, 16]) {
        const load = (url: unknown) =>
          runLoad({
            connections,
            durationMs: durationMs / rounds,
            warmupMs: 500,
            url: String(url),
            path: "/v1/chat/completions",
            body: JSON.stringify({
              model: path === "paid" ? "cloud-sonnet" : "local-coder",
              messages: MESSAGES,
              stream: false,
              max_tokens: 1_000,
            }),
          });
        const parts: { baseline: LoadResult[]; current: LoadResult[] } = { baseline: [], current: [] };
        for (let round = 0; round < rounds; round++) {
          // Alternate which goes first, so neither always meets a warmer or a busier machine.
          const order =
            round % 2 === 0 ? (["baseline", "current"] as const) : (["current", "baseline"] as const);
          for (const which of order)
            parts[which].push(await load((which === "baseline" ? baseline : current).url));
        }
        rows.push({ path, connections, baseline: merged(parts.baseline), current: merged(parts.current) });
      }
    }
    return rows;
  } finally {
    for (const child of children) child.kill("SIGKILL");
  }
}

/** Rounds of one side taken together: requests summed, percentiles as the median round's. */
function merged(results: LoadResult[]): LoadResult {
  const sorted = [...results].sort((left, right) => left.p50Ms - right.p50Ms);
  const middle = sorted[Math.floor(sorted.length / 2)]!;
  const requests = results.reduce((sum, result) => sum + result.requestsPerSecond, 0) / results.length;
  return { ...middle, requestsPerSecond: requests, errors: results.reduce((sum, r) => sum + r.errors, 0) };
}

export function formatRevisionBench(rows: RevisionBenchRow[], baselineName: string): string {
  const lines = [
    `This build beside ${baselineName}, the same requests to the same fake upstream, taking turns`,
    "path   conns  build       req/s     p50 ms   p99 ms   errors",
  ];
  for (const row of rows) {
    for (const [name, result] of [
      [baselineName.slice(0, 10), row.baseline],
      ["this build", row.current],
    ] as const) {
      lines.push(
        `${row.path.padEnd(6)} ${String(row.connections).padStart(5)}  ${name.padEnd(10)} ${result.requestsPerSecond.toFixed(0).padStart(6)}   ${result.p50Ms.toFixed(2).padStart(6)}   ${result.p99Ms.toFixed(2).padStart(6)}   ${result.errors}`,
      );
    }
    lines.push(
      `${"".padEnd(14)}throughput ratio ${(row.current.requestsPerSecond / row.baseline.requestsPerSecond).toFixed(2)}, p50 ratio ${(row.current.p50Ms / row.baseline.p50Ms).toFixed(2)} (this build / ${baselineName})`,
    );
  }
  return lines.join("\n");
}

const [baselineServer, baselineName = "baseline"] = process.argv.slice(2);
if (baselineServer) {
  const rows = await runRevisionBench({
    baselineServer,
    durationMs: Number(process.env.BENCH_DURATION_MS ?? 8_000),
  });
  console.log(formatRevisionBench(rows, baselineName));
}
