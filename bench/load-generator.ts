/**
 * A closed-loop HTTP load generator: N connections, each sending the next request as soon as the
 * last one finished, for a fixed time. Reports requests/s and latency percentiles. Bounded in
 * count and time, loopback only.
 */
import { Pool } from "undici";

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  /** Every request's latency, sorted, when `keepLatencies` asked for them (to merge runs). */
  latenciesMs?: number[];
}

export interface LoadOptions {
  url: string;
  path: string;
  body: string;
  headers?: Record<string, string>;
  connections: number;
  durationMs: number;
  warmupMs?: number;
  /** Safety bound on the number of requests. */
  maxRequests?: number;
  keepLatencies?: boolean;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const pool = new Pool(options.url, { connections: options.connections, pipelining: 1 });
  const headers = { "content-type": "application/json", authorization: "Bearer bench", ...options.headers };
  const send = async (): Promise<boolean> => {
    const response = await pool.request({ method: "POST", path: options.path, headers, body: options.body });
    // Read the whole body: streaming latency counts until the last byte.
    for await (const _chunk of response.body) {
      // drain
    }
    return response.statusCode === 200;
  };
  try {
    if (options.warmupMs) await loop(send, options.connections, options.warmupMs, 100_000, []);
    const latencies: number[] = [];
    const started = performance.now();
    const errors = await loop(
      send,
      options.connections,
      options.durationMs,
      options.maxRequests ?? 1_000_000,
      latencies,
    );
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    return {
      requests: latencies.length,
      errors,
      seconds,
      requestsPerSecond: latencies.length / seconds,
      p50Ms: percentile(latencies, 0.5),
      p90Ms: percentile(latencies, 0.9),
      p99Ms: percentile(latencies, 0.99),
      ...(options.keepLatencies ? { latenciesMs: latencies } : {}),
    };
  } finally {
    await pool.close();
  }
}

async function loop(
  send: () => Promise<boolean>,
  connections: number,
  durationMs: number,
  maxRequests: number,
  latencies: number[],
): Promise<number> {
  const deadline = performance.now() + durationMs;
  let sent = 0;
  let errors = 0;
  const worker = async () => {
    while (performance.now() < deadline && sent < maxRequests) {
      sent++;
      const started = performance.now();
      const ok = await send().catch(() => false);
      if (ok) latencies.push(performance.now() - started);
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  return errors;
}

export function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!;
}
