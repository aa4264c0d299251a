/**
 * Gateway overhead: the same requests sent straight to a zero-latency fake upstream and through
 * Switchyard, side by side in one run, at 16 concurrent connections, non-streaming and streaming.
 * The fake upstream and Switchyard each run in their own process, as they would in production.
 * Three paths: `local` (an alias on the fake Engine), `free` (a $0 model on the fake OpenRouter:
 * the OpenAI-compatible back end with nothing to reserve) and `paid` (Sonnet on the fake
 * OpenRouter: the same, plus the budget's reservation and settle on SQLite for every request).
 * Targets (issue 2), at 16 connections, non-streaming: added p50 ≤ 1 ms and ≥ 4,000 requests/s
 * through the gateway; the summary line says how each path fares.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { BENCH_API_KEY, BENCH_FREE_MODEL } from "./bench-server.js";
import { type LoadResult, runLoad } from "./load-generator.js";

export type UpstreamPath = "local" | "free" | "paid";

export interface GatewayBenchRow {
  /**
   * local: an alias on the fake Ollama; free: a $0 model on the fake OpenRouter (nothing to
   * reserve); paid: Sonnet on the fake OpenRouter (budget reserved and settled per request).
   */
  path: UpstreamPath;
  mode: "non-streaming" | "streaming";
  connections: number;
  direct: LoadResult;
  gateway: LoadResult;
  addedP50Ms: number;
  addedP99Ms: number;
  throughputRatio: number;
  /** Paid path only: a bare Fastify + undici pass-through (no routing, budget or ledger), for scale. */
  bareProxy?: LoadResult;
}

export interface GatewayBenchOptions {
  /** Concurrency levels to measure; 1 shows the pure added latency, 16 the throughput. */
  connectionLevels?: number[];
  durationMs?: number;
  paths?: UpstreamPath[];
}

export async function runGatewayBench(options: GatewayBenchOptions = {}): Promise<GatewayBenchRow[]> {
  const connectionLevels = options.connectionLevels ?? [1, 16];
  const durationMs = options.durationMs ?? 5_000;
  const children: ChildProcess[] = [];
  try {
    const upstream = await startServer(children, ["upstream"]);
    const openRouterBase = String(upstream.openRouter);
    const ollamaUrl = String(upstream.ollama);
    const gateway = await startServer(children, ["gateway", openRouterBase, ollamaUrl]);
    const bareProxy = await startServer(children, ["bare-proxy", openRouterBase]);
    const rows: GatewayBenchRow[] = [];
    const messages = [{ role: "user", content: "Write a haiku about switchyards." }];
    for (const path of options.paths ?? (["local", "free", "paid"] as const)) {
      for (const stream of [false, true]) {
        for (const connections of connectionLevels) {
          const load = { connections, durationMs, warmupMs: 1_000 };
          const direct =
            path === "local"
              ? await runLoad({
                  ...load,
                  url: ollamaUrl,
                  path: "/api/chat",
                  body: JSON.stringify({ model: "qwen2.5-coder:32b", messages, stream }),
                })
              : await runLoad({
                  ...load,
                  url: new URL(openRouterBase).origin,
                  path: "/api/v1/chat/completions",
                  body: JSON.stringify({
                    model: path === "free" ? BENCH_FREE_MODEL : "anthropic/claude-sonnet-4.5",
                    messages,
                    stream,
                    max_tokens: 1_000,
                  }),
                  headers: { authorization: `Bearer ${BENCH_API_KEY}` },
                });
          const model = { local: "local-coder", free: "cloud-free", paid: "cloud-sonnet" }[path];
          const through = await runLoad({
            ...load,
            url: String(gateway.url),
            path: "/v1/chat/completions",
            body: JSON.stringify({ model, messages, stream, max_tokens: 1_000 }),
          });
          const bare =
            path === "paid"
              ? await runLoad({
                  ...load,
                  url: String(bareProxy.url),
                  path: "/v1/chat/completions",
                  body: JSON.stringify({ model: "cloud-sonnet", messages, stream, max_tokens: 1_000 }),
                })
              : undefined;
          rows.push({
            ...(bare ? { bareProxy: bare } : {}),
            path,
            mode: stream ? "streaming" : "non-streaming",
            connections,
            direct,
            gateway: through,
            addedP50Ms: through.p50Ms - direct.p50Ms,
            addedP99Ms: through.p99Ms - direct.p99Ms,
            throughputRatio: through.requestsPerSecond / direct.requestsPerSecond,
          });
        }
      }
    }
    return rows;
  } finally {
    for (const child of children) child.kill("SIGKILL");
  }
}

export const GATEWAY_TARGETS = { connections: 16, maxAddedP50Ms: 1, minRequestsPerSecond: 4_000 } as const;

/** How each path fares against the targets, from the non-streaming rows at 16 connections. */
export function gatewayTargetSummary(rows: GatewayBenchRow[]): string[] {
  const lines: string[] = [];
  for (const row of rows) {
    if (row.mode !== "non-streaming" || row.connections !== GATEWAY_TARGETS.connections) continue;
    const latencyMet = row.addedP50Ms <= GATEWAY_TARGETS.maxAddedP50Ms;
    const throughputMet = row.gateway.requestsPerSecond >= GATEWAY_TARGETS.minRequestsPerSecond;
    lines.push(
      `target, ${row.path} path: added p50 ${row.addedP50Ms.toFixed(2)} ms (≤ ${GATEWAY_TARGETS.maxAddedP50Ms} ms: ${latencyMet ? "met" : "NOT met"}), ` +
        `${row.gateway.requestsPerSecond.toFixed(0)} req/s (≥ ${GATEWAY_TARGETS.minRequestsPerSecond.toLocaleString("en-US")}: ${throughputMet ? "met" : "NOT met"})`,
    );
  }
  return lines;
}

export function formatGatewayBench(rows: GatewayBenchRow[]): string {
  const lines = [
    "Gateway overhead: the same request straight to a zero-latency fake upstream and through Switchyard",
    "(loopback; load generator, Switchyard and the fakes each in their own process, sharing the machine's cores)",
    "(bare proxy: Fastify + undici passing the request through with no routing, budget or ledger: the floor for a Node gateway here)",
    "(local: the fake Engine is configured with 16 slots, what it really takes at once; with the reference Engine's 2, Switchyard would queue 14 of the 16)",
    "(free: a $0 model on the fake OpenRouter, nothing to reserve; paid: Sonnet there, every request reserved and settled, in blocks on SQLite as the server runs)",
    "path   mode            conns  via         req/s     p50 ms   p90 ms   p99 ms   errors",
  ];
  for (const row of rows) {
    const results: Array<readonly [string, LoadResult]> = [
      ["direct", row.direct],
      ...(row.bareProxy ? [["bare proxy", row.bareProxy] as const] : []),
      ["switchyard", row.gateway],
    ];
    for (const [name, result] of results) {
      lines.push(
        `${row.path.padEnd(6)} ${row.mode.padEnd(15)} ${String(row.connections).padStart(5)}  ${name.padEnd(10)} ${result.requestsPerSecond.toFixed(0).padStart(6)}   ${result.p50Ms.toFixed(2).padStart(6)}   ${result.p90Ms.toFixed(2).padStart(6)}   ${result.p99Ms.toFixed(2).padStart(6)}   ${result.errors}`,
      );
    }
    lines.push(
      `${"".padEnd(29)} added p50 ${row.addedP50Ms.toFixed(2)} ms, added p99 ${row.addedP99Ms.toFixed(2)} ms, throughput ratio ${row.throughputRatio.toFixed(2)} (switchyard/direct)`,
    );
  }
  lines.push(...gatewayTargetSummary(rows));
  return lines.join("\n");
}

/**
 * Starts a bench-server role in its own process (this build's, or `script`: another build's);
 * resolves with the JSON line it prints.
 */
export async function startServer(
  children: ChildProcess[],
  args: string[],
  script = fileURLToPath(import.meta.url).replace(/gateway-bench\.(ts|js)$/, "bench-server.$1"),
): Promise<Record<string, unknown>> {
  const child = spawn(process.execPath, [...process.execArgv, script, ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) return JSON.parse(line) as Record<string, unknown>;
  throw new Error(`bench server ${args[0]} exited before printing its URL`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(formatGatewayBench(await runGatewayBench()));
}
