/**
 * The Engine queue: a burst of 64 requests over two models sent straight to a fake Ollama that
 * behaves like the real scheduler (4 slots per model, requests beyond them wait inside it; a model
 * load costs `loadMs` and, with room for one model, evicts the other; a bounded queue answers 503)
 * versus the same burst through Switchyard, whose own queue keeps each model within its slots and
 * serves models in batches instead of swapping per request. Service times are sleeps, so the
 * figures are about scheduling, not CPU: run `npx tsx bench/engine-bench.ts` standalone.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import pino from "pino";
import { Pool } from "undici";
import { stringify } from "yaml";
import { parseConfigText } from "../src/config/config-load.js";
import { startRuntime } from "../src/core/switchyard-runtime.js";
import { buildGateway } from "../src/gateway/gateway-server.js";
import { type FakeEngineOptions, type FakeOllama, startFakeOllama } from "../test/fakes/fake-ollama.js";
import { percentile } from "./load-generator.js";

const MODELS = ["qwen2.5-coder:32b", "deepseek-r1:32b"] as const;
const ALIASES = ["local-coder", "local-reasoner"] as const;

export interface EngineBenchCase {
  name: string;
  engine: FakeEngineOptions;
}

export interface EngineBenchSide {
  seconds: number;
  requestsPerSecond: number;
  ok: number;
  errors: number;
  /** Latency minus the request's own service time: waiting in a queue or for a model load. */
  waitP50Ms: number;
  waitP95Ms: number;
  swaps: number;
  maxInsideOllama: number;
}

export interface EngineBenchRow {
  name: string;
  direct: EngineBenchSide;
  switchyard: EngineBenchSide & { queueWaitP95Ms: number };
}

export interface EngineBenchOptions {
  requests?: number;
  serviceMs?: number;
  loadMs?: number;
}

export async function runEngineBench(options: EngineBenchOptions = {}): Promise<EngineBenchRow[]> {
  const requests = options.requests ?? 64;
  const serviceMs = options.serviceMs ?? 100;
  const loadMs = options.loadMs ?? 300;
  const cases: EngineBenchCase[] = [
    {
      name: "both models fit (max loaded 2), Ollama queue 32",
      engine: { slots: 4, maxLoadedModels: 2, loadDelayMs: loadMs, maxQueue: 32 },
    },
    {
      name: "memory for one model (max loaded 1)",
      engine: { slots: 4, maxLoadedModels: 1, loadDelayMs: loadMs },
    },
  ];
  const rows: EngineBenchRow[] = [];
  for (const benchCase of cases) {
    const direct = await runDirect(benchCase.engine, requests, serviceMs);
    const through = await runThroughSwitchyard(benchCase.engine, requests, serviceMs);
    rows.push({ name: benchCase.name, direct, switchyard: through });
  }
  return rows;
}

async function startEngine(engine: FakeEngineOptions, serviceMs: number): Promise<FakeOllama> {
  const fake = await startFakeOllama({ recordRequests: false, engine });
  fake.setDefault({ kind: "reply", reply: { content: "done" }, delayMs: serviceMs });
  return fake;
}

/** What a warm Engine looks like: every model loaded with keep_alive -1, as far as memory allows. */
async function warm(pool: Pool): Promise<void> {
  for (const model of MODELS) {
    const response = await pool.request({
      method: "POST",
      path: "/api/generate",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model, keep_alive: -1, stream: false }),
    });
    await response.body.text();
  }
}

async function runDirect(
  engine: FakeEngineOptions,
  count: number,
  serviceMs: number,
): Promise<EngineBenchSide> {
  const fake = await startEngine(engine, serviceMs);
  const pool = new Pool(fake.url, { connections: count });
  try {
    await warm(pool);
    const before = fake.engineStats().evictions;
    const burst = await sendBurst(count, serviceMs, (index) => ({
      pool,
      path: "/api/chat",
      body: {
        model: MODELS[index % 2],
        stream: false,
        messages: [{ role: "user", content: `task ${index}` }],
      },
    }));
    return { ...burst, swaps: fake.engineStats().evictions - before, maxInsideOllama: maxInside(fake) };
  } finally {
    await pool.close();
    await fake.close();
  }
}

async function runThroughSwitchyard(
  engine: FakeEngineOptions,
  count: number,
  serviceMs: number,
): Promise<EngineBenchSide & { queueWaitP95Ms: number }> {
  const fake = await startEngine(engine, serviceMs);
  const directory = mkdtempSync(join(tmpdir(), "switchyard-engine-bench-"));
  const config = parseConfigText(
    stringify({
      server: { host: "127.0.0.1", port: 0 },
      backends: {
        engine: {
          base_url: fake.url,
          slots: 4,
          warm: true,
          queue: { max_wait_ms: 120_000, max_depth: 1_000 },
          health: { poll_interval_ms: 0 },
        },
      },
      database: { url: join(directory, "ledger.db") },
      budget: {
        key_check_interval_minutes: 0,
        catalog: { path: join(directory, "catalog.json"), sync_on_start: false },
      },
      logging: { level: "silent" },
    }),
    "engine bench",
    {},
  );
  const runtime = await startRuntime(config, {
    logger: pino({ level: "silent" }),
    env: { SWITCHYARD_HOME: directory },
  });
  const gateway = buildGateway(runtime);
  const url = await gateway.app.listen({ host: "127.0.0.1", port: 0 });
  const pool = new Pool(url, { connections: count });
  try {
    await runtime.engines?.start();
    const before = fake.engineStats().evictions;
    const burst = await sendBurst(count, serviceMs, (index) => ({
      pool,
      path: "/v1/chat/completions",
      body: { model: ALIASES[index % 2], messages: [{ role: "user", content: `task ${index}` }] },
    }));
    return {
      ...burst,
      swaps: fake.engineStats().evictions - before,
      maxInsideOllama: maxInside(fake),
      queueWaitP95Ms: runtime.engines?.snapshot().waits.p95Ms ?? 0,
    };
  } finally {
    await pool.close();
    await gateway.app.close();
    await runtime.close();
    await fake.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

interface Target {
  pool: Pool;
  path: string;
  body: object;
}

/** Sends every request at once and waits for all of them to finish. */
async function sendBurst(count: number, serviceMs: number, target: (index: number) => Target) {
  const waits: number[] = [];
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const { pool, path, body } = target(index);
      const sent = performance.now();
      try {
        const response = await pool.request({
          method: "POST",
          path,
          headers: { "content-type": "application/json", authorization: "Bearer bench" },
          body: JSON.stringify(body),
        });
        await response.body.text();
        if (response.statusCode === 200) waits.push(performance.now() - sent - serviceMs);
        else errors++;
      } catch {
        errors++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  waits.sort((left, right) => left - right);
  return {
    seconds,
    requestsPerSecond: waits.length / seconds,
    ok: waits.length,
    errors,
    waitP50Ms: percentile(waits, 0.5),
    waitP95Ms: percentile(waits, 0.95),
  };
}

function maxInside(fake: FakeOllama): number {
  return Math.max(...MODELS.map((model) => fake.maxConcurrent(model)));
}

export function formatEngineBench(rows: EngineBenchRow[], options: EngineBenchOptions = {}): string {
  const lines = [
    `Engine queue: a burst of ${options.requests ?? 64} requests, alternating 2 models, against a fake Ollama with 4 slots per model, ` +
      `${options.serviceMs ?? 100} ms per request, ${options.loadMs ?? 300} ms per model load`,
    "case                                              path        ok  errors  total s   req/s  wait p50  wait p95  swaps  max/model in Ollama",
  ];
  for (const row of rows) {
    for (const [name, side] of [
      ["direct", row.direct],
      ["switchyard", row.switchyard],
    ] as const) {
      lines.push(
        `${row.name.padEnd(49)} ${name.padEnd(10)} ${String(side.ok).padStart(3)} ${String(side.errors).padStart(7)} ${side.seconds.toFixed(2).padStart(8)} ${side.requestsPerSecond.toFixed(1).padStart(7)} ${side.waitP50Ms.toFixed(0).padStart(7)} ms ${side.waitP95Ms.toFixed(0).padStart(7)} ms ${String(side.swaps).padStart(6)} ${String(side.maxInsideOllama).padStart(4)}`,
      );
    }
    lines.push(
      `${"".padEnd(49)} Switchyard's own queue wait p95 ${row.switchyard.queueWaitP95Ms.toFixed(0)} ms; throughput ratio ${(row.switchyard.requestsPerSecond / row.direct.requestsPerSecond).toFixed(2)} (switchyard/direct)`,
    );
  }
  lines.push(
    "wait = latency − service time (time in a queue or waiting for a model load); errors = Ollama's 503 when its queue is full",
  );
  return lines.join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(formatEngineBench(await runEngineBench()));
}
