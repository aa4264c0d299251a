/**
 * A server process for the benchmarks, so that the load generator, Switchyard and the fake upstream
 * each get their own event loop: `bench-server upstream` starts a zero-latency fake OpenRouter;
 * `bench-server gateway <upstream-url>` starts Switchyard in front of it; `bench-server
 * stream-upstream` starts one fake answering every chat with a paced stream, as a model writes
 * (stream-load-bench.ts). Prints its URL as one JSON line on stdout, then serves until killed.
 *
 * The fake OpenRouter also lists a free model, as OpenRouter lists its `:free` variants at $0: a
 * request for it costs nothing, so the budget reserves nothing, and the gateway bench can show the
 * OpenRouter path with and without the budget step.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import pino from "pino";
import { stringify } from "yaml";
import { parseConfigText } from "../src/config/config-load.js";
import { startRuntime } from "../src/core/switchyard-runtime.js";
import { buildGateway } from "../src/gateway/gateway-server.js";
import { startFakeOllama } from "../test/fakes/fake-ollama.js";
import { startFakeOpenRouter } from "../test/fakes/fake-openrouter.js";

export const BENCH_API_KEY = "sk-or-bench";
export const BENCH_FREE_MODEL = "meta-llama/llama-3.3-70b-instruct:free";
/** The start of every paced answer (`stream-upstream`): its arrival is the first token. */
export const FIRST_TOKEN_MARKER = "Zyxq";

/** A paced answer of `chunks` deltas of 8 characters, starting with FIRST_TOKEN_MARKER. */
export function pacedContent(chunks: number): string {
  const text = `${FIRST_TOKEN_MARKER} ${"a streamed answer ".repeat(Math.ceil((chunks * 8) / 18))}`;
  return text.slice(0, Math.max(8, chunks * 8));
}

async function main(): Promise<void> {
  const [role, upstreamUrl, ollamaUrl] = process.argv.slice(2);
  if (role === "upstream") {
    const openRouter = await startFakeOpenRouter({ apiKey: BENCH_API_KEY, recordRequests: false });
    openRouter.models.push({
      id: BENCH_FREE_MODEL,
      promptPrice: 0,
      completionPrice: 0,
      contextLength: 131_072,
      maxCompletionTokens: 8_192,
    });
    const ollama = await startFakeOllama({ recordRequests: false });
    process.stdout.write(`${JSON.stringify({ openRouter: openRouter.baseUrl, ollama: ollama.url })}\n`);
    return;
  }
  if (role === "stream-upstream") {
    // A fake streaming like a model writing: a delta every `chunkDelayMs`, `chunks` of them. One
    // fake per process (`ollama` or `openrouter`), so the two share the load of many streams.
    const [, , , delay, count, which] = process.argv;
    const chunkDelayMs = Number(delay ?? 100);
    const content = pacedContent(Number(count ?? 30));
    if (which === "openrouter") {
      const openRouter = await startFakeOpenRouter({ apiKey: BENCH_API_KEY, recordRequests: false });
      openRouter.setDefault({ kind: "reply", reply: { content, chunkDelayMs } });
      process.stdout.write(`${JSON.stringify({ openRouter: openRouter.baseUrl })}\n`);
    } else {
      const ollama = await startFakeOllama({ recordRequests: false });
      ollama.setDefault({ kind: "reply", reply: { content }, chunkDelayMs });
      process.stdout.write(`${JSON.stringify({ ollama: ollama.url })}\n`);
    }
    return;
  }
  if (role === "gateway" && upstreamUrl && ollamaUrl) {
    const directory = mkdtempSync(join(tmpdir(), "switchyard-bench-"));
    const yaml = stringify({
      server: { host: "127.0.0.1", port: 0 },
      backends: {
        // The fake Engine answers any number of requests at once, as the direct baseline sends
        // them; with the reference Engine's 2 slots Switchyard would hold 14 of the 16 back in its own
        // queue, and the figure would measure admission instead of overhead (engine-bench.ts
        // measures the queue). So the config says what this fake is: 16 slots.
        engine: { base_url: ollamaUrl, slots: Number(process.env.BENCH_ENGINE_SLOTS ?? 16) },
        openrouter: { base_url: upstreamUrl, api_key: BENCH_API_KEY },
      },
      aliases: { "cloud-free": { backend: "openrouter", model: BENCH_FREE_MODEL, tier: 2 } },
      database: { url: join(directory, "ledger.db") },
      budget: {
        key_check_interval_minutes: 0,
        catalog: { path: join(directory, "catalog.json"), sync_on_start: false },
      },
      // BENCH_DASHBOARD=off: the gateway without the dashboard and metrics (dashboard-bench.ts
      // compares the two).
      ...(process.env.BENCH_DASHBOARD === "off"
        ? { dashboard: { enabled: false }, metrics: { enabled: false } }
        : {}),
      logging: { level: "silent" },
    });
    const config = parseConfigText(yaml, "bench config", {});
    const runtime = await startRuntime(config, { logger: pino({ level: "silent" }) });
    // Prices from the fake's /models, before the first request: the free model is then known free.
    await runtime.syncCatalog();
    const gateway = buildGateway(runtime);
    const url = await gateway.app.listen({ host: "127.0.0.1", port: 0 });
    process.stdout.write(`${JSON.stringify({ url })}\n`);
    return;
  }
  if (role === "bare-proxy" && upstreamUrl) {
    // The floor for any Node gateway on this machine: Fastify receives the request, undici sends it
    // on and the answer goes back, with no routing, budget, ledger or protocol conversion.
    const { default: Fastify } = await import("fastify");
    const { Agent, request } = await import("undici");
    const agent = new Agent({ keepAliveTimeout: 30_000 });
    const app = Fastify({ logger: false });
    app.post("/v1/chat/completions", async (incoming, reply) => {
      const body = { ...(incoming.body as Record<string, unknown>), model: "anthropic/claude-sonnet-4.5" };
      const upstream = await request(`${upstreamUrl}/chat/completions`, {
        method: "POST",
        dispatcher: agent,
        headers: { "content-type": "application/json", authorization: `Bearer ${BENCH_API_KEY}` },
        body: JSON.stringify(body),
      });
      reply.header("content-type", String(upstream.headers["content-type"] ?? "application/json"));
      return reply.send(Buffer.from(await upstream.body.arrayBuffer()));
    });
    const url = await app.listen({ host: "127.0.0.1", port: 0 });
    process.stdout.write(`${JSON.stringify({ url })}\n`);
    return;
  }
  process.stderr.write(
    "usage: bench-server upstream | stream-upstream <chunk-delay-ms> <chunks> ollama|openrouter | gateway <openrouter-base-url> <ollama-url> | bare-proxy <openrouter-base-url>\n",
  );
  process.exit(2);
}

process.once("SIGINT", () => process.exit(0));
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
