/**
 * Gateway overhead: the same requests sent straight to a zero-latency fake upstream and through
 * Switchyard, side by side in one run, at 16 concurrent connections, non-streaming and streaming.
 * The fake upstream and Switchyard each run in their own process, as they would in production.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { BENCH_API_KEY } from "./bench-server.js";
import { type LoadResult, runLoad } from "./load-generator.js";

export interface GatewayBenchRow {
  mode: "non-streaming" | "streaming";
  connections: number;
  direct: LoadResult;
  gateway: LoadResult;
  addedP50Ms: number;
  addedP99Ms: number;
  throughputRatio: number;
}

export interface GatewayBenchOptions {
  /** Concurrency levels to measure; 1 shows the pure added latency, 16 the throughput. */
  connectionLevels?: number[];
  durationMs?: number;
}

export async function runGatewayBench(options: GatewayBenchOptions = {}): Promise<GatewayBenchRow[]> {
  const connectionLevels = options.connectionLevels ?? [1, 16];
  const durationMs = options.durationMs ?? 5_000;
  const children: ChildProcess[] = [];
  try {
    const upstream = await startServer(children, ["upstream"]);
    const openRouterBase = String(upstream.openRouter);
    const gateway = await startServer(children, ["gateway", openRouterBase, String(upstream.ollama)]);
    const upstreamOrigin = new URL(openRouterBase).origin;
    const rows: GatewayBenchRow[] = [];
    for (const [stream, connections] of [false, true].flatMap((mode) =>
      connectionLevels.map((level) => [mode, level] as const),
    )) {
      const messages = [{ role: "user", content: "Write a haiku about switchyards." }];
      const directBody = JSON.stringify({ model: "anthropic/claude-sonnet-4.5", messages, stream });
      const gatewayBody = JSON.stringify({ model: "cloud-sonnet", messages, stream });
      const load = { connections, durationMs, warmupMs: 1_000 };
      const direct = await runLoad({
        ...load,
        url: upstreamOrigin,
        path: "/api/v1/chat/completions",
        body: directBody,
        headers: { authorization: `Bearer ${BENCH_API_KEY}` },
      });
      const through = await runLoad({
        ...load,
        url: String(gateway.url),
        path: "/v1/chat/completions",
        body: gatewayBody,
      });
      rows.push({
        mode: stream ? "streaming" : "non-streaming",
        connections,
        direct,
        gateway: through,
        addedP50Ms: through.p50Ms - direct.p50Ms,
        addedP99Ms: through.p99Ms - direct.p99Ms,
        throughputRatio: through.requestsPerSecond / direct.requestsPerSecond,
      });
    }
    return rows;
  } finally {
    for (const child of children) child.kill("SIGKILL");
  }
}

export function formatGatewayBench(rows: GatewayBenchRow[]): string {
  const lines = [
    "Gateway overhead (zero-latency fake OpenRouter upstream on loopback; each server in its own process)",
    "mode            conns  path       req/s     p50 ms   p90 ms   p99 ms   errors",
  ];
  for (const row of rows) {
    for (const [name, result] of [
      ["direct", row.direct],
      ["switchyard", row.gateway],
    ] as const) {
      lines.push(
        `${row.mode.padEnd(15)} ${String(row.connections).padStart(5)}  ${name.padEnd(10)} ${result.requestsPerSecond.toFixed(0).padStart(6)}   ${result.p50Ms.toFixed(2).padStart(6)}   ${result.p90Ms.toFixed(2).padStart(6)}   ${result.p99Ms.toFixed(2).padStart(6)}   ${result.errors}`,
      );
    }
    lines.push(
      `${"".padEnd(22)} added p50 ${row.addedP50Ms.toFixed(2)} ms, added p99 ${row.addedP99Ms.toFixed(2)} ms, throughput ratio ${row.throughputRatio.toFixed(2)} (switchyard/direct)`,
    );
  }
  return lines.join("\n");
}

async function startServer(children: ChildProcess[], args: string[]): Promise<Record<string, unknown>> {
  const here = fileURLToPath(import.meta.url);
  const script = here.replace(/gateway-bench\.(ts|js)$/, "bench-server.$1");
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
