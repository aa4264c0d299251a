/**
 * The Anthropic front door end to end: the official `@anthropic-ai/sdk` client → Switchyard on
 * loopback → fake Ollama / fake OpenRouter, with the ledger in a real SQLite file. Text, streams,
 * tool-use round trips, thinking, images, stop sequences, count_tokens, the models list and the
 * Claude model mapping.
 */
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../helpers/switchyard-harness.js";

let harness: Harness;
let client: Anthropic;

beforeAll(async () => {
  harness = await startHarness();
  client = new Anthropic({ baseURL: harness.url, apiKey: "unused", maxRetries: 0 });
});
afterAll(() => harness.close());
afterEach(() => {
  harness.ollama.enqueue();
});

const readFileTool: Anthropic.Tool = {
  name: "read_file",
  description: "Read a file",
  input_schema: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
};

/** A 1×1 transparent PNG. */
const pixelPng =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

function lastOllamaBody() {
  return harness.ollama.requests.at(-1)?.body as {
    model: string;
    messages: Array<{ role: string; content: string; images?: string[]; tool_call_id?: string }>;
    options?: { stop?: string[]; num_predict?: number };
    think?: boolean;
  };
}

describe("messages", () => {
  it("answers plain text with the model the caller named and Switchyard's route headers", async () => {
    const { data, response } = await client.messages
      .create({ model: "local-coder", max_tokens: 100, messages: [{ role: "user", content: "hi" }] })
      .withResponse();
    expect(data).toMatchObject({
      type: "message",
      role: "assistant",
      model: "local-coder",
      content: [{ type: "text", text: "Hello from qwen2.5-coder:32b" }],
      stop_reason: "end_turn",
    });
    expect(data.id).toMatch(/^msg_01/);
    expect(data.usage.output_tokens).toBeGreaterThan(0);
    expect(response.headers.get("x-switchyard-alias")).toBe("local-coder");
    expect(lastOllamaBody().options?.num_predict).toBe(100);
    const [row] = await harness.ledgerRows();
    expect(row).toMatchObject({ frontDoor: "anthropic", alias: "local-coder", status: "ok", stream: false });
  });

  it("streams text: the SDK assembles the final message", async () => {
    harness.ollama.enqueue({ kind: "reply", reply: { content: "one two three four five", chunkSize: 3 } });
    const stream = client.messages.stream({
      model: "local-coder",
      max_tokens: 100,
      messages: [{ role: "user", content: "count" }],
    });
    const deltas: string[] = [];
    stream.on("text", (text) => deltas.push(text));
    const message = await stream.finalMessage();
    expect(message.content).toMatchObject([{ type: "text", text: "one two three four five" }]);
    expect(deltas.length).toBeGreaterThan(3);
    expect(message.stop_reason).toBe("end_turn");
    expect(message.usage.output_tokens).toBeGreaterThan(0);
  });

  it("accepts Claude Code's ?beta=true and its anthropic-beta header", async () => {
    const response = await fetch(`${harness.url}/v1/messages?beta=true`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "anthropic-version": "2023-06-01",
        "anthropic-beta": "claude-code-20250219,interleaved-thinking-2025-05-14",
      },
      body: JSON.stringify({
        model: "local-coder",
        max_tokens: 10,
        messages: [{ role: "user", content: "hi" }],
      }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { content: unknown[] }).content).toHaveLength(1);
  });

  it("round-trips a tool call, not streamed: tool_use → tool_result → answer", async () => {
    harness.ollama.enqueue({
      kind: "reply",
      reply: { toolCalls: [{ name: "read_file", arguments: { path: "src/a.ts" } }] },
    });
    const first = await client.messages.create({
      model: "local-coder",
      max_tokens: 200,
      tools: [readFileTool],
      messages: [{ role: "user", content: "open src/a.ts" }],
    });
    expect(first.stop_reason).toBe("tool_use");
    const toolUse = first.content.find((block) => block.type === "tool_use");
    expect(toolUse).toMatchObject({ name: "read_file", input: { path: "src/a.ts" } });

    harness.ollama.enqueue({ kind: "reply", reply: { content: "It exports a." } });
    const final = await client.messages.create({
      model: "local-coder",
      max_tokens: 200,
      tools: [readFileTool],
      messages: [
        { role: "user", content: "open src/a.ts" },
        { role: "assistant", content: first.content },
        {
          role: "user",
          content: [{ type: "tool_result", tool_use_id: toolUse!.id, content: "export const a = 1;" }],
        },
      ],
    });
    expect(final.content).toEqual([{ type: "text", text: "It exports a." }]);
    expect(lastOllamaBody().messages.at(-1)).toMatchObject({ role: "tool", content: "export const a = 1;" });
  });

  it("round-trips a tool call, streamed", async () => {
    harness.ollama.enqueue({
      kind: "reply",
      reply: { content: "Let me look.", toolCalls: [{ name: "read_file", arguments: { path: "b.ts" } }] },
    });
    const first = await client.messages
      .stream({
        model: "local-coder",
        max_tokens: 200,
        tools: [readFileTool],
        messages: [{ role: "user", content: "open b.ts" }],
      })
      .finalMessage();
    expect(first.stop_reason).toBe("tool_use");
    expect(first.content.map((block) => block.type)).toEqual(["text", "tool_use"]);
    const toolUse = first.content[1] as Anthropic.ToolUseBlock;
    expect(toolUse.input).toEqual({ path: "b.ts" });

    harness.ollama.enqueue({ kind: "reply", reply: { content: "b.ts is empty." } });
    const final = await client.messages
      .stream({
        model: "local-coder",
        max_tokens: 200,
        tools: [readFileTool],
        messages: [
          { role: "user", content: "open b.ts" },
          { role: "assistant", content: first.content },
          { role: "user", content: [{ type: "tool_result", tool_use_id: toolUse.id, content: "" }] },
        ],
      })
      .finalMessage();
    expect(final.content).toMatchObject([{ type: "text", text: "b.ts is empty." }]);
  });

  it("returns a reasoning model's thinking as a thinking block, streamed and not", async () => {
    harness.ollama.enqueue({ kind: "reply", reply: { thinking: "Six times seven.", content: "42" } });
    const whole = await client.messages.create({
      model: "local-reasoner",
      max_tokens: 500,
      thinking: { type: "enabled", budget_tokens: 200 },
      messages: [{ role: "user", content: "6×7?" }],
    });
    expect(whole.content).toEqual([
      { type: "thinking", thinking: "Six times seven.", signature: "" },
      { type: "text", text: "42" },
    ]);
    expect(lastOllamaBody().think).toBe(true);

    harness.ollama.enqueue({
      kind: "reply",
      reply: { thinking: "Old style.", thinkInContent: true, content: "43" },
    });
    const streamed = await client.messages
      .stream({ model: "local-reasoner", max_tokens: 500, messages: [{ role: "user", content: "?" }] })
      .finalMessage();
    expect(streamed.content).toMatchObject([
      { type: "thinking", thinking: "Old style." },
      { type: "text", text: "43" },
    ]);
  });

  it("adaptive thinking leaves thinking to the alias: off for the coder, on for the reasoner", async () => {
    const request = {
      max_tokens: 500,
      thinking: { type: "adaptive" },
      messages: [{ role: "user" as const, content: "?" }],
    } as unknown as Anthropic.MessageCreateParamsNonStreaming;
    await client.messages.create({ ...request, model: "local-coder" });
    expect(lastOllamaBody().think).toBeUndefined();
    await client.messages.create({ ...request, model: "local-reasoner" });
    expect(lastOllamaBody().think).toBe(true);
  });

  it("passes a base64 image to Ollama as images", async () => {
    await client.messages.create({
      model: "local-coder",
      max_tokens: 50,
      messages: [
        {
          role: "user",
          content: [
            { type: "image", source: { type: "base64", media_type: "image/png", data: pixelPng } },
            { type: "text", text: "What is this?" },
          ],
        },
      ],
    });
    expect(lastOllamaBody().messages.at(-1)).toMatchObject({
      role: "user",
      content: "What is this?",
      images: [pixelPng],
    });
  });

  it("forwards stop_sequences to both back ends", async () => {
    const local = await client.messages.create({
      model: "local-coder",
      max_tokens: 50,
      stop_sequences: ["END", "\n\n"],
      messages: [{ role: "user", content: "go" }],
    });
    expect(lastOllamaBody().options?.stop).toEqual(["END", "\n\n"]);
    // Neither back end says which sequence stopped it, so the honest stop reason is end_turn.
    expect(local.stop_reason).toBe("end_turn");
    await client.messages.create({
      model: "cloud-sonnet",
      max_tokens: 50,
      stop_sequences: ["END"],
      messages: [{ role: "user", content: "go" }],
    });
    expect((harness.openRouter.requests.at(-1)!.body as { stop?: string[] }).stop).toEqual(["END"]);
  });
});

describe("count_tokens and models", () => {
  it("counts input tokens", async () => {
    const short = await client.messages.countTokens({
      model: "claude-sonnet-4-5",
      messages: [{ role: "user", content: "hi" }],
    });
    const long = await client.messages.countTokens({
      model: "claude-sonnet-4-5",
      system: "You are a careful reviewer.",
      tools: [readFileTool],
      messages: [{ role: "user", content: "Review this change to the pager, line by line. ".repeat(40) }],
    });
    expect(short.input_tokens).toBeGreaterThan(0);
    expect(long.input_tokens).toBeGreaterThan(short.input_tokens + 400);
  });

  it("lists the Claude names and the switchyard names in Anthropic's shape", async () => {
    const models: Anthropic.ModelInfo[] = [];
    for await (const model of client.models.list()) models.push(model);
    const ids = models.map((model) => model.id);
    expect(ids.slice(0, 3)).toEqual(["claude-opus-4-6", "claude-sonnet-4-5", "claude-haiku-4-5"]);
    expect(ids).toEqual(expect.arrayContaining(["switchyard/auto", "switchyard/tier1", "cloud-opus"]));
    expect(models[0]).toMatchObject({ type: "model", display_name: "Opus via Switchyard (classify)" });
    expect(Number.isNaN(Date.parse(models[0]!.created_at))).toBe(false);

    const openAiShape = (await (await fetch(`${harness.url}/v1/models`)).json()) as { object: string };
    expect(openAiShape.object).toBe("list");
  });
});

describe("Claude Code's model names", () => {
  const commitPrompt =
    "Write a commit message for this diff:\ndiff --git a/x.ts b/x.ts\n+export const a = 1;";

  it("a haiku name goes to tier 1", async () => {
    const { response } = await client.messages
      .create({
        model: "claude-3-5-haiku-20241022",
        max_tokens: 50,
        messages: [{ role: "user", content: "Summarise: the pager skips the last line." }],
      })
      .withResponse();
    expect(response.headers.get("x-switchyard-tier")).toBe("1");
    const [row] = await harness.ledgerRows();
    expect(row).toMatchObject({ tier: 1, selector: "tier", frontDoor: "anthropic" });
  });

  it('a commit message asked of "sonnet" runs on local-coder', async () => {
    const { data, response } = await client.messages
      .create({
        model: "claude-sonnet-4-6",
        max_tokens: 50,
        messages: [{ role: "user", content: commitPrompt }],
      })
      .withResponse();
    expect(response.headers.get("x-switchyard-task")).toBe("commit-message");
    expect(response.headers.get("x-switchyard-alias")).toBe("local-coder");
    expect(data.model).toBe("claude-sonnet-4-6");
  });

  it("Claude Code's background work under the opus name goes to tier 1", async () => {
    const { response } = await client.messages
      .create({
        model: "claude-opus-4-6",
        max_tokens: 1,
        messages: [{ role: "user", content: "quota" }],
      })
      .withResponse();
    expect(response.headers.get("x-switchyard-tier")).toBe("1");
  });

  it("opus pinned by config", async () => {
    const pinned = await startHarness({ configYaml: "claude_code:\n  opus: cloud-opus\n" });
    try {
      const pinnedClient = new Anthropic({ baseURL: pinned.url, apiKey: "unused", maxRetries: 0 });
      const { data, response } = await pinnedClient.messages
        .create({
          model: "claude-opus-4-6",
          max_tokens: 50,
          messages: [{ role: "user", content: commitPrompt }],
        })
        .withResponse();
      expect(response.headers.get("x-switchyard-alias")).toBe("cloud-opus");
      expect(response.headers.get("x-switchyard-task")).toBe("commit-message");
      expect(data.content).toEqual([{ type: "text", text: "Hello from anthropic/claude-opus-4.6" }]);
    } finally {
      await pinned.close();
    }
  });
});
