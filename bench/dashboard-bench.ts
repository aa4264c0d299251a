/**
 * The dashboard's cost, two ways. First its data endpoints over a ledger of 1,000,000 rows: the
 * rows are seeded into a SQLite file (one transaction), a Brain is started on it, and the
 * overview, a 30-day series, the feed (first page and pages further back) and a request's attempts
 * are each asked for many times in a row; p50 and p99 per endpoint, and the first (cold) overview,
 * which reads the settled hours once. Target: ≤ 50 ms p99. Second, what the dashboard adds to a
 * request: per ledger row, in this process (metrics, the live feed's rendering), and the gateway's
 * local path at 16 connections with the dashboard and metrics off, on with nobody watching, and on
 * with a live page connected and Prometheus scraping every second — two interleaved rounds, side
 * by side, with the gateway process's CPU per request.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import pino from "pino";
import { Pool, request } from "undici";
import { stringify } from "yaml";
import type { BudgetStatus } from "../src/budget/budget-status.js";
import { parseConfigText } from "../src/config/config-load.js";
import { startRuntime } from "../src/core/switchyard-runtime.js";
import { feedRow } from "../src/dashboard/live-page.js";
import { SwitchyardMetrics } from "../src/dashboard/switchyard-metrics.js";
import { buildGateway } from "../src/gateway/gateway-server.js";
import { LEDGER_COLUMNS, toLedgerRow } from "../src/store/ledger-row.js";
import { newRequestId } from "../src/store/request-id.js";
import { SqliteLedger } from "../src/store/sqlite-ledger.js";
import { sampleRecord } from "../test/store/sample-record.js";
import { startServer } from "./gateway-bench.js";
import { type LoadResult, runLoad } from "./load-generator.js";

const DAY_MS = 86_400_000;

export interface EndpointTiming {
  endpoint: string;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** CPU of this process (server and client both) per request: steadier than wall time on a busy machine. */
  cpuMs: number;
}

export interface DashboardBenchResult {
  rows: number;
  seedSeconds: number;
  coldOverviewMs: number;
  endpoints: EndpointTiming[];
  /** What the dashboard adds per ledger row, measured in this process: steady on a busy machine. */
  perRow: { metricsUs: number; liveFeedUs: number };
  /** CPU the gateway's process spent per request (from /proc; null where there is none). */
  gateway: Array<{ setup: string; load: LoadResult; gatewayCpuUsPerRequest: number | null }>;
}

export interface DashboardBenchOptions {
  rows?: number;
  /** Requests per endpoint. */
  requests?: number;
  gatewayDurationMs?: number;
}

export async function runDashboardBench(options: DashboardBenchOptions = {}): Promise<DashboardBenchResult> {
  const rowCount = options.rows ?? 1_000_000;
  const requests = options.requests ?? 500;
  const directory = mkdtempSync(join(tmpdir(), "switchyard-dashboard-bench-"));
  try {
    const path = join(directory, "ledger.db");
    const now = Date.now();
    const seedStarted = performance.now();
    process.stderr.write(`dashboard bench: seeding ${rowCount} ledger rows...\n`);
    const ids = seedLedger(path, rowCount, now);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    process.stderr.write("dashboard bench: timing the data endpoints...\n");
    const { coldOverviewMs, endpoints } = await timeEndpoints(directory, path, ids, now, requests);
    const perRow = await perRowCosts();
    process.stderr.write("dashboard bench: the gateway with and without the dashboard...\n");
    const gateway = await compareGateway(options.gatewayDurationMs ?? 5_000);
    return { rows: rowCount, seedSeconds, coldOverviewMs, endpoints, perRow, gateway };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** 1,000,000 rows over the last 30 days in one transaction; returns a sample of their ids. */
function seedLedger(path: string, count: number, now: number): string[] {
  const ledger = new SqliteLedger(path);
  const { database } = ledger;
  const insert = database.prepare(
    `INSERT INTO requests (${LEDGER_COLUMNS.join(", ")}) VALUES (${LEDGER_COLUMNS.map(() => "?").join(", ")})`,
  );
  const aliases = [
    { alias: "local-coder", tier: 1, costUsd: 0 },
    { alias: "local-reasoner", tier: 1, costUsd: 0 },
    { alias: "cloud-sonnet", tier: 2, costUsd: 0.012 },
    { alias: "cloud-opus", tier: 3, costUsd: 0.09 },
  ];
  const tasks = ["code-generation", "commit-message", "code-review", "story-drafting", "architecture"];
  const sample: string[] = [];
  const span = 30 * DAY_MS;
  database.transaction(() => {
    for (let index = 0; index < count; index++) {
      // Spread evenly (oldest first, as a live ledger fills), a few cloud calls in every ten.
      const startedAt = now - span + Math.floor((index / count) * span);
      const pick = aliases[index % 10 < 6 ? index % 2 : index % 10 < 9 ? 2 : 3]!;
      const record = sampleRecord({
        id: newRequestId(startedAt),
        startedAt,
        task: tasks[index % tasks.length]!,
        ...pick,
        status: index % 50 === 0 ? "error" : "ok",
        gateVerdict: index % 3 === 0 ? "pass" : null,
      });
      const row = toLedgerRow(record);
      // SQLite binds no booleans (stream, cost_estimated): 1 or 0, as the ledger writes them.
      insert.run(
        LEDGER_COLUMNS.map((column) => {
          const value = row[column];
          return typeof value === "boolean" ? (value ? 1 : 0) : value;
        }),
      );
      if (index % 2_000 === 0) sample.push(record.id);
    }
  })();
  database.close();
  return sample;
}

async function timeEndpoints(
  directory: string,
  path: string,
  ids: string[],
  now: number,
  requests: number,
): Promise<{ coldOverviewMs: number; endpoints: EndpointTiming[] }> {
  const config = parseConfigText(
    stringify({
      server: { host: "127.0.0.1", port: 0 },
      database: { url: path },
      budget: {
        key_check_interval_minutes: 0,
        catalog: { path: join(directory, "catalog.json"), sync_on_start: false },
      },
      backends: { engine: { warm: false, health: { poll_interval_ms: 0 } } },
      logging: { level: "silent" },
    }),
    "bench config",
    {},
  );
  const runtime = await startRuntime(config, { logger: pino({ level: "silent" }) });
  const gateway = buildGateway(runtime);
  const url = await gateway.app.listen({ host: "127.0.0.1", port: 0 });
  const pool = new Pool(url, { connections: 1 });
  const get = async (target: string) => {
    const started = performance.now();
    const response = await pool.request({ method: "GET", path: target });
    await response.body.text();
    if (response.statusCode !== 200) throw new Error(`${target} answered ${response.statusCode}`);
    return performance.now() - started;
  };
  try {
    const coldOverviewMs = await get("/dashboard/api/overview");
    const from = new Date(now - 30 * DAY_MS).toISOString();
    const to = new Date(now).toISOString();
    const pick = (index: number) => ids[(index * 7919) % ids.length]!;
    const cases: Array<[string, (index: number) => string]> = [
      ["overview (period, 48 h)", () => "/dashboard/api/overview"],
      ["series, 30 days by day", () => `/dashboard/api/series?from=${from}&to=${to}&bucket=day`],
      ["feed, newest 50", () => "/dashboard/api/feed?limit=50"],
      [
        "feed, 50 from anywhere back",
        (index) => `/dashboard/api/feed?limit=50&before=${now - ((index * 7919) % 30) * DAY_MS}`,
      ],
      ["a request's attempts", (index) => `/dashboard/api/requests/${pick(index)}`],
      ["overview page (HTML)", () => "/dashboard"],
    ];
    const endpoints: EndpointTiming[] = [];
    for (const [endpoint, target] of cases) {
      for (let index = 0; index < 20; index++) await get(target(index)); // warm-up
      const timings: number[] = [];
      const cpu = process.cpuUsage();
      for (let index = 0; index < requests; index++) timings.push(await get(target(index)));
      const used = process.cpuUsage(cpu);
      const cpuMs = (used.user + used.system) / 1000 / requests;
      timings.sort((left, right) => left - right);
      const at = (fraction: number) =>
        timings[Math.min(timings.length - 1, Math.floor(timings.length * fraction))]!;
      endpoints.push({ endpoint, requests, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: timings.at(-1)!, cpuMs });
    }
    return { coldOverviewMs, endpoints };
  } finally {
    await pool.close();
    await gateway.app.close();
    await runtime.close();
  }
}

/** The gateway bench's local path, 16 connections, non-streaming: dashboard off, on, and watched. */
async function compareGateway(durationMs: number): Promise<DashboardBenchResult["gateway"]> {
  const children: ChildProcess[] = [];
  const results: DashboardBenchResult["gateway"] = [];
  try {
    const upstream = await startServer(children, ["upstream"]);
    const body = JSON.stringify({
      model: "local-coder",
      messages: [{ role: "user", content: "Write a haiku about switchyards." }],
    });
    for (const setup of [
      "dashboard and metrics off",
      "dashboard on, nobody watching",
      "dashboard on, live page + scrape every 1 s",
      "dashboard and metrics off",
      "dashboard on, nobody watching",
      "dashboard on, live page + scrape every 1 s",
    ]) {
      process.env.BENCH_DASHBOARD = setup.endsWith("off") ? "off" : "on";
      const server = await startServer(children, [
        "gateway",
        String(upstream.openRouter),
        String(upstream.ollama),
      ]);
      const pid = children.at(-1)?.pid;
      const url = String(server.url);
      const watchers = setup.includes("live page") ? await watch(url) : undefined;
      try {
        const send = { url, path: "/v1/chat/completions", body, connections: 16 };
        // The warm-up first; the gateway's CPU is read around the measured part only.
        await runLoad({ ...send, durationMs: 1_000 });
        const cpuBefore = processCpuSeconds(pid);
        const load = await runLoad({ ...send, durationMs });
        const cpuAfter = processCpuSeconds(pid);
        const gatewayCpuUsPerRequest =
          cpuBefore === null || cpuAfter === null || load.requests === 0
            ? null
            : ((cpuAfter - cpuBefore) * 1e6) / load.requests;
        results.push({ setup, load, gatewayCpuUsPerRequest });
      } finally {
        await watchers?.stop();
        children.pop()?.kill("SIGINT");
      }
    }
    return results;
  } finally {
    delete process.env.BENCH_DASHBOARD;
    for (const child of children) child.kill("SIGINT");
  }
}

/**
 * The dashboard's share of a request, row by row: the metrics counting a row (queued on the hot
 * path, counted at the scrape) and the live feed rendering it for a watching page.
 */
async function perRowCosts(): Promise<DashboardBenchResult["perRow"]> {
  const rows = Array.from({ length: 50_000 }, (_, index) =>
    sampleRecord({
      task: index % 2 ? "code-review" : "commit-message",
      gateVerdict: index % 3 ? "pass" : null,
    }),
  );
  const status: BudgetStatus = {
    period: { start: new Date(0), end: new Date(1), key: "bench", timeZone: "UTC" },
    lines: [{ budget: "monthly", limitUsd: 100, settledUsd: 1, reservedUsd: 0, remainingUsd: 99 }],
    keyRemainingUsd: null,
    key: null,
    effectiveRemainingUsd: 99,
  };
  const metrics = new SwitchyardMetrics({
    budget: async () => status,
    fleet: () => undefined,
    processMetrics: false,
  });
  const cpuMicros = async (work: () => Promise<void> | void) => {
    const before = process.cpuUsage();
    await work();
    const used = process.cpuUsage(before);
    return (used.user + used.system) / rows.length;
  };
  const metricsUs = await cpuMicros(async () => {
    for (const row of rows) metrics.listener(row);
    await metrics.render();
  });
  let bytes = 0;
  const liveFeedUs = await cpuMicros(() => {
    for (const row of rows) bytes += feedRow(row).text.replace(/[\r\n]+/g, "").length;
  });
  if (bytes === 0) throw new Error("the feed rendered nothing");
  return { metricsUs, liveFeedUs };
}

/** User plus system CPU seconds of a process, from /proc (Linux; 100 ticks a second). */
function processCpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    // After the command: state is field 3, utime field 14 and stime field 15 (1-based, whole line).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** A live page's event stream, read to the end, and a scrape of /metrics every second. */
async function watch(url: string): Promise<{ stop(): Promise<void> }> {
  const controller = new AbortController();
  const stream = await request(`${url}/dashboard/api/events`, { signal: controller.signal });
  const reading = (async () => {
    for await (const _chunk of stream.body) {
      // drain, as a browser would
    }
  })().catch(() => {});
  const scrape = setInterval(() => {
    request(`${url}/metrics`).then(
      (response) => response.body.text(),
      () => {},
    );
  }, 1_000);
  return {
    async stop() {
      clearInterval(scrape);
      controller.abort();
      await reading;
    },
  };
}

export function formatDashboardBench(result: DashboardBenchResult): string {
  const lines = [
    `Dashboard data endpoints over a ledger of ${result.rows.toLocaleString("en")} rows (30 days; seeded in ${result.seedSeconds.toFixed(1)} s); one connection, requests one after another`,
    `  first overview after start (reads the settled hours once): ${result.coldOverviewMs.toFixed(1)} ms`,
    "  endpoint                          p50 ms   p99 ms   max ms   CPU ms/request",
  ];
  for (const timing of result.endpoints)
    lines.push(
      `  ${timing.endpoint.padEnd(32)} ${timing.p50Ms.toFixed(2).padStart(7)} ${timing.p99Ms.toFixed(2).padStart(8)} ${timing.maxMs.toFixed(2).padStart(8)} ${timing.cpuMs.toFixed(2).padStart(10)}`,
    );
  const worst = Math.max(...result.endpoints.map((timing) => timing.p99Ms));
  lines.push(`  target p99 ≤ 50 ms: ${worst <= 50 ? "met" : "NOT met"} (worst p99 ${worst.toFixed(2)} ms)`);
  lines.push(
    `  per ledger row: metrics ${result.perRow.metricsUs.toFixed(1)} µs (queued on the request's path, counted at the scrape), live feed ${result.perRow.liveFeedUs.toFixed(1)} µs (rendered only while a page watches)`,
  );
  lines.push(
    "",
    "Gateway, local path, 16 connections, non-streaming, with and without the dashboard (two rounds, interleaved)",
  );
  lines.push(
    "  setup                                          req/s    p50 ms   p99 ms   gateway CPU µs/request",
  );
  const base = result.gateway[0]?.load.requestsPerSecond ?? 0;
  for (const { setup, load, gatewayCpuUsPerRequest } of result.gateway)
    lines.push(
      `  ${setup.padEnd(45)} ${load.requestsPerSecond.toFixed(0).padStart(7)} ${load.p50Ms.toFixed(2).padStart(8)} ${load.p99Ms.toFixed(2).padStart(8)} ${gatewayCpuUsPerRequest === null ? "–" : gatewayCpuUsPerRequest.toFixed(0).padStart(8)}${base ? `   (throughput ${((load.requestsPerSecond / base) * 100).toFixed(0)}%)` : ""}`,
    );
  return lines.join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(formatDashboardBench(await runDashboardBench()));
}
