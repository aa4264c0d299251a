/**
 * What HTTP adds to the ladder: official clients → Switchyard → fake Ollama and fake OpenRouter,
 * and the x-switchyard-escalation-* headers, request ids and stream renderings each door sends.
 * The ladder's own behaviour (feedback, hop limits, verdicts, checks) is tested on the spine
 * (test/core/spine-escalation.test.ts).
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../helpers/switchyard-harness.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const clientFor = (running: Harness) =>
  new OpenAI({ baseURL: `${running.url}/v1`, apiKey: "unused", maxRetries: 0 });
const codeRequest = {
  model: "switchyard/code-generation",
  messages: [{ role: "user" as const, content: "Write add(a, b) in TypeScript" }],
};

// biome-ignore lint/suspicious/noExplicitAny: request bodies are whatever the client sent
const chatBodies = (running: Harness): any[] =>
  running.openRouter.requests
    .filter((request) => request.path.endsWith("/chat/completions"))
    .map((request) => request.body);

async function settledRows(running: Harness) {
  await running.runtime.switchyard.idle();
  return (await running.ledgerRows()).sort((a, b) => a.attempt - b.attempt);
}

describe("climbing the ladder", () => {
  it("an escalated answer names every step in its headers, and its id is the answering attempt's", async () => {
    harness = await startHarness();
    harness.ollama.enqueue({ kind: "reply", reply: { content: "   " } });
    harness.openRouter.enqueue({ kind: "reply", reply: { content: "I can't help with that." } });
    const { data, response } = await clientFor(harness).chat.completions.create(codeRequest).withResponse();

    expect(data.choices[0]?.message.content).toBe("Hello from anthropic/claude-opus-4.6");
    expect(response.headers.get("x-switchyard-escalations")).toBe("2");
    expect(response.headers.get("x-switchyard-escalation-path")).toBe(
      "local-coder->cloud-sonnet->cloud-opus",
    );
    expect(response.headers.get("x-switchyard-gate")).toBe("pass");
    expect(response.headers.get("x-switchyard-alias")).toBe("cloud-opus");

    const rows = await settledRows(harness);
    expect(rows.map((row) => [row.alias, row.attempt, row.gateVerdict])).toEqual([
      ["local-coder", 1, "fail"],
      ["cloud-sonnet", 2, "fail"],
      ["cloud-opus", 3, "pass"],
    ]);
    expect(response.headers.get("x-switchyard-request-id")).toBe(rows[2]?.id);
  });

  it("stops at the budget mid-ladder and returns the best answer so far, with a note", async () => {
    harness = await startHarness({ configYaml: "budget:\n  aliases:\n    cloud-opus: 0\n" });
    harness.ollama.enqueue({
      kind: "reply",
      reply: { content: "export function add(a: number, b: number) {\n  return a +", doneReason: "length" },
    });
    harness.openRouter.enqueue({
      kind: "reply",
      reply: { content: "I'm sorry, but I can't help with that." },
    });
    const { data, response } = await clientFor(harness).chat.completions.create(codeRequest).withResponse();

    // The cut-off local answer holds more of the work than Sonnet's refusal.
    expect(data.choices[0]?.message.content).toContain("export function add");
    expect(response.headers.get("x-switchyard-escalation-stopped")).toBe("budget");
    expect(response.headers.get("x-switchyard-escalation-note")).toContain("cloud-opus ceiling $0.00");
    expect(response.headers.get("x-switchyard-gate")).toBe("fail");
    expect(response.headers.get("x-switchyard-escalations")).toBe("1");
    expect(response.headers.get("x-switchyard-alias")).toBe("local-coder");
    expect(chatBodies(harness)).toHaveLength(1);
    const rows = await settledRows(harness);
    expect(rows.map((row) => [row.alias, row.attempt, row.status, row.budgetAction])).toEqual([
      ["local-coder", 1, "ok", null],
      ["cloud-sonnet", 2, "ok", null],
      ["cloud-opus", 3, "error", "rejected"],
    ]);
  });
});

describe("streams", () => {
  it("buffered: collected, gated and escalated, then the final answer is streamed", async () => {
    harness = await startHarness({ configYaml: "escalation:\n  buffer_streams: true\n" });
    harness.ollama.enqueue({ kind: "reply", reply: { content: "" } });
    const { data: stream, response } = await clientFor(harness)
      .chat.completions.create({ ...codeRequest, stream: true, stream_options: { include_usage: true } })
      .withResponse();
    let text = "";
    let usage: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      usage ??= chunk.usage ?? undefined;
    }
    expect(text).toBe("Hello from anthropic/claude-sonnet-4.5");
    expect(usage).toBeDefined();
    expect(response.headers.get("x-switchyard-escalation-path")).toBe("local-coder->cloud-sonnet");
  });
});

describe("caller-named checks (x-switchyard-check)", () => {
  it("are refused unless the config allows them", async () => {
    harness = await startHarness();
    const error = await clientFor(harness)
      .chat.completions.create(codeRequest, { headers: { "x-switchyard-check": "true" } })
      .catch((caught: unknown) => caught);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(400);
    expect((error as Error).message).toContain("escalation.allow_check_header");
  });
});

describe("the Anthropic front door", () => {
  it("escalates non-streaming /v1/messages the same way", async () => {
    harness = await startHarness();
    harness.ollama.enqueue({ kind: "reply", reply: { content: "" } });
    const client = new Anthropic({ baseURL: harness.url, apiKey: "unused", maxRetries: 0 });
    const { data, response } = await client.messages
      .create(
        {
          model: "claude-opus-4-6",
          max_tokens: 1024,
          messages: [{ role: "user", content: "Write add(a, b)" }],
        },
        { headers: { "x-switchyard-task": "code-generation" } },
      )
      .withResponse();
    expect(data.content[0]).toMatchObject({ type: "text", text: "Hello from anthropic/claude-sonnet-4.5" });
    expect(response.headers.get("x-switchyard-escalation-path")).toBe("local-coder->cloud-sonnet");
  });

  it("buffers, gates and escalates a streamed /v1/messages when configured", async () => {
    harness = await startHarness({ configYaml: "escalation:\n  buffer_streams: true\n" });
    harness.ollama.enqueue({ kind: "reply", reply: { content: "I can't help with that." } });
    const client = new Anthropic({ baseURL: harness.url, apiKey: "unused", maxRetries: 0 });
    const message = await client.messages
      .stream(
        {
          model: "claude-opus-4-6",
          max_tokens: 1024,
          messages: [{ role: "user", content: "Write add(a, b)" }],
        },
        { headers: { "x-switchyard-task": "code-generation" } },
      )
      .finalMessage();
    expect(message.content[0]).toMatchObject({
      type: "text",
      text: "Hello from anthropic/claude-sonnet-4.5",
    });
    const rows = await settledRows(harness);
    expect(rows.map((row) => [row.alias, row.gateVerdict, row.frontDoor])).toEqual([
      ["local-coder", "fail", "anthropic"],
      ["cloud-sonnet", "pass", "anthropic"],
    ]);
  });
});
