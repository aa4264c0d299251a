/**
 * Many streaming clients at once (issue 13): by default 1,000 clients, each streaming one answer
 * after another for 60 s through a real `switchyard serve` (its own process, default logging)
 * against fakes that stream like a model writing (a delta every 200 ms, 20 of them). The clients
 * are a mix of both doors (OpenAI /v1/chat/completions, Anthropic /v1/messages) and both kinds of
 * work (local on the fake Engine, paid on the fake OpenRouter, the OpenAI door's paid requests with
 * no max_tokens). The same mix is first sent straight to the fakes, in the same run, for the
 * baseline time to first token. Reported: errors (target 0), the gateway's resident memory idle,
 * at its peak and after the load (target: peak within 300 MB of idle; back near idle after, within
 * 50 MB once fully collected — V8 keeps garbage until its heap grows, so the bench asks for a full
 * collection through the gateway's inspector, opened on loopback for that alone), the p99 time to
 * first token it adds, and how busy the gateway, the fakes, the load generator and the machine were.
 *
 * BENCH_STREAMS, BENCH_STREAMS_DURATION_MS, BENCH_STREAMS_CHUNK_MS and BENCH_STREAMS_CHUNKS change
 * the shape, e.g. BENCH_STREAMS_DURATION_MS=10000 for a short run; BENCH_STREAMS=0 leaves it out
 * of `npm run bench`.
 */
import { type ChildProcess, execFileSync } from "node:child_process";
import { availableParallelism, loadavg } from "node:os";
import { pathToFileURL } from "node:url";
import { Pool } from "undici";
import { FIRST_TOKEN_MARKER } from "./bench-server.js";
import { startServer } from "./gateway-bench.js";
import { percentile } from "./load-generator.js";
import { processCpuMs, processRssBytes, startServe } from "./serve-process.js";

export interface StreamLoadOptions {
  streams?: number;
  durationMs?: number;
  /** The direct baseline's duration; default a quarter of `durationMs`, at least 10 s. */
  baselineMs?: number;
  chunkDelayMs?: number;
  chunks?: number;
  /** Quiet time after the load before the last memory reading, ms. */
  settleMs?: number;
}

/** Which door and which kind of work a client streams through. */
export type StreamClass = "openai local" | "openai paid" | "anthropic local" | "anthropic paid";
const CLASSES: readonly StreamClass[] = ["openai local", "openai paid", "anthropic local", "anthropic paid"];
type Upstream = "fake Engine" | "fake OpenRouter";
const upstreamOf = (kind: StreamClass): Upstream =>
  kind.endsWith("local") ? "fake Engine" : "fake OpenRouter";

export interface StreamFigures {
  streams: number;
  errors: number;
  ttftP50Ms: number;
  ttftP99Ms: number;
  durationP50Ms: number;
}

export interface StreamLoadBench {
  streams: number;
  /** Set when the file-descriptor limit lowered the number of clients. */
  limitedBy?: string;
  durationMs: number;
  chunkDelayMs: number;
  chunks: number;
  direct: Record<Upstream, StreamFigures>;
  gateway: Record<StreamClass, StreamFigures>;
  gatewayTotal: StreamFigures;
  /** Errors by what went wrong (status, no first token, cut short, exception). */
  errorKinds: Record<string, number>;
  /**
   * The gateway's resident memory: idle, at its peak, as the load ended and after the quiet time;
   * then idle and after again, each right after a full garbage collection (what it holds live,
   * rather than what V8 has not collected yet: it collects fully only when its heap grows).
   */
  rss: {
    idleMb: number;
    peakMb: number;
    atEndMb: number;
    afterMb: number;
    settleMs: number;
    idleCollectedMb: number;
    afterCollectedMb: number;
  };
  /** Its JavaScript heap in use (its /metrics), right after the same full collections. */
  heapUsedMb: { idleCollected: number; afterCollected: number };
  /** Cores' worth of CPU each process used during the gateway phase (1 = one core busy). */
  gatewayCores: number;
  fakesCores: number;
  loadGeneratorCores: number;
  /** How busy the machine was: its cores, and the 1-minute load average before and after. */
  machine: { cores: number; loadBefore: number; loadAfter: number };
}

interface StreamResult {
  kind: string;
  ok: boolean;
  error?: string;
  ttftMs: number;
  durationMs: number;
}

interface StreamRequest {
  kind: string;
  pool: Pool;
  path: string;
  body: string;
  headers: Record<string, string>;
  /** Text that only the last event of a complete answer carries. */
  endMarker: string;
}

/** "Back near idle": resident memory after the load, fully collected, within this of idle's. */
export const RETAINED_TARGET_MB = 50;

const messages = [{ role: "user", content: "Review this function and explain what it does." }];

export async function runStreamLoadBench(options: StreamLoadOptions = {}): Promise<StreamLoadBench> {
  const durationMs = options.durationMs ?? 60_000;
  const baselineMs = options.baselineMs ?? Math.max(10_000, durationMs / 4);
  const chunkDelayMs = options.chunkDelayMs ?? 200;
  const chunks = options.chunks ?? 20;
  const settleMs = options.settleMs ?? 10_000;
  const { streams, limitedBy } = fitToDescriptorLimit(options.streams ?? 1_000);
  const children: ChildProcess[] = [];
  try {
    const paced = ["stream-upstream", String(chunkDelayMs), String(chunks)];
    const openRouterBase = String((await startServer(children, [...paced, "openrouter"])).openRouter);
    const ollamaUrl = String((await startServer(children, [...paced, "ollama"])).ollama);
    const loadBefore = loadavg()[0] ?? Number.NaN;

    // The baseline: the same mix straight to the fakes.
    const ollama = new Pool(ollamaUrl, { connections: streams, pipelining: 1 });
    const openRouter = new Pool(new URL(openRouterBase).origin, { connections: streams, pipelining: 1 });
    const directRequest = (index: number): StreamRequest => {
      const kind = upstreamOf(CLASSES[index % CLASSES.length]!);
      return kind === "fake Engine"
        ? {
            kind,
            pool: ollama,
            path: "/api/chat",
            body: JSON.stringify({ model: "qwen2.5-coder:32b", messages, stream: true }),
            headers: {},
            endMarker: '"done":true',
          }
        : {
            kind,
            pool: openRouter,
            path: "/api/v1/chat/completions",
            body: JSON.stringify({ model: "anthropic/claude-sonnet-4.5", messages, stream: true }),
            headers: { authorization: "Bearer sk-or-bench" },
            endMarker: "[DONE]",
          };
    };
    const answerMs = chunkDelayMs * chunks;
    const direct = await runStreams({ streams, durationMs: baselineMs, answerMs, request: directRequest });
    await Promise.all([ollama.close(), openRouter.close()]);

    const serve = await startServe({
      openRouterBaseUrl: openRouterBase,
      ollamaUrl,
      inspector: true,
      config: {
        // What the fake Engine is: it answers any number of streams at once, as the baseline
        // sends them (with the reference Engine's 2 slots, Switchyard would queue the rest).
        backends: { engine: { slots: streams, queue: { max_depth: streams } } },
        // Room for every paid stream in flight at once with no max_tokens (about $0.96 each).
        budget: {
          monthly_usd: 1_000_000,
          aliases: { "cloud-sonnet": 1_000_000, "cloud-opus": 1_000_000 },
          key_check_interval_minutes: 0,
        },
        // Its heap figures, read without a dashboard session (loopback only).
        metrics: { public: true },
      },
    });
    children.push(serve.child);
    const gatewayPool = new Pool(serve.url, { connections: streams, pipelining: 1 });
    const gatewayRequest = (index: number): StreamRequest => {
      const kind = CLASSES[index % CLASSES.length]!;
      const local = kind.endsWith("local");
      if (kind.startsWith("openai")) {
        return {
          kind,
          pool: gatewayPool,
          path: "/v1/chat/completions",
          // The paid ones as most OpenAI clients send them: no max_tokens.
          body: JSON.stringify({
            model: local ? "local-coder" : "switchyard/code-review",
            messages,
            stream: true,
          }),
          headers: {},
          endMarker: "[DONE]",
        };
      }
      return {
        kind,
        pool: gatewayPool,
        path: "/v1/messages",
        body: JSON.stringify({
          model: local ? "local-coder" : "cloud-sonnet",
          max_tokens: 4_096,
          messages,
          stream: true,
        }),
        headers: { "anthropic-version": "2023-06-01" },
        endMarker: "message_stop",
      };
    };

    const rss: number[] = [];
    // Idle: started, the Engine warmed, nothing asked yet.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const idle = processRssBytes(serve.pid);
    await serve.collectGarbage();
    const idleCollected = processRssBytes(serve.pid);
    const heapIdleCollected = await heapUsedMb(serve.url);
    const sampler = setInterval(() => rss.push(processRssBytes(serve.pid)), 250);
    const fakes = children.slice(0, 2).map((child) => child.pid ?? 0);
    const fakesCpu = () => fakes.reduce((sum, pid) => sum + processCpuMs(pid), 0);
    const fakesBefore = fakesCpu();
    const cpuBefore = processCpuMs(serve.pid);
    const ownBefore = process.cpuUsage();
    const started = performance.now();
    const through = await runStreams({ streams, durationMs, answerMs, request: gatewayRequest });
    const wallMs = performance.now() - started;
    const gatewayCpuMs = processCpuMs(serve.pid) - cpuBefore;
    const fakesCpuMs = fakesCpu() - fakesBefore;
    const own = process.cpuUsage(ownBefore);
    const loadAfter = loadavg()[0] ?? Number.NaN;
    clearInterval(sampler);
    const atEnd = processRssBytes(serve.pid);
    await gatewayPool.close();
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    const after = processRssBytes(serve.pid);
    await serve.collectGarbage();
    const afterCollected = processRssBytes(serve.pid);
    const heapAfterCollected = await heapUsedMb(serve.url);
    await serve.stop();

    const errorKinds: Record<string, number> = {};
    for (const result of through) {
      if (!result.ok) errorKinds[result.error ?? "?"] = (errorKinds[result.error ?? "?"] ?? 0) + 1;
    }
    const megabytes = (bytes: number) => bytes / 1_048_576;
    return {
      streams,
      ...(limitedBy ? { limitedBy } : {}),
      durationMs,
      chunkDelayMs,
      chunks,
      direct: {
        "fake Engine": figures(direct.filter((result) => result.kind === "fake Engine")),
        "fake OpenRouter": figures(direct.filter((result) => result.kind === "fake OpenRouter")),
      },
      gateway: Object.fromEntries(
        CLASSES.map((kind) => [kind, figures(through.filter((result) => result.kind === kind))]),
      ) as Record<StreamClass, StreamFigures>,
      gatewayTotal: figures(through),
      errorKinds,
      rss: {
        idleMb: megabytes(idle),
        peakMb: megabytes(Math.max(idle, atEnd, ...rss.filter(Number.isFinite))),
        atEndMb: megabytes(atEnd),
        afterMb: megabytes(after),
        settleMs,
        idleCollectedMb: megabytes(idleCollected),
        afterCollectedMb: megabytes(afterCollected),
      },
      heapUsedMb: { idleCollected: heapIdleCollected, afterCollected: heapAfterCollected },
      gatewayCores: gatewayCpuMs / wallMs,
      fakesCores: fakesCpuMs / wallMs,
      loadGeneratorCores: (own.user + own.system) / 1000 / wallMs,
      machine: { cores: availableParallelism(), loadBefore, loadAfter },
    };
  } finally {
    for (const child of children) child.kill("SIGKILL");
  }
}

/**
 * `streams` clients, each streaming one answer after another until `durationMs` has passed. They
 * start spread over the first few seconds (not 1,000 connections in one instant); only answers
 * asked once every client has started and streamed one answer count.
 */
async function runStreams(options: {
  streams: number;
  durationMs: number;
  /** How long one answer streams when nothing waits, ms. */
  answerMs: number;
  request: (index: number) => StreamRequest;
}): Promise<StreamResult[]> {
  const rampMs = Math.min(5_000, options.durationMs / 6);
  const warmupMs = Math.min(rampMs + options.answerMs, options.durationMs / 3);
  const started = performance.now();
  const deadline = started + options.durationMs;
  const results: StreamResult[] = [];
  const client = async (index: number) => {
    await new Promise((resolve) => setTimeout(resolve, (rampMs * index) / options.streams));
    const request = options.request(index);
    while (performance.now() < deadline) {
      const askedAt = performance.now();
      const result = await streamOnce(request);
      if (askedAt - started >= warmupMs) results.push(result);
    }
  };
  await Promise.all(Array.from({ length: options.streams }, (_, index) => client(index)));
  return results;
}

/** The gateway's JavaScript heap in use, from its /metrics; NaN when it cannot be read. */
async function heapUsedMb(url: string): Promise<number> {
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    const match = /^switchyard_nodejs_heap_size_used_bytes (\d+)/m.exec(text);
    return match ? Number(match[1]) / 1_048_576 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** One streamed answer: when its first token arrived, and whether it arrived whole. */
async function streamOnce(request: StreamRequest): Promise<StreamResult> {
  const startedAt = performance.now();
  let ttftMs = Number.NaN;
  const failed = (error: string): StreamResult => ({
    kind: request.kind,
    ok: false,
    error,
    ttftMs,
    durationMs: performance.now() - startedAt,
  });
  try {
    const response = await request.pool.request({
      method: "POST",
      path: request.path,
      headers: { "content-type": "application/json", ...request.headers },
      body: request.body,
    });
    let carry = "";
    let ended = false;
    for await (const chunk of response.body) {
      // A marker may straddle two reads: keep the end of the last one.
      const text = carry + (chunk as Buffer).toString("latin1");
      if (Number.isNaN(ttftMs) && text.includes(FIRST_TOKEN_MARKER)) ttftMs = performance.now() - startedAt;
      if (!ended && text.includes(request.endMarker)) ended = true;
      carry = text.slice(-16);
    }
    if (response.statusCode !== 200) return failed(`HTTP ${response.statusCode}`);
    if (Number.isNaN(ttftMs)) return failed("no first token");
    if (!ended) return failed("cut short");
    return { kind: request.kind, ok: true, ttftMs, durationMs: performance.now() - startedAt };
  } catch (error) {
    return failed((error as Error).message.slice(0, 80));
  }
}

function figures(results: readonly StreamResult[]): StreamFigures {
  const answered = results.filter((result) => result.ok);
  const ttft = answered.map((result) => result.ttftMs).sort((a, b) => a - b);
  const durations = answered.map((result) => result.durationMs).sort((a, b) => a - b);
  return {
    streams: results.length,
    errors: results.length - answered.length,
    ttftP50Ms: percentile(ttft, 0.5),
    ttftP99Ms: percentile(ttft, 0.99),
    durationP50Ms: percentile(durations, 0.5),
  };
}

/**
 * Each of the load generator, the gateway and the fakes holds one socket per client (the gateway
 * two): with a low `ulimit -n` (macOS defaults to 256) the clients are cut to what fits, and the
 * report says so, rather than failing with EMFILE half-way.
 */
function fitToDescriptorLimit(wanted: number): { streams: number; limitedBy?: string } {
  let limit = Number.POSITIVE_INFINITY;
  try {
    const text = execFileSync("sh", ["-c", "ulimit -n"], { encoding: "utf8" }).trim();
    if (text !== "unlimited") limit = Number(text);
  } catch {
    // No shell to ask: try the number wanted.
  }
  const fits = Math.floor((limit - 256) / 2);
  if (!Number.isFinite(limit) || fits >= wanted) return { streams: wanted };
  return {
    streams: Math.max(1, fits),
    limitedBy: `ulimit -n is ${limit}: ${Math.max(1, fits)} clients instead of ${wanted} (raise it with \`ulimit -n ${wanted * 2 + 256}\`)`,
  };
}

export function formatStreamLoadBench(bench: StreamLoadBench): string {
  const seconds = (bench.durationMs / 1000).toFixed(0);
  const lines = [
    `Many streaming clients: ${bench.streams.toLocaleString("en-US")} at once for ${seconds} s through \`switchyard serve\` (its own process, default logging), each streaming answers one after another`,
    `(the fakes stream ${bench.chunks} deltas ${bench.chunkDelayMs} ms apart; a quarter of the clients on each of: OpenAI door local, OpenAI door paid with no max_tokens, Anthropic door local, Anthropic door paid)`,
    ...(bench.limitedBy ? [`(${bench.limitedBy})`] : []),
    "via          class              streams   errors   first token p50 / p99 ms   stream p50 ms",
  ];
  const row = (via: string, name: string, figures: StreamFigures) =>
    `${via.padEnd(12)} ${name.padEnd(17)} ${String(figures.streams).padStart(8)}   ${String(figures.errors).padStart(6)}   ${figures.ttftP50Ms.toFixed(1).padStart(11)} / ${figures.ttftP99Ms.toFixed(1).padEnd(10)}   ${figures.durationP50Ms.toFixed(0).padStart(9)}`;
  for (const [name, figures] of Object.entries(bench.direct)) lines.push(row("direct", name, figures));
  for (const [name, figures] of Object.entries(bench.gateway)) lines.push(row("switchyard", name, figures));
  lines.push(row("switchyard", "all", bench.gatewayTotal));
  const added = CLASSES.map((kind) => {
    const value = bench.gateway[kind].ttftP99Ms - bench.direct[upstreamOf(kind)].ttftP99Ms;
    return `${kind} ${value.toFixed(1)} ms`;
  });
  lines.push(`added p99 time to first token: ${added.join(", ")}`);
  const errors = bench.gatewayTotal.errors;
  const kinds = Object.entries(bench.errorKinds).map(([kind, count]) => `${count} ${kind}`);
  lines.push(
    `errors through switchyard: ${errors} (target 0: ${errors === 0 ? "met" : `NOT met: ${kinds.join(", ")}`})`,
  );
  const { rss, heapUsedMb: heap } = bench;
  const growth = rss.peakMb - rss.idleMb;
  const retained = rss.afterCollectedMb - rss.idleCollectedMb;
  lines.push(
    `gateway memory (RSS): idle ${rss.idleMb.toFixed(0)} MB, peak ${rss.peakMb.toFixed(0)} MB (+${growth.toFixed(0)}; target ≤ +300: ${growth <= 300 ? "met" : "NOT met"}), ` +
      `${rss.atEndMb.toFixed(0)} MB as the load ended, ${rss.afterMb.toFixed(0)} MB ${(rss.settleMs / 1000).toFixed(0)} s later (V8 collects fully only when its heap grows)`,
    `after a full collection: ${rss.idleCollectedMb.toFixed(0)} MB idle, ${rss.afterCollectedMb.toFixed(0)} MB after the load (${retained >= 0 ? "+" : ""}${retained.toFixed(0)}; back within ${RETAINED_TARGET_MB} MB of idle: ${retained <= RETAINED_TARGET_MB ? "met" : "NOT met"}), ` +
      `JavaScript heap in use ${heap.idleCollected.toFixed(0)} MB and ${heap.afterCollected.toFixed(0)} MB`,
  );
  const { machine } = bench;
  lines.push(
    `CPU during the load: gateway ${bench.gatewayCores.toFixed(2)} cores, fakes ${bench.fakesCores.toFixed(2)}, load generator ${bench.loadGeneratorCores.toFixed(2)}` +
      (bench.loadGeneratorCores > 0.85
        ? " (the load generator was near a full core: it may have bounded these figures)"
        : "") +
      `; the machine: ${machine.cores} cores, load average ${machine.loadBefore.toFixed(1)} before and ${machine.loadAfter.toFixed(1)} after` +
      (machine.loadAfter > machine.cores
        ? " (more than its cores: every process waited for one, and the times above include that wait)"
        : ""),
  );
  return lines.join("\n");
}

export function streamLoadOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): StreamLoadOptions {
  const number = (name: string) => (env[name] ? Number(env[name]) : undefined);
  const options: StreamLoadOptions = {};
  const streams = number("BENCH_STREAMS");
  const durationMs = number("BENCH_STREAMS_DURATION_MS");
  const chunkDelayMs = number("BENCH_STREAMS_CHUNK_MS");
  const chunks = number("BENCH_STREAMS_CHUNKS");
  if (streams !== undefined) options.streams = streams;
  if (durationMs !== undefined) options.durationMs = durationMs;
  if (chunkDelayMs !== undefined) options.chunkDelayMs = chunkDelayMs;
  if (chunks !== undefined) options.chunks = chunks;
  return options;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(formatStreamLoadBench(await runStreamLoadBench(streamLoadOptionsFromEnv())));
}
