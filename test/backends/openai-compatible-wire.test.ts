import { describe, expect, it } from "vitest";
import {
  convertStreamChunk,
  createStreamState,
  finishStream,
  toChatCompletionsBody,
} from "../../src/backends/openai-compatible/openai-compatible-wire.js";
import type { ChatEvent, ChatRequest } from "../../src/protocol/chat-types.js";

function chatRequest(overrides: Partial<ChatRequest> = {}): ChatRequest {
  return { model: "cloud-sonnet", messages: [{ role: "user", content: "hi" }], stream: true, ...overrides };
}

describe("toChatCompletionsBody", () => {
  it("maps every message kind, including images and tool round trips", () => {
    const body = toChatCompletionsBody(
      chatRequest({
        messages: [
          { role: "system", content: "be brief" },
          {
            role: "user",
            content: [
              { type: "text", text: "what is this?" },
              { type: "image", url: "https://example.com/cat.png" },
              { type: "image", data: "AAAA", mediaType: "image/jpeg" },
            ],
          },
          {
            role: "assistant",
            content: null,
            toolCalls: [{ id: "call_1", name: "look", arguments: '{"x":1}' }],
          },
          { role: "tool", toolCallId: "call_1", content: "a cat" },
          { role: "assistant", content: "A cat.", reasoning: "it has whiskers", reasoningSignature: "sig" },
        ],
      }),
      "anthropic/claude-sonnet-4.5",
      {},
      "openrouter",
    );
    expect(body.messages).toEqual([
      { role: "system", content: "be brief" },
      {
        role: "user",
        content: [
          { type: "text", text: "what is this?" },
          { type: "image_url", image_url: { url: "https://example.com/cat.png" } },
          { type: "image_url", image_url: { url: "data:image/jpeg;base64,AAAA" } },
        ],
      },
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "call_1", type: "function", function: { name: "look", arguments: '{"x":1}' } }],
      },
      { role: "tool", tool_call_id: "call_1", content: "a cat" },
      {
        role: "assistant",
        content: "A cat.",
        reasoning_details: [
          {
            type: "reasoning.text",
            text: "it has whiskers",
            signature: "sig",
            format: "anthropic-claude-v1",
            index: 0,
          },
        ],
      },
    ]);
    expect(body.model).toBe("anthropic/claude-sonnet-4.5");
    expect(body.stream).toBe(true);
    expect(body.usage).toEqual({ include: true });
  });

  it("maps tools, tool choice, response format, sampling and reasoning for OpenRouter", () => {
    const body = toChatCompletionsBody(
      chatRequest({
        tools: [{ name: "look", description: "look at it", parameters: { type: "object" } }],
        toolChoice: { name: "look" },
        responseFormat: { type: "json-schema", name: "answer", schema: { type: "object" }, strict: true },
        maxTokens: 100,
        temperature: 0.2,
        topP: 0.9,
        topK: 40,
        stop: ["END"],
        seed: 7,
        user: "alice",
        reasoning: { enabled: true, budgetTokens: 2000 },
      }),
      "m",
      {},
      "openrouter",
    );
    expect(body).toMatchObject({
      tools: [
        {
          type: "function",
          function: { name: "look", description: "look at it", parameters: { type: "object" } },
        },
      ],
      tool_choice: { type: "function", function: { name: "look" } },
      response_format: {
        type: "json_schema",
        json_schema: { name: "answer", schema: { type: "object" }, strict: true },
      },
      max_tokens: 100,
      temperature: 0.2,
      top_p: 0.9,
      top_k: 40,
      stop: ["END"],
      seed: 7,
      user: "alice",
      reasoning: { max_tokens: 2000 },
    });
  });

  it("uses stream_options and leaves out OpenRouter-only parameters for generic servers", () => {
    const body = toChatCompletionsBody(
      chatRequest({ reasoning: { enabled: true }, responseFormat: { type: "json" }, toolChoice: "required" }),
      "qwen",
      { maxOutputTokens: 512 },
      "generic",
    );
    expect(body.stream_options).toEqual({ include_usage: true });
    expect(body.usage).toBeUndefined();
    expect(body.reasoning).toBeUndefined();
    expect(body.response_format).toEqual({ type: "json_object" });
    expect(body.tool_choice).toBe("required");
    expect(body.max_tokens).toBe(512);
  });

  it("falls back to the alias's think setting for reasoning", () => {
    expect(toChatCompletionsBody(chatRequest(), "m", { think: true }, "openrouter").reasoning).toEqual({
      enabled: true,
    });
    expect(toChatCompletionsBody(chatRequest(), "m", { think: false }, "openrouter").reasoning).toEqual({
      enabled: false,
    });
  });

  it("rejects an image part with neither url nor data", () => {
    expect(() =>
      toChatCompletionsBody(
        chatRequest({ messages: [{ role: "user", content: [{ type: "image" }] }] }),
        "m",
        {},
        "generic",
      ),
    ).toThrow(expect.objectContaining({ code: "invalid-request" }));
  });
});

function chunk(value: unknown): string {
  return JSON.stringify(value);
}

describe("convertStreamChunk", () => {
  it("turns a whole OpenRouter stream into events, holding usage and finish to the end", () => {
    const state = createStreamState();
    const events: ChatEvent[] = [];
    const payloads = [
      {
        id: "gen-1",
        model: "anthropic/claude-sonnet-4.5",
        choices: [{ delta: { role: "assistant", content: "" } }],
      },
      {
        id: "gen-1",
        choices: [
          { delta: { reasoning: "hmm", reasoning_details: [{ type: "reasoning.text", text: "hmm" }] } },
        ],
      },
      { id: "gen-1", choices: [{ delta: { content: "Hi" } }] },
      {
        choices: [
          {
            delta: {
              tool_calls: [
                { index: 0, id: "call_a", type: "function", function: { name: "f", arguments: "" } },
              ],
            },
          },
        ],
      },
      { choices: [{ delta: { tool_calls: [{ index: 0, function: { arguments: '{"a"' } }] } }] },
      { choices: [{ delta: { tool_calls: [{ index: 0, function: { arguments: ":1}" } }] } }] },
      { choices: [{ delta: { content: "" }, finish_reason: "tool_calls" }] },
      {
        choices: [],
        usage: {
          prompt_tokens: 10,
          completion_tokens: 5,
          completion_tokens_details: { reasoning_tokens: 2 },
          cost: 0.000105,
        },
      },
    ];
    for (const payload of payloads) {
      const outcome = convertStreamChunk(chunk(payload), state);
      expect(outcome.error).toBeUndefined();
      events.push(...outcome.events);
    }
    events.push(...(finishStream(state, true) ?? []));
    expect(events).toEqual([
      { type: "response-metadata", id: "gen-1", model: "anthropic/claude-sonnet-4.5" },
      { type: "reasoning-delta", text: "hmm" },
      { type: "text-delta", text: "Hi" },
      { type: "tool-call-start", index: 0, id: "call_a", name: "f" },
      { type: "tool-call-delta", index: 0, argumentsDelta: '{"a"' },
      { type: "tool-call-delta", index: 0, argumentsDelta: ":1}" },
      { type: "usage", usage: { inputTokens: 10, outputTokens: 5, reasoningTokens: 2, costUsd: 0.000105 } },
      { type: "finish", reason: "tool-calls" },
    ]);
  });

  it("reads reasoning_content (vLLM, DeepSeek) and reasoning_details alone", () => {
    const state = createStreamState();
    expect(
      convertStreamChunk(chunk({ choices: [{ delta: { reasoning_content: "a" } }] }), state).events,
    ).toEqual([{ type: "reasoning-delta", text: "a" }]);
    const details = {
      choices: [{ delta: { reasoning_details: [{ type: "reasoning.summary", summary: "b" }] } }],
    };
    expect(convertStreamChunk(chunk(details), state).events).toEqual([
      { type: "reasoning-delta", text: "b" },
    ]);
  });

  it("leaves costUsd out when cost is missing or not a number", () => {
    const state = createStreamState();
    convertStreamChunk(chunk({ choices: [], usage: { prompt_tokens: 9, completion_tokens: 9 } }), state);
    convertStreamChunk(
      chunk({ choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, cost: "0.1" } }),
      state,
    );
    convertStreamChunk(chunk({ choices: [{ delta: {}, finish_reason: "length" }] }), state);
    expect(finishStream(state, false)).toEqual([
      { type: "usage", usage: { inputTokens: 1, outputTokens: 2 } },
      { type: "finish", reason: "length" },
    ]);
  });

  it("reports OpenRouter's mid-stream error chunk and a bare finish_reason error", () => {
    const midStream = {
      id: "gen-2",
      object: "chat.completion.chunk",
      error: { code: "server_error", message: "Provider disconnected" },
      choices: [{ index: 0, delta: { content: "" }, finish_reason: "error" }],
    };
    expect(convertStreamChunk(chunk(midStream), createStreamState()).error).toEqual({
      code: "server_error",
      message: "Provider disconnected",
    });
    const bare = { choices: [{ delta: {}, finish_reason: "error" }] };
    expect(convertStreamChunk(chunk(bare), createStreamState()).error?.message).toMatch(/error/);
  });

  it("reports unreadable chunks instead of throwing", () => {
    expect(convertStreamChunk("not json", createStreamState()).error?.message).toMatch(/not JSON/);
    expect(convertStreamChunk(chunk({ choices: "nope" }), createStreamState()).error).toBeDefined();
  });

  it("treats a stream with no finish reason and no [DONE] as broken off", () => {
    const state = createStreamState();
    convertStreamChunk(chunk({ choices: [{ delta: { content: "partial" } }] }), state);
    expect(finishStream(state, false)).toBeUndefined();
    expect(finishStream(state, true)).toEqual([{ type: "finish", reason: "other" }]);
  });
});
