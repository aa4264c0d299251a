/**
 * A fake Ollama server on loopback that speaks the real wire format: `/api/chat` streaming NDJSON
 * (chunked, `application/x-ndjson`, a final `done: true` line with nanosecond stats) or one JSON
 * object with `stream: false`, `{"error"}` bodies and mid-stream error lines, plus `/api/tags`,
 * `/api/ps`, `/api/show`, `/api/version` and `GET /`. Tests script it with behaviours; with no
 * delays it is cheap enough to serve a benchmark.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
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

export { defaultFakeOllamaModels, type FakeOllamaModel, type FakeOllamaReply };

export type FakeOllamaBehaviour =
  /** `delayMs` waits before the headers; `chunkDelayMs` between streamed lines. */
  | { kind: "reply"; reply: FakeOllamaReply; delayMs?: number; chunkDelayMs?: number }
  /** An error status; `body` defaults to Ollama's `{"error": …}`; a string body is sent as text. */
  | { kind: "status"; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: "error-mid-stream"; afterContent: string; error: string }
  /** Headers and one chunk, then nothing, until the client goes away. */
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
  /** Resolves when abortedCount() reaches n. */
  waitForAborts(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface FakeOllamaOptions {
  models?: FakeOllamaModel[];
  /** Default true; false skips recording requests (benchmarks). */
  recordRequests?: boolean;
}

type DefaultBehaviour = FakeOllamaBehaviour | ((body: Record<string, unknown>) => FakeOllamaBehaviour);
const ndjson = { "content-type": "application/x-ndjson" };
const json = { "content-type": "application/json; charset=utf-8" };

export async function startFakeOllama(options: FakeOllamaOptions = {}): Promise<FakeOllama> {
  const record = options.recordRequests ?? true;
  const queue: FakeOllamaBehaviour[] = [];
  const abortWaiters = new Set<() => void>();
  const destroyedOnPurpose = new WeakSet<ServerResponse>();
  let defaultBehaviour: DefaultBehaviour = (body) => ({
    kind: "reply",
    reply: { content: `Hello from ${String(body.model)}` },
  });
  let aborted = 0;

  const fake: FakeOllama = {
    url: "",
    requests: [],
    models: (options.models ?? defaultFakeOllamaModels).map((model) => ({ ...model })),
    loaded: [],
    enqueue: (...behaviours) => void queue.push(...behaviours),
    setDefault: (behaviour) => {
      defaultBehaviour = behaviour;
    },
    abortedCount: () => aborted,
    waitForAborts: (n, timeoutMs = 5_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (aborted < n) return;
          clearTimeout(timer);
          abortWaiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          abortWaiters.delete(check);
          reject(new Error(`fake Ollama saw ${aborted} aborted requests, not ${n}, within ${timeoutMs} ms`));
        }, timeoutMs);
        abortWaiters.add(check);
        check();
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const findModel = (name: unknown) =>
    typeof name === "string" ? fake.models.find((model) => withTag(model.name) === withTag(name)) : undefined;

  const handleChat = async (response: ServerResponse, body: Record<string, unknown>) => {
    if (typeof body.model !== "string" || body.model === "")
      return send(response, 400, json, { error: "model is required" });
    if (!findModel(body.model)) {
      return send(response, 404, json, { error: `model "${body.model}" not found, try pulling it first` });
    }
    response.on("close", () => {
      if (response.writableFinished || destroyedOnPurpose.has(response)) return;
      aborted++;
      for (const check of abortWaiters) check();
    });
    const behaviour =
      queue.shift() ?? (typeof defaultBehaviour === "function" ? defaultBehaviour(body) : defaultBehaviour);
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
      case "hang":
        response.writeHead(200, ndjson);
        response.write(line(chunkLine(body.model, "Hel")));
        return;
      case "error-mid-stream": {
        const lines = splitText(behaviour.afterContent, 8).map((piece) => line(chunkLine(body.model, piece)));
        response.writeHead(200, ndjson);
        response.write(lines.join("") + line({ error: behaviour.error }));
        response.end();
        return;
      }
      case "reply": {
        if (behaviour.delayMs) await sleep(behaviour.delayMs);
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

  const server = createServer((request, response) => {
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
            return send(response, 200, json, { models: loadedModels(fake.models, fake.loaded) });
          case "POST /api/show": {
            const model = findModel(fields.model ?? fields.name);
            if (!model)
              return send(response, 404, json, { error: `model '${String(fields.model)}' not found` });
            return send(response, 200, json, showModel(model));
          }
          case "POST /api/chat":
            return handleChat(response, fields);
          default:
            return send(response, 404, { "content-type": "text/plain" }, "404 page not found");
        }
      })
      .catch((error: unknown) => send(response, 500, json, { error: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
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
