/**
 * A fake Ollama server on loopback that speaks the real wire format: `/api/chat` streaming NDJSON
 * (chunked, `application/x-ndjson`, a final `done: true` line with nanosecond stats) or one JSON
 * object with `stream: false`, `{"error"}` bodies and mid-stream error lines, plus `/api/tags`,
 * `/api/ps`, `/api/show`, `/api/version`, `/api/generate` (loading a model), `/api/pull` and
 * `GET /`. Tests script it with behaviours; with no delays it is cheap enough to serve a benchmark.
 * With `engine` options it also keeps Ollama's slots, loaded-model limit and swap cost
 * (fake-ollama-scheduler.ts), and `down` makes it drop every connection.
 */

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type FakeEngineOptions,
  type FakeEngineTicket,
  FakeOllamaScheduler,
} from "./fake-ollama-scheduler.js";
import {
  chunkLine,
  defaultFakeOllamaModels,
  defaultStatusMessage,
  describeModel,
  type FakeOllamaModel,
  type FakeOllamaReply,
  line,
  loadedModels,
  replyLines,
  showModel,
  splitText,
  wholeReply,
  withTag,
} from "./fake-ollama-wire.js";
import { RequestCounter } from "./request-counter.js";

export { defaultFakeOllamaModels, type FakeEngineOptions, type FakeOllamaModel, type FakeOllamaReply };

export type FakeOllamaBehaviour =
  /**
   * `delayMs` waits before the headers; `until` holds them until it settles (a test's own event);
   * `chunkDelayMs` waits between streamed lines.
   */
  | {
      kind: "reply";
      reply: FakeOllamaReply;
      delayMs?: number;
      until?: Promise<unknown>;
      chunkDelayMs?: number;
    }
  /** An error status; `body` defaults to Ollama's `{"error": …}`; a string body is sent as text. */
  | { kind: "status"; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: "error-mid-stream"; afterContent: string; error: string }
  /** Nothing at all — no status, no headers — until the client goes away. */
  | { kind: "no-answer" }
  /**
   * Headers and the text so far, then nothing until the client goes away. Without streaming,
   * nothing at all: Ollama sends a whole answer only once it is complete.
   */
  | { kind: "stall-mid-stream"; afterContent: string }
  /** `stall-mid-stream` after "Hel". */
  | { kind: "hang" }
  /** The socket is destroyed before any answer. */
  | { kind: "destroy" };

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface FakeOllama {
  url: string;
  requests: ReceivedRequest[];
  /** Queues behaviours for the next /api/chat calls, in order. */
  enqueue(...behaviours: FakeOllamaBehaviour[]): void;
  /** Behaviour when the queue is empty; by default replies `Hello from <model>`. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary fields of the request body.
  setDefault(behaviour: FakeOllamaBehaviour | ((body: any) => FakeOllamaBehaviour)): void;
  /** Installed models, served by /api/tags and /api/show; /api/chat answers 404 for others. */
  models: FakeOllamaModel[];
  /** Loaded model names, served by /api/ps. */
  loaded: string[];
  /** Number of /api/chat requests whose client went away before the response ended. */
  abortedCount(): number;
  /** Resolves when n /api/chat requests have arrived (counting those answered from the start). */
  waitForChatRequests(n: number, timeoutMs?: number): Promise<void>;
  /** Resolves when abortedCount() reaches n. */
  waitForAborts(n: number, timeoutMs?: number): Promise<void>;
  /** While true, every connection is dropped before an answer: the Engine is down. */
  down: boolean;
  /** The most /api/chat requests for `model` that were being answered at once. */
  maxConcurrent(model: string): number;
  /** Model loads and evictions so far (with `engine` options). */
  engineStats(): { loads: number; evictions: number };
  close(): Promise<void>;
}

export interface FakeOllamaOptions {
  models?: FakeOllamaModel[];
  /** Default true; false skips recording requests (benchmarks). */
  recordRequests?: boolean;
  /** Behave like Ollama's scheduler: slots, a loaded-model limit, load time, a queue limit. */
  engine?: FakeEngineOptions;
}

type DefaultBehaviour = FakeOllamaBehaviour | ((body: Record<string, unknown>) => FakeOllamaBehaviour);
const ndjson = { "content-type": "application/x-ndjson" };
const json = { "content-type": "application/json; charset=utf-8" };

export async function startFakeOllama(options: FakeOllamaOptions = {}): Promise<FakeOllama> {
  const record = options.recordRequests ?? true;
  const queue: FakeOllamaBehaviour[] = [];
  const destroyedOnPurpose = new WeakSet<ServerResponse>();
  let defaultBehaviour: DefaultBehaviour = (body) => ({
    kind: "reply",
    reply: { content: `Hello from ${String(body.model)}` },
  });
  const aborts = new RequestCounter("fake Ollama", "aborted requests");
  const chats = new RequestCounter("fake Ollama", "/api/chat requests");
  const concurrent = new Map<string, number>();
  /** num_ctx each model was loaded with by /api/generate, reported by /api/ps. */
  const loadedContext = new Map<string, number>();
  const maxConcurrent = new Map<string, number>();

  const fake: FakeOllama = {
    url: "",
    requests: [],
    models: (options.models ?? defaultFakeOllamaModels).map((model) => ({ ...model })),
    loaded: [],
    enqueue: (...behaviours) => void queue.push(...behaviours),
    setDefault: (behaviour) => {
      defaultBehaviour = behaviour;
    },
    abortedCount: () => aborts.count(),
    down: false,
    maxConcurrent: (model) => maxConcurrent.get(withTag(model)) ?? 0,
    engineStats: () => ({ loads: scheduler?.loads ?? 0, evictions: scheduler?.evictions ?? 0 }),
    waitForAborts: (n, timeoutMs) => aborts.waitFor(n, timeoutMs),
    waitForChatRequests: (n, timeoutMs) => chats.waitFor(n, timeoutMs),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const scheduler = options.engine
    ? new FakeOllamaScheduler(options.engine, {
        get: () => fake.loaded,
        set: (names) => {
          fake.loaded = names;
        },
      })
    : undefined;

  const findModel = (name: unknown) =>
    typeof name === "string" ? fake.models.find((model) => withTag(model.name) === withTag(name)) : undefined;

  const handleChat = async (response: ServerResponse, body: Record<string, unknown>) => {
    chats.record();
    if (typeof body.model !== "string" || body.model === "")
      return send(response, 400, json, { error: "model is required" });
    if (!findModel(body.model)) {
      return send(response, 404, json, { error: `model "${body.model}" not found, try pulling it first` });
    }
    const model = withTag(body.model);
    let ticket: FakeEngineTicket | undefined;
    let running = false;
    response.on("close", () => {
      ticket?.release();
      if (running) concurrent.set(model, (concurrent.get(model) ?? 1) - 1);
      if (response.writableFinished || destroyedOnPurpose.has(response)) return;
      aborts.record();
    });
    if (scheduler) {
      const admitted = scheduler.admit(model);
      if (!admitted) return send(response, 503, json, { error: defaultStatusMessage(503) });
      ticket = await admitted;
      // The client may have gone while it waited inside "Ollama": give the slot straight back.
      if (response.destroyed) return ticket.release();
    }
    running = true;
    concurrent.set(model, (concurrent.get(model) ?? 0) + 1);
    maxConcurrent.set(model, Math.max(maxConcurrent.get(model) ?? 0, concurrent.get(model) ?? 0));
    const picked =
      queue.shift() ?? (typeof defaultBehaviour === "function" ? defaultBehaviour(body) : defaultBehaviour);
    // A request that waited for its model to load reports it, as Ollama's load_duration does.
    const behaviour: FakeOllamaBehaviour =
      ticket && ticket.loadMs > 0 && picked.kind === "reply" && picked.reply.loadDurationNs === undefined
        ? { ...picked, reply: { ...picked.reply, loadDurationNs: ticket.loadMs * 1e6 } }
        : picked;
    switch (behaviour.kind) {
      case "status": {
        const { body: errorBody = { error: defaultStatusMessage(behaviour.status) } } = behaviour;
        const type = typeof errorBody === "string" ? { "content-type": "text/plain; charset=utf-8" } : json;
        return send(response, behaviour.status, { ...type, ...behaviour.headers }, errorBody);
      }
      case "destroy":
        destroyedOnPurpose.add(response);
        response.socket?.destroy();
        return;
      case "no-answer":
        return;
      case "hang":
      case "stall-mid-stream": {
        // Without streaming, Ollama sends nothing at all until the answer is complete.
        if (body.stream === false) return;
        const afterContent = behaviour.kind === "hang" ? "Hel" : behaviour.afterContent;
        response.writeHead(200, ndjson);
        response.write(
          splitText(afterContent, 8)
            .map((piece) => line(chunkLine(body.model, piece)))
            .join(""),
        );
        return;
      }
      case "error-mid-stream": {
        // Without streaming, a failure during generation is the whole response: a 500 error body.
        if (body.stream === false) return send(response, 500, json, { error: behaviour.error });
        const lines = splitText(behaviour.afterContent, 8).map((piece) => line(chunkLine(body.model, piece)));
        response.writeHead(200, ndjson);
        response.write(lines.join("") + line({ error: behaviour.error }));
        response.end();
        return;
      }
      case "reply": {
        if (behaviour.delayMs) await sleep(behaviour.delayMs);
        if (behaviour.until) await behaviour.until;
        if (response.destroyed) return;
        if (body.stream === false) return send(response, 200, json, wholeReply(body, behaviour.reply));
        response.writeHead(200, ndjson);
        const lines = replyLines(body, behaviour.reply).map(line);
        if (!behaviour.chunkDelayMs) {
          // One write keeps the fake cheap; the body is still chunked, as Ollama's is.
          response.write(lines.join(""));
        } else {
          for (const text of lines) {
            if (response.destroyed) return;
            response.write(text);
            await sleep(behaviour.chunkDelayMs);
          }
        }
        if (!response.destroyed) response.end();
        return;
      }
    }
  };

  /** `/api/generate` with a model and no prompt loads it (keep_alive 0 unloads it), as Ollama does. */
  const handleGenerate = async (response: ServerResponse, body: Record<string, unknown>) => {
    if (!findModel(body.model))
      return send(response, 404, json, {
        error: `model "${String(body.model)}" not found, try pulling it first`,
      });
    const model = withTag(String(body.model));
    if (body.keep_alive === 0 || body.keep_alive === "0") {
      fake.loaded = fake.loaded.filter((name) => withTag(name) !== model);
      return send(response, 200, json, {
        model: body.model,
        created_at: new Date().toISOString(),
        response: "",
        done: true,
        done_reason: "unload",
      });
    }
    if (scheduler) await scheduler.ensureLoaded(model);
    else if (!fake.loaded.some((name) => withTag(name) === model)) fake.loaded.push(String(body.model));
    const numCtx = (body.options as { num_ctx?: unknown } | undefined)?.num_ctx;
    if (typeof numCtx === "number") loadedContext.set(model, numCtx);
    send(response, 200, json, {
      model: body.model,
      created_at: new Date().toISOString(),
      response: "",
      done: true,
      done_reason: "load",
    });
  };

  /** `/api/pull` streams progress lines for two layers, then "success"; the model is installed after. */
  const handlePull = async (response: ServerResponse, body: Record<string, unknown>) => {
    const name = String(body.model ?? body.name ?? "");
    if (name === "" || name.includes("missing"))
      return send(
        response,
        200,
        ndjson,
        `${JSON.stringify({ error: "pull model manifest: file does not exist" })}\n`,
      );
    response.writeHead(200, ndjson);
    const layers = [
      { digest: `sha256:${"6a0746a1ec1a".padEnd(64, "0")}`, total: 4_000 },
      { digest: `sha256:${"4cd576d9aa16".padEnd(64, "0")}`, total: 1_000 },
    ];
    response.write(line({ status: "pulling manifest" }));
    for (const layer of layers) {
      for (const completed of [0, layer.total / 2, layer.total]) {
        response.write(line({ status: `pulling ${layer.digest.slice(7, 19)}`, ...layer, completed }));
        await sleep(1);
      }
    }
    for (const status of ["verifying sha256 digest", "writing manifest", "success"])
      response.write(line({ status }));
    if (!findModel(name)) fake.models.push({ name: withTag(name) });
    response.end();
  };

  const server = createServer((request, response) => {
    if (fake.down) {
      response.socket?.destroy();
      return;
    }
    void readBody(request)
      .then(async (text) => {
        const path = (request.url ?? "/").split("?")[0] ?? "/";
        let body: unknown;
        if (text.length > 0) {
          try {
            body = JSON.parse(text);
          } catch {
            return send(response, 400, json, { error: "invalid character in request body" });
          }
        }
        if (record)
          fake.requests.push({ method: request.method ?? "GET", path, headers: request.headers, body });
        const route = `${request.method} ${path}`;
        const fields = (body ?? {}) as Record<string, unknown>;
        switch (route) {
          case "GET /":
          case "HEAD /":
            return send(response, 200, { "content-type": "text/plain; charset=utf-8" }, "Ollama is running");
          case "GET /api/version":
            return send(response, 200, json, { version: "0.12.6" });
          case "GET /api/tags":
            return send(response, 200, json, { models: fake.models.map(describeModel) });
          case "GET /api/ps":
            return send(response, 200, json, {
              models: loadedModels(fake.models, fake.loaded, loadedContext),
            });
          case "POST /api/show": {
            const model = findModel(fields.model ?? fields.name);
            if (!model)
              return send(response, 404, json, { error: `model '${String(fields.model)}' not found` });
            return send(response, 200, json, showModel(model));
          }
          case "POST /api/chat":
            return handleChat(response, fields);
          case "POST /api/generate":
            return handleGenerate(response, fields);
          case "POST /api/pull":
            return handlePull(response, fields);
          default:
            return send(response, 404, { "content-type": "text/plain" }, "404 page not found");
        }
      })
      .catch((error: unknown) => send(response, 500, json, { error: String(error) }));
  });
  // A deep accept queue: a benchmark's hundreds of clients connecting at once are queued, not
  // dropped (Node's default of 511 drops the rest, and a dropped SYN is retried only after 1 s).
  await new Promise<void>((resolve) =>
    server.listen({ port: 0, host: "127.0.0.1", backlog: 4_096 }, resolve),
  );
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

function send(
  response: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: unknown,
): void {
  if (response.destroyed) return;
  response.writeHead(status, headers);
  response.end(typeof body === "string" ? body : JSON.stringify(body));
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", () => resolve(""));
  });
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
