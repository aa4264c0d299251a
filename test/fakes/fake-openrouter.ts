/**
 * A fake OpenRouter on loopback that speaks the real wire formats: SSE chat completions with
 * `: OPENROUTER PROCESSING` keep-alive comments, a final usage chunk with `cost`, `data: [DONE]`,
 * OpenRouter error bodies and mid-stream error chunks, plus `GET /models` and `GET /key`. Tests
 * script it per request (`enqueue`) or per body (`setDefault`); with zero delays and recording
 * off it serves thousands of requests a second, so benchmarks can use it too.
 */

import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  buildCompletion,
  buildErrorCompletion,
  buildErrorMidStreamFrames,
  buildPartialFrames,
  buildStreamFrames,
  errorBody,
  estimateTokens,
  keyBody,
  modelsBody,
} from "./fake-openrouter-wire.js";
import { RequestCounter } from "./request-counter.js";

export interface FakeOpenRouterReply {
  content?: string;
  reasoning?: string;
  toolCalls?: Array<{ name: string; arguments: string }>;
  /** Characters per streamed delta; default 8. */
  chunkSize?: number;
  finishReason?: "stop" | "length" | "tool_calls";
  promptTokens?: number;
  completionTokens?: number;
  /** USD; default tokens × catalog price; null leaves `cost` out of usage. */
  cost?: number | null;
  /** `: OPENROUTER PROCESSING` before the first data and once mid-stream; default true. */
  commentLines?: boolean;
  /** Pause between streamed frames, to let tests act mid-stream; default 0 (one write). */
  chunkDelayMs?: number;
}

export type FakeOpenRouterBehaviour =
  /** `delayMs` waits before the headers; `until` holds them until it settles (a test's own event). */
  | { kind: "reply"; reply: FakeOpenRouterReply; delayMs?: number; until?: Promise<unknown> }
  | { kind: "status"; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: "error-mid-stream"; afterContent: string; code?: number; message: string }
  /** Nothing at all — no status, no headers — until the client goes away. */
  | { kind: "no-answer" }
  /** The same as `no-answer`. */
  | { kind: "hang" }
  /**
   * Streaming: the status, headers and the text so far, then nothing until the client goes away.
   * Without streaming, nothing at all.
   */
  | { kind: "stall-mid-stream"; afterContent: string }
  | { kind: "destroy" };

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface FakeOpenRouterModel {
  id: string;
  /** USD per million prompt tokens (served on /models as USD per token, a string). */
  promptPrice: number;
  /** USD per million completion tokens. */
  completionPrice: number;
  contextLength: number;
  maxCompletionTokens?: number;
  /** OpenRouter's `expiration_date`: when the model may be removed (YYYY-MM-DD); none by default. */
  expirationDate?: string | null;
}

export interface FakeOpenRouter {
  /** Origin, e.g. http://127.0.0.1:1234 */
  url: string;
  /** `${url}/api/v1` — what a client's baseURL should be. */
  baseUrl: string;
  requests: ReceivedRequest[];
  enqueue(...behaviours: FakeOpenRouterBehaviour[]): void;
  /** Used when the queue is empty. The built-in default answers "Hello from <model>" (400 for unknown models). */
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary request bodies
  setDefault(behaviour: FakeOpenRouterBehaviour | ((body: any) => FakeOpenRouterBehaviour)): void;
  models: FakeOpenRouterModel[];
  /** Served on /key; each priced reply adds its cost to `usage` and takes it off `limitRemaining`. */
  keyInfo: { limit: number | null; usage: number; limitRemaining: number | null };
  /**
   * What each generation was billed, as `GET /generation?id=` serves it: a stream the client cut
   * short is `cancelled` and billed for the frames it was sent.
   */
  generations: Map<string, FakeGeneration>;
  /** How many look-ups of a generation answer 404 before it is found (OpenRouter needs a moment). */
  generationLookupDelay: number;
  abortedCount(): number;
  waitForAborts(count: number, timeoutMs?: number): Promise<void>;
  /** Resolves when `count` chat completion requests have arrived. */
  waitForChatRequests(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface FakeGeneration {
  promptTokens: number;
  completionTokens: number;
  cost: number;
  cancelled: boolean;
  lookups: number;
}

export const DEFAULT_FAKE_MODELS: readonly FakeOpenRouterModel[] = [
  {
    id: "anthropic/claude-sonnet-4.5",
    promptPrice: 3,
    completionPrice: 15,
    contextLength: 200_000,
    maxCompletionTokens: 64_000,
  },
  // Anthropic's published Opus 4.6 price: $5 / $25 per million tokens.
  {
    id: "anthropic/claude-opus-4.6",
    promptPrice: 5,
    completionPrice: 25,
    contextLength: 200_000,
    maxCompletionTokens: 128_000,
  },
];

export async function startFakeOpenRouter(
  options: { apiKey?: string; recordRequests?: boolean } = {},
): Promise<FakeOpenRouter> {
  const queue: FakeOpenRouterBehaviour[] = [];
  const recordRequests = options.recordRequests ?? true;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary request bodies
  let defaultBehaviour: FakeOpenRouterBehaviour | ((body: any) => FakeOpenRouterBehaviour) = (body) => {
    const model = String(body?.model ?? "");
    if (!fake.models.some((entry) => entry.id === model)) {
      return {
        kind: "status",
        status: 400,
        body: { error: { code: 400, message: `${model} is not a valid model ID` } },
      };
    }
    return { kind: "reply", reply: { content: `Hello from ${model}` } };
  };
  const aborts = new RequestCounter("fake OpenRouter", "aborted requests");
  const chats = new RequestCounter("fake OpenRouter", "chat completion requests");
  let closing = false;

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent) response.destroy();
      else sendJson(response, 500, { error: { code: 500, message: `fake failed: ${String(error)}` } });
    });
  });
  server.keepAliveTimeout = 60_000;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? "/").split("?")[0] ?? "/";
    const bodyText = await readBody(request);
    let body: unknown;
    if (bodyText.length > 0) {
      try {
        body = JSON.parse(bodyText);
      } catch {
        body = bodyText;
      }
    }
    if (recordRequests)
      fake.requests.push({ method: request.method ?? "", path, headers: request.headers, body });

    if (request.method === "GET" && path === "/api/v1/models")
      return sendJson(response, 200, modelsBody(fake.models));
    const authError = checkAuthorization(request.headers.authorization);
    if (authError) return sendJson(response, 401, { error: { code: 401, message: authError } });
    if (request.method === "GET" && path === "/api/v1/key")
      return sendJson(response, 200, keyBody(fake.keyInfo));
    if (request.method === "GET" && path === "/api/v1/generation") return generation(request, response);
    if (request.method === "POST" && path === "/api/v1/chat/completions")
      return chat(request, response, body);
    sendJson(response, 404, { error: { code: 404, message: `Not found: ${request.method} ${path}` } });
  }

  function checkAuthorization(header: string | undefined): string | undefined {
    if (options.apiKey === undefined) return undefined;
    if (!header?.startsWith("Bearer ")) return "No auth credentials found";
    return header.slice("Bearer ".length) === options.apiKey ? undefined : "User not found.";
  }

  async function chat(request: IncomingMessage, response: ServerResponse, body: unknown): Promise<void> {
    // biome-ignore lint/suspicious/noExplicitAny: the body is whatever the client sent
    const chatBody = body as any;
    chats.record();
    if (typeof chatBody !== "object" || chatBody === null || !Array.isArray(chatBody.messages)) {
      return sendJson(response, 400, {
        error: { code: 400, message: 'Input required: specify "prompt" or "messages"' },
      });
    }
    const behaviour =
      queue.shift() ??
      (typeof defaultBehaviour === "function" ? defaultBehaviour(chatBody) : defaultBehaviour);
    let destroyedByUs = false;
    response.on("close", () => {
      if (response.writableFinished || destroyedByUs || closing) return;
      aborts.record();
    });
    const model = String(chatBody.model ?? "openrouter/auto");
    const stream = chatBody.stream === true;
    switch (behaviour.kind) {
      case "hang":
      case "no-answer":
        return; // never answers; the client's timeout or abort ends it
      case "stall-mid-stream":
        if (!stream) return;
        startStream(response);
        response.write(buildPartialFrames(generationId(), model, behaviour.afterContent).join(""));
        return;
      case "destroy":
        destroyedByUs = true;
        request.socket.destroy();
        return;
      case "status":
        return sendJson(
          response,
          behaviour.status,
          behaviour.body ?? errorBody(behaviour.status),
          behaviour.headers,
        );
      case "error-mid-stream": {
        if (!stream) return sendJson(response, 200, buildErrorCompletion(generationId(), model, behaviour));
        startStream(response);
        const frames = buildErrorMidStreamFrames(generationId(), model, behaviour);
        response.end(frames.join(""));
        return;
      }
      case "reply": {
        if (behaviour.delayMs) await sleep(behaviour.delayMs);
        if (behaviour.until) await behaviour.until;
        if (response.destroyed) return;
        const reply = behaviour.reply;
        const promptTokens = reply.promptTokens ?? estimateTokens(JSON.stringify(chatBody.messages));
        const completionTokens =
          reply.completionTokens ??
          estimateTokens(
            (reply.content ?? "") +
              (reply.reasoning ?? "") +
              (reply.toolCalls ? JSON.stringify(reply.toolCalls) : ""),
          );
        const cost =
          reply.cost === null ? undefined : (reply.cost ?? priceOf(model, promptTokens, completionTokens));
        if (cost !== undefined) {
          fake.keyInfo.usage += cost;
          if (fake.keyInfo.limitRemaining !== null) fake.keyInfo.limitRemaining -= cost;
        }
        const usage = { promptTokens, completionTokens, cost };
        const id = generationId();
        const billed: FakeGeneration = {
          promptTokens,
          completionTokens,
          cost: cost ?? 0,
          cancelled: false,
          lookups: 0,
        };
        fake.generations.set(id, billed);
        if (!stream) return sendJson(response, 200, buildCompletion(id, model, reply, usage));
        startStream(response, id);
        const frames = buildStreamFrames(id, model, reply, usage);
        if (!reply.chunkDelayMs) {
          response.end(frames.join(""));
          return;
        }
        for (const [index, frame] of frames.entries()) {
          if (response.destroyed) {
            // Cut short: billed for the prompt and the part of the answer it was sent.
            billed.cancelled = true;
            billed.completionTokens = Math.round((completionTokens * index) / frames.length);
            billed.cost = priceOf(model, promptTokens, billed.completionTokens);
            return;
          }
          response.write(frame);
          await sleep(reply.chunkDelayMs);
        }
        if (!response.destroyed) response.end();
        return;
      }
    }
  }

  function generation(request: IncomingMessage, response: ServerResponse): void {
    const id = new URL(request.url ?? "/", "http://fake").searchParams.get("id") ?? "";
    const found = fake.generations.get(id);
    if (found) found.lookups++;
    if (!found || found.lookups <= fake.generationLookupDelay) {
      sendJson(response, 404, { error: { code: 404, message: `Generation ${id} not found` } });
      return;
    }
    sendJson(response, 200, {
      data: {
        id,
        total_cost: found.cost,
        tokens_prompt: found.promptTokens,
        tokens_completion: found.completionTokens,
        native_tokens_prompt: found.promptTokens,
        native_tokens_completion: found.completionTokens,
        cancelled: found.cancelled,
        streamed: true,
      },
    });
  }

  function priceOf(model: string, promptTokens: number, completionTokens: number): number {
    const entry = fake.models.find((candidate) => candidate.id === model);
    if (!entry) return 0;
    return (promptTokens * entry.promptPrice + completionTokens * entry.completionPrice) / 1_000_000;
  }

  // A deep accept queue: a benchmark's hundreds of clients connecting at once are queued, not
  // dropped (Node's default of 511 drops the rest, and a dropped SYN is retried only after 1 s).
  await new Promise<void>((resolve) =>
    server.listen({ port: 0, host: "127.0.0.1", backlog: 4_096 }, resolve),
  );
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  const fake: FakeOpenRouter = {
    url,
    baseUrl: `${url}/api/v1`,
    requests: [],
    enqueue: (...behaviours) => {
      queue.push(...behaviours);
    },
    setDefault: (behaviour) => {
      defaultBehaviour = behaviour;
    },
    models: DEFAULT_FAKE_MODELS.map((model) => ({ ...model })),
    keyInfo: { limit: 100, usage: 0, limitRemaining: 100 },
    generations: new Map(),
    generationLookupDelay: 0,
    abortedCount: () => aborts.count(),
    waitForAborts: (count, timeoutMs) => aborts.waitFor(count, timeoutMs),
    waitForChatRequests: (count, timeoutMs) => chats.waitFor(count, timeoutMs),
    close: async () => {
      closing = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}

function startStream(response: ServerResponse, id?: string): void {
  response.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    ...(id ? { "x-generation-id": id } : {}),
  });
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...headers,
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  response.end(text);
}

function generationId(): string {
  return `gen-${Math.floor(Date.now() / 1000)}-${randomBytes(10).toString("base64url")}`;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
