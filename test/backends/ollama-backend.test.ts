/** The Ollama back end over real loopback HTTP against the protocol-faithful fake. */
import { createServer } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { BackendCall, ModelOptions } from "../../src/backends/backend.js";
import { OllamaBackend } from "../../src/backends/ollama/ollama-backend.js";
import { SwitchyardError } from "../../src/errors/switchyard-error.js";
import { type ChatEvent, type ChatRequest, collectChatEvents } from "../../src/protocol/chat-types.js";
import { type FakeOllama, startFakeOllama } from "../fakes/fake-ollama.js";

const model = "qwen2.5-coder:32b";
let fake: FakeOllama;
let backend: OllamaBackend;

beforeEach(async () => {
  fake = await startFakeOllama();
  backend = new OllamaBackend({ id: "engine", baseUrl: fake.url, headers: { "x-proxy-token": "secret" } });
});

afterEach(async () => {
  await backend.close();
  await fake.close();
});

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

  it("throws upstream-error from the iterator for an error line mid-stream", async () => {
    fake.enqueue({
      kind: "error-mid-stream",
      afterContent: "Partial answ",
      error: "llama runner process has terminated",
    });
    const events: ChatEvent[] = [];
    const error = await rejection(drain(await backend.chat(call()), events));
    expect(error.code).toBe("upstream-error");
    expect(error.backend).toBe("engine");
    expect(error.message).toContain("llama runner process has terminated");
    expect(
      events
        .filter((event) => event.type === "text-delta")
        .map((event) => event.text)
        .join(""),
    ).toBe("Partial answ");
  });

  it("rejects chat() with upstream-busy on 503, keeping Retry-After", async () => {
    fake.enqueue({
      kind: "status",
      status: 503,
      body: { error: "server busy" },
      headers: { "retry-after": "3" },
    });
    const error = await rejection(backend.chat(call()));
    expect(error).toMatchObject({
      code: "upstream-busy",
      backend: "engine",
      upstreamStatus: 503,
      retryAfterSeconds: 3,
    });
    expect(error.message).toContain(`Ollama back end "engine" at ${fake.url} answered 503: server busy`);
    expect(error.retryable).toBe(true);
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

  it("rejects with upstream-unreachable when nothing listens, or the socket is destroyed", async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, "127.0.0.1", () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const nowhere = new OllamaBackend({ id: "engine", baseUrl: `http://127.0.0.1:${closedPort}` });
    const refused = await rejection(nowhere.chat(call()));
    expect(refused).toMatchObject({ code: "upstream-unreachable", backend: "engine" });
    expect(refused.message).toContain("ECONNREFUSED");
    await nowhere.close();

    fake.enqueue({ kind: "destroy" });
    const destroyed = await rejection(backend.chat(call()));
    expect(destroyed.code).toBe("upstream-unreachable");
    expect(destroyed.message).toContain("closed the connection before answering");
  });

  it("aborts the upstream request when the caller goes away mid-stream", async () => {
    fake.enqueue({ kind: "hang" });
    const controller = new AbortController();
    const iterator = (await backend.chat(call({}, {}, controller.signal)))[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toEqual({ type: "response-metadata", model });
    expect((await iterator.next()).value).toEqual({ type: "text-delta", text: "Hel" });
    const pending = iterator.next();
    controller.abort();
    expect((await rejection(pending)).code).toBe("aborted");
    await fake.waitForAborts(1);
  });

  it("rejects chat() with aborted when the caller goes away before the first byte", async () => {
    fake.enqueue({ kind: "reply", reply: { content: "late" }, delayMs: 2_000 });
    const controller = new AbortController();
    const pending = backend.chat(call({}, {}, controller.signal));
    setTimeout(() => controller.abort(), 50);
    expect((await rejection(pending)).code).toBe("aborted");
    await fake.waitForAborts(1);
  });

  it("times out with upstream-timeout when the first byte is too slow", async () => {
    const impatient = new OllamaBackend({ id: "engine", baseUrl: fake.url, firstByteTimeoutMs: 100 });
    fake.enqueue({ kind: "reply", reply: { content: "late" }, delayMs: 1_000 });
    expect((await rejection(impatient.chat(call()))).code).toBe("upstream-timeout");
    await impatient.close();
  });

  it("closes the connection when the consumer stops early", async () => {
    fake.enqueue({ kind: "hang" });
    for await (const event of await backend.chat(call())) {
      if (event.type === "text-delta") break;
    }
    await fake.waitForAborts(1);
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

describe("a caller that does not stream", () => {
  const whole = (request: Partial<ChatRequest> = {}, signal?: AbortSignal) =>
    call({ stream: false, ...request }, {}, signal);

  it("asks Ollama for one JSON object and answers exactly what the stream would have", async () => {
    const reply = {
      thinking: "Greet back.",
      content: "Hello there, friend!",
      thinkInContent: true,
      toolCalls: [{ name: "read_file", arguments: { path: "src/a.ts" } }],
      promptEvalCount: 26,
      evalCount: 4,
    };
    fake.enqueue({ kind: "reply", reply });
    const streamed = await collectChatEvents(await backend.chat(call()));
    fake.enqueue({ kind: "reply", reply });
    const events = await drain(await backend.chat(whole()));
    expect(chatBody(1).stream).toBe(false);
    expect(fake.requests.filter((request) => request.path === "/api/chat")[1]?.headers.accept).toBe(
      "application/json",
    );
    const result = await collectChatEvents(
      (async function* () {
        yield* events;
      })(),
    );
    const { toolCalls: streamedCalls, ...streamedRest } = streamed;
    const { toolCalls, ...rest } = result;
    expect(rest).toEqual(streamedRest);
    expect(result.reasoning).toBe("Greet back.");
    expect(result.text).toBe("Hello there, friend!");
    expect(toolCalls.map(({ name, arguments: args }) => ({ name, args }))).toEqual(
      streamedCalls.map(({ name, arguments: args }) => ({ name, args })),
    );
    expect(events.filter((event) => event.type === "text-delta")).toHaveLength(1);
  });

  it("a failure during generation is Ollama's 500 error body: retryable, before any byte", async () => {
    fake.enqueue({
      kind: "error-mid-stream",
      afterContent: "Partial",
      error: "llama runner process has terminated",
    });
    const error = await rejection(backend.chat(whole()));
    expect(error.code).toBe("upstream-error");
    expect(error.retryable).toBe(true);
    expect(error.message).toContain("llama runner process has terminated");
  });

  it("waits for the whole answer up to answer_timeout_ms, not first_byte_timeout_ms", async () => {
    const bounded = new OllamaBackend({
      id: "engine",
      baseUrl: fake.url,
      firstByteTimeoutMs: 50,
      answerTimeoutMs: 150,
    });
    fake.enqueue({ kind: "reply", reply: { content: "in time" }, delayMs: 100 });
    expect((await collectChatEvents(await bounded.chat(whole()))).text).toBe("in time");
    fake.enqueue({ kind: "reply", reply: { content: "late" }, delayMs: 1_000 });
    const error = await rejection(bounded.chat(whole()));
    expect(error.code).toBe("upstream-timeout");
    expect(error.message).toContain("did not finish its answer in time");
    expect(error.message).toContain("backends.engine.answer_timeout_ms");
    await bounded.close();
  });

  it("aborts the upstream request when the caller goes away while the answer is generated", async () => {
    fake.enqueue({ kind: "hang" });
    const controller = new AbortController();
    const pending = backend.chat(whole({}, controller.signal));
    setTimeout(() => controller.abort(), 50);
    expect((await rejection(pending)).code).toBe("aborted");
    await fake.waitForAborts(1);
  });
});
