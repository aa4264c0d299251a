/**
 * The Ollama back end over real loopback HTTP against the protocol-faithful fake: the behaviour
 * every back end shares (backend-behaviour-suite.ts), then what is Ollama's own — NDJSON stats,
 * `thinking` and `<think>`, tool arguments as objects, base64 images, its status errors.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { BackendCall, ModelOptions } from "../../src/backends/backend.js";
import { OllamaBackend } from "../../src/backends/ollama/ollama-backend.js";
import { SwitchyardError } from "../../src/errors/switchyard-error.js";
import { type ChatEvent, type ChatRequest, collectChatEvents } from "../../src/protocol/chat-types.js";
import { type FakeOllama, type FakeOllamaBehaviour, startFakeOllama } from "../fakes/fake-ollama.js";
import { type BackendFixture, describeBackendBehaviour, type Scene } from "./backend-behaviour-suite.js";

const model = "qwen2.5-coder:32b";

describeBackendBehaviour("Ollama against the fake Ollama", async (): Promise<BackendFixture> => {
  const fake = await startFakeOllama();
  const secret = "proxy-token-0123456789";
  const behaviour = (scene: Scene): FakeOllamaBehaviour => {
    switch (scene.kind) {
      case "reply":
        return { kind: "reply", reply: { content: scene.content }, until: scene.until };
      case "rich-reply":
        return {
          kind: "reply",
          reply: {
            thinking: "Greet back.",
            content: "Hello there, friend!",
            thinkInContent: true,
            toolCalls: [{ name: "read_file", arguments: { path: "src/a.ts" } }],
            promptEvalCount: 26,
            evalCount: 4,
          },
        };
      case "status":
        return {
          kind: "status",
          status: scene.status,
          body: { error: scene.message },
          headers: scene.headers,
        };
      case "error-mid-stream":
        return { kind: "error-mid-stream", afterContent: scene.afterContent, error: scene.message };
      default:
        return scene;
    }
  };
  const chats = () => fake.requests.filter((request) => request.path === "/api/chat");
  return {
    fake,
    id: "engine",
    model,
    backend: (options) =>
      new OllamaBackend({
        id: "engine",
        baseUrl: fake.url,
        headers: { "x-proxy-token": secret },
        ...options,
      }),
    backendAt: (origin) => new OllamaBackend({ id: "engine", baseUrl: origin }),
    enqueue: (...scenes) => fake.enqueue(...scenes.map(behaviour)),
    chatRequests: chats,
    richAnswer: {
      reasoning: "Greet back.",
      text: "Hello there, friend!",
      toolCalls: [{ name: "read_file", arguments: '{"path":"src/a.ts"}' }],
      usage: { inputTokens: 26, outputTokens: 4 },
    },
    wholeAnswerBody: {},
    // Ollama answers a failure during a generation it was not streaming with a 500 error body.
    wholeAnswerFailureStatus: 500,
    wording: {
      status: (status, upstreamMessage) =>
        `Ollama back end "engine" at ${fake.url} answered ${status}: ${upstreamMessage}`,
      refused: /cannot be reached \(ECONNREFUSED.*Is Ollama running there/,
      closedBeforeAnswer: /closed the connection before answering/,
      silentMidStream: /stopped sending in time/,
    },
    secret,
  };
});

let fake: FakeOllama;
let backend: OllamaBackend;

function call(
  request: Partial<ChatRequest> = {},
  options: ModelOptions = {},
  signal?: AbortSignal,
): BackendCall {
  return {
    request: { model: "local-coder", messages: [{ role: "user", content: "Hi" }], stream: true, ...request },
    model,
    options,
    signal: signal ?? new AbortController().signal,
  };
}

async function rejection(promise: Promise<unknown>): Promise<SwitchyardError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SwitchyardError);
    return error as SwitchyardError;
  }
  throw new Error("expected the promise to reject");
}

async function drain(events: AsyncIterable<ChatEvent>, into: ChatEvent[] = []): Promise<ChatEvent[]> {
  for await (const event of events) into.push(event);
  return into;
}

/** The body the fake received for the nth /api/chat call. */
function chatBody(index = 0): Record<string, unknown> {
  const requests = fake.requests.filter((request) => request.path === "/api/chat");
  return requests[index]?.body as Record<string, unknown>;
}

describe("OllamaBackend", () => {
  beforeEach(async () => {
    fake = await startFakeOllama();
    backend = new OllamaBackend({ id: "engine", baseUrl: fake.url, headers: { "x-proxy-token": "secret" } });
  });
  afterEach(async () => {
    await backend.close();
    await fake.close();
  });

  it("streams text in chunks, with metadata, usage from the final line and a finish", async () => {
    fake.enqueue({
      kind: "reply",
      reply: {
        content: "Hello there, friend!",
        chunkSize: 5,
        promptEvalCount: 26,
        evalCount: 4,
        loadDurationNs: 2e9,
      },
    });
    const events = await drain(await backend.chat(call()));
    expect(events.filter((event) => event.type === "text-delta").map((event) => event.text)).toEqual([
      "Hello",
      " ther",
      "e, fr",
      "iend!",
    ]);
    expect(events[0]).toEqual({ type: "response-metadata", model });
    expect(events.at(-2)).toEqual({
      type: "usage",
      // The fake generates at 25 ms per token and 2 ms per prompt token.
      usage: {
        inputTokens: 26,
        outputTokens: 4,
        loadMs: 2000,
        promptEvalMs: 52,
        evalMs: 100,
        tokensPerSecond: 40,
      },
    });
    expect(events.at(-1)).toEqual({ type: "finish", reason: "stop" });
    const request = fake.requests.find((received) => received.path === "/api/chat");
    expect(request?.headers["x-proxy-token"]).toBe("secret");
    expect(request?.headers["content-type"]).toBe("application/json");
  });

  it("answers the default reply and reports length as the finish reason", async () => {
    fake.enqueue({ kind: "reply", reply: { content: "cut sho", doneReason: "length" } });
    expect(await collectChatEvents(await backend.chat(call()))).toMatchObject({
      text: "cut sho",
      finishReason: "length",
    });
    const result = await collectChatEvents(await backend.chat(call()));
    expect(result.text).toBe(`Hello from ${model}`);
    expect(result.model).toBe(model);
  });

  it("sends format, options, keep_alive, think and per-model headers in the request", async () => {
    const schema = { type: "object", properties: { ok: { type: "boolean" } } };
    await drain(
      await backend.chat(
        call(
          {
            maxTokens: 64,
            temperature: 0,
            stop: ["END"],
            seed: 1,
            responseFormat: { type: "json-schema", schema },
          },
          { numCtx: 8192, keepAlive: -1, think: true, headers: { "x-model-header": "yes" } },
        ),
      ),
    );
    expect(chatBody()).toMatchObject({
      model,
      stream: true,
      format: schema,
      keep_alive: -1,
      think: true,
      options: { num_ctx: 8192, num_predict: 64, temperature: 0, stop: ["END"], seed: 1 },
    });
    expect(fake.requests.at(-1)?.headers["x-model-header"]).toBe("yes");
  });

  it("turns the thinking field into reasoning", async () => {
    fake.enqueue({ kind: "reply", reply: { thinking: "The user greets me.", content: "Hello!" } });
    const result = await collectChatEvents(await backend.chat(call({ reasoning: { enabled: true } })));
    expect(result).toMatchObject({ reasoning: "The user greets me.", text: "Hello!", finishReason: "stop" });
    expect(chatBody().think).toBe(true);
  });

  it("moves <think> inside content into reasoning, even when the tags straddle chunks", async () => {
    fake.enqueue({
      kind: "reply",
      reply: { thinking: "Greet back.", content: "Hello!", thinkInContent: true, chunkSize: 3 },
    });
    const result = await collectChatEvents(await backend.chat(call()));
    expect(result).toMatchObject({ reasoning: "Greet back.", text: "Hello!" });
  });

  it("round-trips tools: a call out, then its result in the next request", async () => {
    const tools = [{ name: "read_file", description: "Read a file", parameters: { type: "object" } }];
    fake.enqueue({
      kind: "reply",
      reply: { toolCalls: [{ name: "read_file", arguments: { path: "src/a.ts" } }] },
    });
    const first = await collectChatEvents(await backend.chat(call({ tools })));
    expect(first.finishReason).toBe("tool-calls");
    expect(first.toolCalls).toHaveLength(1);
    const toolCall = first.toolCalls[0]!;
    expect(toolCall).toMatchObject({ name: "read_file", arguments: '{"path":"src/a.ts"}' });
    expect(toolCall.id).toMatch(/^call_/);
    expect(chatBody(0).tools).toEqual([
      {
        type: "function",
        function: { name: "read_file", description: "Read a file", parameters: { type: "object" } },
      },
    ]);

    await drain(
      await backend.chat(
        call({
          tools,
          messages: [
            { role: "user", content: "Read src/a.ts" },
            { role: "assistant", content: null, toolCalls: first.toolCalls },
            { role: "tool", toolCallId: toolCall.id, content: "export const a = 1;" },
          ],
        }),
      ),
    );
    expect(chatBody(1).messages).toEqual([
      { role: "user", content: "Read src/a.ts" },
      {
        role: "assistant",
        content: "",
        tool_calls: [{ id: toolCall.id, function: { name: "read_file", arguments: { path: "src/a.ts" } } }],
      },
      { role: "tool", content: "export const a = 1;", tool_call_id: toolCall.id, tool_name: "read_file" },
    ]);
  });

  it("sends image parts as base64 and refuses image URLs before any request", async () => {
    const image = { type: "image" as const, data: "iVBORw0KGgo=", mediaType: "image/png" };
    await drain(
      await backend.chat(
        call({ messages: [{ role: "user", content: [{ type: "text", text: "What?" }, image] }] }),
      ),
    );
    expect(chatBody().messages).toEqual([{ role: "user", content: "What?", images: ["iVBORw0KGgo="] }]);

    const byUrl = call({
      messages: [{ role: "user", content: [{ type: "image", url: "http://example.com/a.png" }] }],
    });
    expect(await rejection(backend.chat(byUrl))).toMatchObject({
      code: "invalid-request",
      backend: "engine",
    });
    expect(fake.requests.filter((request) => request.path === "/api/chat")).toHaveLength(1);
  });

  it("maps 400 and other 5xx statuses, and tells the user to pull a missing model", async () => {
    fake.enqueue({ kind: "status", status: 400, body: { error: "invalid options" } });
    expect(await rejection(backend.chat(call()))).toMatchObject({
      code: "upstream-invalid-request",
      upstreamStatus: 400,
    });
    fake.enqueue({ kind: "status", status: 500, body: { error: "out of memory" } });
    const serverError = await rejection(backend.chat(call()));
    expect(serverError).toMatchObject({ code: "upstream-error", upstreamStatus: 500 });
    expect(serverError.message).toContain("out of memory");

    const missing = await rejection(backend.chat({ ...call(), model: "mistral:7b" }));
    expect(missing.code).toBe("upstream-invalid-request");
    expect(missing.message).toContain("`ollama pull mistral:7b`");
  });

  it("serves many concurrent requests over the keep-alive pool", async () => {
    const fast = await startFakeOllama({ recordRequests: false });
    const pooled = new OllamaBackend({ id: "engine", baseUrl: fast.url });
    const results = await Promise.all(
      Array.from({ length: 200 }, async () => collectChatEvents(await pooled.chat(call()))),
    );
    expect(
      results.every((result) => result.text === `Hello from ${model}` && result.finishReason === "stop"),
    ).toBe(true);
    expect(fast.requests).toHaveLength(0);
    await pooled.close();
    await fast.close();
  });
});
