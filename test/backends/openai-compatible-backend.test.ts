/**
 * The OpenAI-compatible back end over real loopback HTTP: the behaviour every back end shares
 * (backend-behaviour-suite.ts) against the fake OpenRouter, then what is this protocol's own — SSE
 * comment lines, usage with cost, reasoning and tool-call fragments, OpenRouter's error bodies and
 * its error under HTTP 200, a key that must never be repeated, plain generic servers, and the fake
 * itself as the official `openai` client sees it.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { BackendCall } from "../../src/backends/backend.js";
import {
  OpenAICompatibleBackend,
  type OpenAICompatibleBackendOptions,
} from "../../src/backends/openai-compatible/openai-compatible-backend.js";
import { fetchKeyInfo, fetchModels } from "../../src/backends/openai-compatible/openrouter-api.js";
import { SwitchyardError } from "../../src/errors/switchyard-error.js";
import { type ChatEvent, type ChatRequest, collectChatEvents } from "../../src/protocol/chat-types.js";
import {
  type FakeOpenRouter,
  type FakeOpenRouterBehaviour,
  startFakeOpenRouter,
} from "../fakes/fake-openrouter.js";
import { type BackendFixture, describeBackendBehaviour, type Scene } from "./backend-behaviour-suite.js";

const API_KEY = "sk-or-v1-test-secret-0123456789";
const SONNET = "anthropic/claude-sonnet-4.5";

let fake: FakeOpenRouter;
let backend: OpenAICompatibleBackend;

describeBackendBehaviour(
  "OpenAI-compatible against the fake OpenRouter",
  async (): Promise<BackendFixture> => {
    const fake = await startFakeOpenRouter({ apiKey: API_KEY });
    const behaviour = (scene: Scene): FakeOpenRouterBehaviour => {
      switch (scene.kind) {
        case "reply":
          return { kind: "reply", reply: { content: scene.content }, until: scene.until };
        case "rich-reply":
          return {
            kind: "reply",
            reply: {
              reasoning: "Think first.",
              content: "Hello there, friend!",
              toolCalls: [{ name: "read_file", arguments: '{"path":"src/index.ts"}' }],
              promptTokens: 12,
              completionTokens: 9,
              cost: 0.000321,
            },
          };
        case "status":
          return {
            kind: "status",
            status: scene.status,
            body: { error: { code: scene.status, message: scene.message } },
            headers: scene.headers,
          };
        case "error-mid-stream":
          return { kind: "error-mid-stream", afterContent: scene.afterContent, message: scene.message };
        default:
          return scene;
      }
    };
    const options = (
      overrides: Partial<OpenAICompatibleBackendOptions> = {},
    ): OpenAICompatibleBackendOptions => ({
      id: "openrouter",
      baseUrl: fake.baseUrl,
      apiKey: API_KEY,
      ...overrides,
    });
    return {
      fake,
      id: "openrouter",
      model: SONNET,
      backend: (overrides) => new OpenAICompatibleBackend(options(overrides)),
      backendAt: (origin) => new OpenAICompatibleBackend(options({ baseUrl: `${origin}/api/v1` })),
      enqueue: (...scenes) => fake.enqueue(...scenes.map(behaviour)),
      chatRequests: () => fake.requests.filter((request) => request.path === "/api/v1/chat/completions"),
      richAnswer: {
        reasoning: "Think first.",
        text: "Hello there, friend!",
        toolCalls: [{ name: "read_file", arguments: '{"path":"src/index.ts"}' }],
        usage: { inputTokens: 12, outputTokens: 9, costUsd: 0.000321 },
      },
      wholeAnswerBody: { usage: { include: true } },
      // OpenRouter has already answered 200 when generation fails; the body's error code is the status.
      wholeAnswerFailureStatus: 502,
      wording: {
        status: (status, upstreamMessage) =>
          `Back end "openrouter" (${new URL(fake.url).host}) answered HTTP ${status}: ${upstreamMessage}`,
        refused: /could not be reached \(ECONNREFUSED/,
        closedBeforeAnswer: /closed the connection before answering/,
        silentMidStream: /went silent mid-stream/,
      },
      secret: API_KEY,
    };
  },
);

function makeBackend(overrides: Partial<OpenAICompatibleBackendOptions> = {}): OpenAICompatibleBackend {
  return new OpenAICompatibleBackend({
    id: "openrouter",
    baseUrl: fake.baseUrl,
    apiKey: API_KEY,
    headers: { "HTTP-Referer": "https://switchyard.dev", "X-Title": "Switchyard" },
    ...overrides,
  });
}

function call(overrides: Partial<BackendCall> = {}, request: Partial<ChatRequest> = {}): BackendCall {
  return {
    request: {
      model: "cloud-sonnet",
      messages: [{ role: "user", content: "Say hello" }],
      stream: true,
      ...request,
    },
    model: SONNET,
    options: {},
    signal: new AbortController().signal,
    ...overrides,
  };
}

async function chatError(promise: Promise<unknown>): Promise<SwitchyardError> {
  try {
    const events = await promise;
    if (events && typeof events === "object" && Symbol.asyncIterator in events) {
      await collectChatEvents(events as AsyncIterable<ChatEvent>);
    }
  } catch (error) {
    expect(error).toBeInstanceOf(SwitchyardError);
    expect((error as SwitchyardError).message).not.toContain(API_KEY);
    return error as SwitchyardError;
  }
  throw new Error("expected the call to fail");
}

/**
 * A plain server that answers its nth request with `bodies[n]` — SSE when the body is `data:`
 * frames, JSON otherwise — and keeps the request bodies it received.
 */
async function scriptedServer(bodies: readonly string[]) {
  const received: unknown[] = [];
  const server = createServer((request, response) => {
    let text = "";
    request.on("data", (chunk) => {
      text += chunk;
    });
    request.on("end", () => {
      received.push(JSON.parse(text));
      const body = bodies[received.length - 1] ?? "";
      response.writeHead(200, {
        "content-type": body.startsWith("data:") ? "text/event-stream" : "application/json",
      });
      response.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port, received };
}

beforeAll(async () => {
  fake = await startFakeOpenRouter({ apiKey: API_KEY });
  backend = makeBackend();
});
afterEach(() => {
  fake.requests.length = 0;
});
afterAll(async () => {
  await backend.close();
  await fake.close();
});

describe("OpenAICompatibleBackend against the fake OpenRouter", () => {
  it("streams text through comment lines and captures usage with cost", async () => {
    const result = await collectChatEvents(await backend.chat(call()));
    expect(result.text).toBe(`Hello from ${SONNET}`);
    expect(result.finishReason).toBe("stop");
    expect(result.model).toBe(SONNET);
    expect(result.id).toMatch(/^gen-/);
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    const expectedCost = (result.usage.inputTokens * 3 + result.usage.outputTokens * 15) / 1_000_000;
    expect(result.usage.costUsd).toBeCloseTo(expectedCost, 12);
  });

  it("sends the bearer key, attribution and per-model headers, and a streaming body for a streaming caller", async () => {
    await collectChatEvents(
      await backend.chat(call({ options: { headers: { "anthropic-beta": "context-1m" } } })),
    );
    const received = fake.requests[0];
    expect(received?.path).toBe("/api/v1/chat/completions");
    expect(received?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(received?.headers["http-referer"]).toBe("https://switchyard.dev");
    expect(received?.headers["x-title"]).toBe("Switchyard");
    expect(received?.headers["anthropic-beta"]).toBe("context-1m");
    expect(received?.body).toMatchObject({ model: SONNET, stream: true, usage: { include: true } });
  });

  it("emits usage before finish and leaves costUsd out when the upstream omits cost", async () => {
    fake.enqueue({
      kind: "reply",
      reply: { content: "ok", cost: null, promptTokens: 3, completionTokens: 1 },
    });
    const events: ChatEvent[] = [];
    for await (const event of await backend.chat(call())) events.push(event);
    expect(events.slice(-2)).toEqual([
      { type: "usage", usage: { inputTokens: 3, outputTokens: 1, reasoningTokens: 0 } },
      { type: "finish", reason: "stop" },
    ]);
  });

  it("streams reasoning separately from the answer", async () => {
    fake.enqueue({ kind: "reply", reply: { reasoning: "Think: 2+2 is 4.", content: "4", chunkSize: 3 } });
    const result = await collectChatEvents(await backend.chat(call({}, { reasoning: { enabled: true } })));
    expect(result.reasoning).toBe("Think: 2+2 is 4.");
    expect(result.text).toBe("4");
    expect(fake.requests[0]?.body).toMatchObject({ reasoning: { enabled: true } });
  });

  it("reassembles tool calls streamed in fragments", async () => {
    const toolCalls = [
      { name: "read_file", arguments: '{"path":"src/index.ts"}' },
      { name: "grep", arguments: '{"pattern":"TODO","glob":"**/*.ts"}' },
    ];
    fake.enqueue({ kind: "reply", reply: { toolCalls, chunkSize: 4 } });
    const result = await collectChatEvents(await backend.chat(call()));
    expect(result.finishReason).toBe("tool-calls");
    expect(result.toolCalls.map(({ name, arguments: args }) => ({ name, arguments: args }))).toEqual(
      toolCalls,
    );
    expect(result.toolCalls.every((toolCall) => toolCall.id.startsWith("toolu_"))).toBe(true);
  });

  it.each([
    [400, { error: { code: 400, message: "temperature must be at most 2" } }, "upstream-invalid-request"],
    [
      400,
      { error: { code: 400, message: "This endpoint's maximum context length is 200000 tokens" } },
      "context-too-long",
    ],
    [402, undefined, "upstream-payment-required"],
    [403, undefined, "upstream-authentication"],
    [408, undefined, "upstream-timeout"],
    [500, undefined, "upstream-error"],
    [502, undefined, "upstream-error"],
    [503, undefined, "upstream-busy"],
  ] as const)("maps HTTP %i to %s", async (status, body, code) => {
    fake.enqueue({ kind: "status", status, ...(body ? { body } : {}) });
    const error = await chatError(backend.chat(call()));
    expect(error.code).toBe(code);
    expect(error.backend).toBe("openrouter");
    expect(error.upstreamStatus).toBe(status);
    expect(error.message).toContain("openrouter");
    expect(error.message).toContain(new URL(fake.url).host);
  });

  it("names the remedy for 402", async () => {
    fake.enqueue({ kind: "status", status: 402 });
    expect((await chatError(backend.chat(call()))).message).toMatch(/out of credits or over the key's limit/);
  });

  it("reports a refused key without ever repeating it, even when the upstream echoes it", async () => {
    const wrongKey = makeBackend({ apiKey: "sk-or-v1-wrong-key-abcdef" });
    const refused = await chatError(wrongKey.chat(call()));
    expect(refused.code).toBe("upstream-authentication");
    expect(refused.message).toMatch(/OPENROUTER_API_KEY/);
    expect(refused.message).not.toContain("sk-or-v1-wrong-key-abcdef");
    await wrongKey.close();

    fake.enqueue({
      kind: "status",
      status: 401,
      body: { error: { code: 401, message: `Invalid key ${API_KEY}` } },
    });
    const echoed = await chatError(backend.chat(call()));
    expect(echoed.message).toContain("[redacted]");
  });
});

describe("OpenAICompatibleBackend against a plain generic server", () => {
  it("reads \\r\\n-framed streams, and calls a stream without finish or [DONE] broken off", async () => {
    const bodies = [
      'data: {"id":"c1","model":"qwen","choices":[{"delta":{"content":"hi"},"finish_reason":null}]}\r\n\r\n' +
        'data: {"choices":[{"delta":{},"finish_reason":"stop"}]}\r\n\r\n' +
        'data: {"choices":[],"usage":{"prompt_tokens":2,"completion_tokens":1}}\r\n\r\ndata: [DONE]\r\n\r\n',
      'data: {"choices":[{"delta":{"content":"cut"},"finish_reason":null}]}\n\n',
    ];
    const { server, port, received } = await scriptedServer(bodies);
    const generic = new OpenAICompatibleBackend({
      id: "vllm",
      baseUrl: `http://127.0.0.1:${port}/v1`,
      flavor: "generic",
    });
    try {
      const result = await collectChatEvents(await generic.chat(call({ model: "qwen" })));
      expect(result).toMatchObject({
        text: "hi",
        finishReason: "stop",
        usage: { inputTokens: 2, outputTokens: 1 },
      });
      expect(received[0]).toMatchObject({ stream: true, stream_options: { include_usage: true } });
      const broken = await chatError(generic.chat(call({ model: "qwen" })));
      expect(broken.code).toBe("upstream-error");
      expect(broken.message).toMatch(/ended the stream early/);
    } finally {
      await generic.close();
      server.close();
    }
  });
});

describe("the fake OpenRouter, seen through the official openai client", () => {
  it("streams a completion the SDK understands, usage and cost included", async () => {
    const client = new OpenAI({ baseURL: fake.baseUrl, apiKey: API_KEY, maxRetries: 0 });
    fake.enqueue({ kind: "reply", reply: { content: "Streaming through the real SDK.", chunkSize: 5 } });
    const stream = await client.chat.completions.create({
      model: SONNET,
      messages: [{ role: "user", content: "hi" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let finishReason: string | null | undefined;
    let usage: (OpenAI.CompletionUsage & { cost?: number }) | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe("Streaming through the real SDK.");
    expect(finishReason).toBe("stop");
    expect(usage?.cost).toBeGreaterThan(0);

    const completion = await client.chat.completions.create({
      model: SONNET,
      messages: [{ role: "user", content: "hi" }],
    });
    expect(completion.choices[0]?.message.content).toBe(`Hello from ${SONNET}`);
  });

  it("serves /models and /key in OpenRouter's shapes, read by the typed helpers", async () => {
    const models = await fetchModels({ baseUrl: fake.baseUrl });
    expect(models.find((model) => model.id === SONNET)).toEqual({
      id: SONNET,
      name: SONNET,
      promptUsdPerToken: 0.000003,
      completionUsdPerToken: 0.000015,
      contextLength: 200_000,
      maxCompletionTokens: 64_000,
    });
    fake.keyInfo.limit = 50;
    fake.keyInfo.limitRemaining = 12.5;
    fake.keyInfo.usage = 37.5;
    expect(await fetchKeyInfo({ baseUrl: fake.baseUrl, apiKey: API_KEY })).toMatchObject({
      limitUsd: 50,
      limitRemainingUsd: 12.5,
      usageUsd: 37.5,
    });
    const refused = await fetchKeyInfo({ baseUrl: fake.baseUrl, apiKey: "sk-or-v1-nope" }).catch(
      (error) => error,
    );
    expect(refused).toMatchObject({ code: "upstream-authentication" });
  });
});

describe("a caller that does not stream", () => {
  const whole = (request: Partial<ChatRequest> = {}, overrides: Partial<BackendCall> = {}) =>
    call(overrides, { stream: false, ...request });

  it("refuses a completion larger than its limit instead of holding it, and reads a stream sent anyway", async () => {
    const content = "x".repeat(4_096);
    const bodies = [
      JSON.stringify({ id: "c1", choices: [{ message: { content }, finish_reason: "stop" }] }),
      'data: {"id":"c2","choices":[{"delta":{"content":"streamed anyway"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n',
    ];
    const { server, port, received } = await scriptedServer(bodies);
    const generic = new OpenAICompatibleBackend({
      id: "vllm",
      baseUrl: `http://127.0.0.1:${port}/v1`,
      flavor: "generic",
      answerLimitBytes: 1_024,
    });
    try {
      const tooLarge = await chatError(generic.chat(whole({}, { model: "qwen" })));
      expect(tooLarge.code).toBe("upstream-error");
      expect(tooLarge.message).toContain("larger than 1 KiB");
      expect(received[0]).toMatchObject({ stream: false });
      expect(received[0]).not.toHaveProperty("stream_options");
      expect((await collectChatEvents(await generic.chat(whole({}, { model: "qwen" })))).text).toBe(
        "streamed anyway",
      );
    } finally {
      await generic.close();
      server.close();
    }
  });
});
