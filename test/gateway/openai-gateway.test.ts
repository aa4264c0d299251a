/**
 * The OpenAI front door end to end: the official `openai` client → Switchyard on loopback → fake
 * Ollama / fake OpenRouter, with the ledger in a real SQLite file.
 */
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../helpers/switchyard-harness.js";

let harness: Harness;
let client: OpenAI;

beforeAll(async () => {
  harness = await startHarness();
  client = new OpenAI({ baseURL: `${harness.url}/v1`, apiKey: "unused", maxRetries: 0 });
});
afterAll(() => harness.close());
afterEach(() => {
  harness.ollama.enqueue();
});

describe("routing by each selector", () => {
  it("auto: the classifier picks the task and the answer comes from its first rung", async () => {
    const { data, response } = await client.chat.completions
      .create({
        model: "switchyard/auto",
        messages: [
          {
            role: "user",
            content: "Write a commit message for this diff:\ndiff --git a/x.ts b/x.ts\n+export const a = 1;",
          },
        ],
      })
      .withResponse();
    expect(response.headers.get("x-switchyard-task")).toBe("commit-message");
    expect(response.headers.get("x-switchyard-tier")).toBe("1");
    expect(response.headers.get("x-switchyard-model")).toBe("qwen2.5-coder:32b");
    expect(response.headers.get("x-switchyard-selector")).toBe("classifier");
    expect(data.choices[0]?.message.content).toBe("Hello from qwen2.5-coder:32b");
    expect(data.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("a model that names a task kind goes to that task's ladder", async () => {
    const { data, response } = await client.chat.completions
      .create({ model: "switchyard/code-review", messages: [{ role: "user", content: "hi" }] })
      .withResponse();
    expect(response.headers.get("x-switchyard-task")).toBe("code-review");
    expect(response.headers.get("x-switchyard-tier")).toBe("2");
    expect(data.choices[0]?.message.content).toBe("Hello from anthropic/claude-sonnet-4.5");
  });

  it("a tier, an alias and a concrete model pin the model; the task is still recorded", async () => {
    const tier = await client.chat.completions
      .create({ model: "switchyard/tier3", messages: [{ role: "user", content: "hi" }] })
      .withResponse();
    expect(tier.response.headers.get("x-switchyard-model")).toBe("anthropic/claude-opus-4.6");
    expect(tier.response.headers.get("x-switchyard-selector")).toBe("tier");

    const alias = await client.chat.completions
      .create({
        model: "local-reasoner",
        messages: [{ role: "user", content: "Add unit tests for parseDate()" }],
      })
      .withResponse();
    expect(alias.response.headers.get("x-switchyard-model")).toBe("deepseek-r1:32b");
    expect(alias.response.headers.get("x-switchyard-task")).toBe("test-generation");

    const concrete = await client.chat.completions
      .create({ model: "qwen2.5-coder:32b", messages: [{ role: "user", content: "hi" }] })
      .withResponse();
    expect(concrete.response.headers.get("x-switchyard-alias")).toBe("local-coder");
    expect(concrete.response.headers.get("x-switchyard-selector")).toBe("concrete-model");
  });

  it("the x-switchyard-task header chooses the task for auto", async () => {
    const { response } = await client.chat.completions
      .create(
        { model: "auto", messages: [{ role: "user", content: "hello" }] },
        { headers: { "x-switchyard-task": "architecture" } },
      )
      .withResponse();
    expect(response.headers.get("x-switchyard-task")).toBe("architecture");
    expect(response.headers.get("x-switchyard-model")).toBe("anthropic/claude-opus-4.6");
  });

  it("an unknown model is a 404 listing the valid names", async () => {
    const error = await client.chat.completions
      .create({ model: "gpt-9", messages: [{ role: "user", content: "hi" }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    const apiError = error as InstanceType<typeof OpenAI.NotFoundError>;
    expect(apiError.message).toContain('Unknown model "gpt-9"');
    expect(apiError.message).toContain("switchyard/code-review");
    expect(apiError.message).toContain("local-coder");
  });

  it("GET /v1/models lists virtual, alias and concrete models", async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model.id);
    expect(models).toEqual(
      expect.arrayContaining([
        "switchyard/auto",
        "switchyard/architecture",
        "switchyard/tier1",
        "cloud-opus",
        "qwen2.5-coder:32b",
        "anthropic/claude-sonnet-4.5",
      ]),
    );
    expect(models.filter((id) => id.startsWith("switchyard/")).length).toBe(1 + 15 + 3);
  });
});

describe("streaming, tools and reasoning", () => {
  it("streams text and reports usage when asked", async () => {
    harness.ollama.enqueue({
      kind: "reply",
      reply: { content: "one two three four five six", chunkSize: 4 },
    });
    const stream = await client.chat.completions.create({
      model: "local-coder",
      messages: [{ role: "user", content: "count" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let usage: OpenAI.CompletionUsage | undefined;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe("one two three four five six");
    expect(chunks).toBeGreaterThan(3);
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("passes tools through and returns tool calls, streamed and not", async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      {
        type: "function",
        function: {
          name: "read_file",
          description: "Read a file",
          parameters: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
        },
      },
    ];
    harness.ollama.enqueue({
      kind: "reply",
      reply: { toolCalls: [{ name: "read_file", arguments: { path: "src/a.ts" } }] },
    });
    const first = await client.chat.completions.create({
      model: "local-coder",
      messages: [{ role: "user", content: "open src/a.ts" }],
      tools,
    });
    const call = first.choices[0]?.message.tool_calls?.[0];
    expect(first.choices[0]?.finish_reason).toBe("tool_calls");
    expect(call?.type === "function" && call.function.name).toBe("read_file");
    expect(call?.type === "function" && JSON.parse(call.function.arguments)).toEqual({ path: "src/a.ts" });
    const sentTools = (harness.ollama.requests.at(-1)!.body as { tools: unknown[] }).tools;
    expect(sentTools).toHaveLength(1);

    harness.ollama.enqueue({ kind: "reply", reply: { content: "The file exports a." } });
    const stream = client.chat.completions.stream({
      model: "local-coder",
      tools,
      messages: [
        { role: "user", content: "open src/a.ts" },
        { role: "assistant", content: null, tool_calls: first.choices[0]!.message.tool_calls! },
        { role: "tool", tool_call_id: call!.id, content: "export const a = 1;" },
      ],
    });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]?.message.content).toBe("The file exports a.");
    const lastBody = harness.ollama.requests.at(-1)?.body as {
      messages: Array<{ role: string; content: string }>;
    };
    expect(lastBody.messages.at(-1)).toMatchObject({ role: "tool", content: "export const a = 1;" });

    harness.ollama.enqueue({
      kind: "reply",
      reply: { toolCalls: [{ name: "read_file", arguments: { path: "b.ts" } }] },
    });
    const streamed = client.chat.completions.stream({
      model: "local-coder",
      tools,
      messages: [{ role: "user", content: "open b.ts" }],
    });
    const streamedFinal = await streamed.finalChatCompletion();
    const streamedCall = streamedFinal.choices[0]?.message.tool_calls?.[0];
    expect(streamedCall?.type === "function" && streamedCall.function.arguments).toBe('{"path":"b.ts"}');
  });

  it("returns reasoning as reasoning_content, separate from the answer", async () => {
    harness.ollama.enqueue({ kind: "reply", reply: { thinking: "Let me think.", content: "42" } });
    const answer = await client.chat.completions.create({
      model: "local-reasoner",
      messages: [{ role: "user", content: "?" }],
    });
    const message = answer.choices[0]?.message as OpenAI.ChatCompletionMessage & {
      reasoning_content?: string;
    };
    expect(message.content).toBe("42");
    expect(message.reasoning_content).toBe("Let me think.");

    harness.ollama.enqueue({
      kind: "reply",
      reply: { thinking: "Old style.", thinkInContent: true, content: "43" },
    });
    const stream = await client.chat.completions.create({
      model: "local-reasoner",
      messages: [{ role: "user", content: "?" }],
      stream: true,
    });
    let reasoning = "";
    let text = "";
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as { content?: string; reasoning_content?: string } | undefined;
      reasoning += delta?.reasoning_content ?? "";
      text += delta?.content ?? "";
    }
    expect(reasoning).toBe("Old style.");
    expect(text).toBe("43");
  });

  it("a mid-stream upstream error reaches the client as an error", async () => {
    harness.ollama.enqueue({
      kind: "error-mid-stream",
      afterContent: "partial",
      error: "model runner crashed",
    });
    const stream = await client.chat.completions.create({
      model: "local-coder",
      messages: [{ role: "user", content: "x" }],
      stream: true,
    });
    const consume = async () => {
      for await (const _chunk of stream) {
        // drain
      }
    };
    await expect(consume()).rejects.toThrow(/model runner crashed/);
    const rows = await harness.ledgerRows();
    expect(rows[0]).toMatchObject({ status: "error", errorCode: "upstream-error" });
  });
});

describe("fallback up the ladder before the first byte", () => {
  it.each([
    [
      "Ollama 503 busy",
      {
        kind: "status",
        status: 503,
        body: { error: "server busy, please try again.  maximum pending requests exceeded" },
      },
      "upstream-busy",
    ],
    ["a dropped connection", { kind: "destroy" }, "upstream-unreachable"],
    [
      "a 500",
      { kind: "status", status: 500, body: { error: "llama runner process has terminated" } },
      "upstream-error",
    ],
  ] as const)("%s moves local-coder → cloud-sonnet and says so", async (_name, behaviour, code) => {
    harness.ollama.enqueue(behaviour);
    const { data, response } = await client.chat.completions
      .create({
        model: "switchyard/code-generation",
        messages: [{ role: "user", content: "write a function" }],
      })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe("Hello from anthropic/claude-sonnet-4.5");
    expect(response.headers.get("x-switchyard-fallback")).toBe("local-coder->cloud-sonnet");
    expect(response.headers.get("x-switchyard-fallback-reason")).toContain(code);
    expect(response.headers.get("x-switchyard-tier")).toBe("2");
    const [row] = await harness.ledgerRows();
    expect(row).toMatchObject({ status: "ok", alias: "cloud-sonnet", task: "code-generation" });
    expect(row?.fallbackHops).toEqual([
      expect.objectContaining({ fromAlias: "local-coder", toAlias: "cloud-sonnet" }),
    ]);
  });

  it("a 429 on Sonnet moves to Opus; at the top of the ladder the upstream status is kept", async () => {
    harness.openRouter.enqueue({
      kind: "status",
      status: 429,
      headers: { "retry-after": "7" },
      body: { error: { code: 429, message: "Rate limit exceeded" } },
    });
    const { response } = await client.chat.completions
      .create({ model: "switchyard/gap-analysis", messages: [{ role: "user", content: "x" }] })
      .withResponse();
    expect(response.headers.get("x-switchyard-model")).toBe("anthropic/claude-opus-4.6");

    // A 402 (credits, key limit) is not retried on Opus with the same key: it goes local and says so.
    harness.openRouter.enqueue({
      kind: "status",
      status: 402,
      body: { error: { code: 402, message: "Insufficient credits" } },
    });
    const downgraded = await client.chat.completions
      .create({ model: "switchyard/gap-analysis", messages: [{ role: "user", content: "x" }] })
      .withResponse();
    expect(downgraded.response.headers.get("x-switchyard-downgraded")).toBe("cloud-sonnet->local-reasoner");
    expect(downgraded.data.choices[0]?.message.content).toBe("Hello from deepseek-r1:32b");
  });

  it("with on_exhausted: reject, an OpenRouter 402 reaches the caller as a 402 that names the back end", async () => {
    const rejecting = await startHarness({ configYaml: "budget:\n  on_exhausted: reject\n" });
    try {
      rejecting.openRouter.enqueue({
        kind: "status",
        status: 402,
        body: { error: { code: 402, message: "Insufficient credits" } },
      });
      const error = await new OpenAI({
        baseURL: `${rejecting.url}/v1`,
        apiKey: "unused",
        maxRetries: 0,
      }).chat.completions
        .create({ model: "switchyard/architecture", messages: [{ role: "user", content: "x" }] })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.APIError);
      const apiError = error as InstanceType<typeof OpenAI.APIError>;
      expect(apiError.status).toBe(402);
      expect(apiError.message).toContain("openrouter");
      expect(JSON.stringify(apiError.error)).not.toContain("sk-or-test");
    } finally {
      await rejecting.close();
    }
  });

  it("a streaming request falls back too, before anything is sent", async () => {
    harness.ollama.enqueue({ kind: "status", status: 503, body: { error: "server busy" } });
    const { data: stream, response } = await client.chat.completions
      .create({ model: "local-coder", messages: [{ role: "user", content: "x" }], stream: true })
      .withResponse();
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("Hello from anthropic/claude-sonnet-4.5");
    expect(response.headers.get("x-switchyard-fallback")).toBe("local-coder->cloud-sonnet");
  });
});

describe("client disconnect", () => {
  it("aborts the upstream request and records the request as aborted", async () => {
    harness.ollama.enqueue({ kind: "hang" });
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: "local-coder", messages: [{ role: "user", content: "x" }], stream: true },
      { signal: controller.signal },
    );
    const before = harness.ollama.abortedCount();
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    controller.abort();
    await harness.ollama.waitForAborts(before + 1, 5_000);
    await expect.poll(async () => (await harness.ledgerRows())[0]?.status).toBe("aborted");
  });
});

describe("the ledger", () => {
  it("records task, tier, alias, model, tokens, cost and timings", async () => {
    await client.chat.completions.create({
      model: "switchyard/decision-gate",
      messages: [{ role: "user", content: "ship it?" }],
    });
    const [row] = await harness.ledgerRows();
    expect(row).toMatchObject({
      frontDoor: "openai",
      task: "decision-gate",
      tier: 2,
      alias: "cloud-sonnet",
      model: "anthropic/claude-sonnet-4.5",
      backend: "openrouter",
      status: "ok",
    });
    expect(row?.inputTokens).toBeGreaterThan(0);
    expect(row?.costUsd).toBeGreaterThan(0);
    expect(row?.ttftMs).toBeGreaterThanOrEqual(0);
    expect(row?.latencyMs).toBeGreaterThanOrEqual(row?.ttftMs ?? 0);
  });
});
