import { describe, expect, it } from "vitest";
import { SwitchyardError } from "../../src/errors/switchyard-error.js";
import {
  AnthropicStreamRenderer,
  anthropicStopReason,
  chatResultToAnthropicMessage,
  newAnthropicMessageId,
  parseToolInput,
} from "../../src/protocol/anthropic/chat-to-anthropic.js";
import type { ChatEvent, ChatResult } from "../../src/protocol/chat-types.js";
import { assembleWithSdk, parseSseFrames } from "./anthropic-sse-client.js";

function result(overrides: Partial<ChatResult> = {}): ChatResult {
  return {
    text: "",
    reasoning: "",
    toolCalls: [],
    finishReason: "stop",
    usage: { inputTokens: 12, outputTokens: 7 },
    ...overrides,
  };
}

function render(events: ChatEvent[], inputTokens?: number): string {
  const renderer = new AnthropicStreamRenderer({ model: "local-coder", id: "msg_test", inputTokens });
  return renderer.start() + events.map((event) => renderer.push(event)).join("") + renderer.finish();
}

describe("chatResultToAnthropicMessage", () => {
  it("renders thinking, text and tool calls in Anthropic's order", () => {
    const message = chatResultToAnthropicMessage(
      result({
        reasoning: "think",
        text: "Let me look.",
        toolCalls: [{ id: "call_1", name: "Read", arguments: '{"file_path":"a.ts"}' }],
        finishReason: "tool-calls",
      }),
      "cloud-sonnet",
      "msg_1",
    );
    expect(message).toEqual({
      id: "msg_1",
      type: "message",
      role: "assistant",
      model: "cloud-sonnet",
      content: [
        { type: "thinking", thinking: "think", signature: "" },
        { type: "text", text: "Let me look." },
        { type: "tool_use", id: "call_1", name: "Read", input: { file_path: "a.ts" } },
      ],
      stop_reason: "tool_use",
      stop_sequence: null,
      usage: {
        input_tokens: 12,
        output_tokens: 7,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
    });
  });

  it("reports the stop sequence that ended the answer", () => {
    const message = chatResultToAnthropicMessage(
      result({ text: "a", finishReason: "stop-sequence", stopSequence: "END" }),
      "m",
    );
    expect(message.stop_reason).toBe("stop_sequence");
    expect(message.stop_sequence).toBe("END");
    expect(message.id).toMatch(/^msg_01[0-9A-Za-z]{22}$/);
  });

  it("gives id-less tool calls toolu_ ids and keeps broken JSON input under _raw", () => {
    const message = chatResultToAnthropicMessage(
      result({
        toolCalls: [
          { id: "", name: "a", arguments: "" },
          { id: "functions.Bash:1", name: "b", arguments: '{"cut": "off' },
        ],
      }),
      "m",
      "msg_abc",
    );
    expect(message.content).toEqual([
      { type: "tool_use", id: "toolu_abc_0", name: "a", input: {} },
      { type: "tool_use", id: "functions_Bash_1", name: "b", input: { _raw: '{"cut": "off' } },
    ]);
    // Ollama says "stop" even when it called tools; SDK tool loops need tool_use.
    expect(message.stop_reason).toBe("tool_use");
  });

  it("maps every finish reason", () => {
    expect(anthropicStopReason("stop", false)).toBe("end_turn");
    expect(anthropicStopReason("length", true)).toBe("max_tokens");
    expect(anthropicStopReason("tool-calls", true)).toBe("tool_use");
    expect(anthropicStopReason("content-filter", false)).toBe("refusal");
    expect(anthropicStopReason("stop-sequence", false)).toBe("stop_sequence");
    expect(anthropicStopReason("other", false)).toBe("end_turn");
    expect(anthropicStopReason("error", false)).toBe("end_turn");
  });

  it("parses tool input objects and wraps anything else", () => {
    expect(parseToolInput('{"a":[1,2]}')).toEqual({ a: [1, 2] });
    expect(parseToolInput("[1]")).toEqual({ _raw: "[1]" });
    expect(parseToolInput("  ")).toEqual({});
  });

  it("makes distinct message ids", () => {
    expect(newAnthropicMessageId()).not.toBe(newAnthropicMessageId());
  });
});

describe("AnthropicStreamRenderer", () => {
  it("streams a text answer as Anthropic does", () => {
    const frames = parseSseFrames(
      render(
        [
          { type: "text-delta", text: "Hel" },
          { type: "text-delta", text: "lo" },
          { type: "finish", reason: "stop" },
          { type: "usage", usage: { inputTokens: 30, outputTokens: 2 } },
        ],
        25,
      ),
    );
    expect(frames.map((frame) => frame.event)).toEqual([
      "message_start",
      "content_block_start",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    expect(frames[0]?.data).toEqual({
      type: "message_start",
      message: {
        id: "msg_test",
        type: "message",
        role: "assistant",
        model: "local-coder",
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: 25,
          output_tokens: 1,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
        },
      },
    });
    expect(frames[1]?.data).toEqual({
      type: "content_block_start",
      index: 0,
      content_block: { type: "text", text: "" },
    });
    expect(frames[2]?.data).toEqual({
      type: "content_block_delta",
      index: 0,
      delta: { type: "text_delta", text: "Hel" },
    });
    expect(frames[4]?.data).toEqual({ type: "content_block_stop", index: 0 });
    expect(frames[5]?.data).toEqual({
      type: "message_delta",
      delta: { stop_reason: "end_turn", stop_sequence: null },
      usage: {
        input_tokens: 30,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: 2,
      },
    });
  });

  it("closes the thinking block before the text block and numbers them 0 and 1", () => {
    const frames = parseSseFrames(
      render([
        { type: "reasoning-delta", text: "hmm" },
        { type: "text-delta", text: "Answer" },
        { type: "finish", reason: "stop" },
      ]),
    );
    expect(frames.map((frame) => [frame.event, frame.data.index])).toEqual([
      ["message_start", undefined],
      ["content_block_start", 0],
      ["content_block_delta", 0],
      ["content_block_stop", 0],
      ["content_block_start", 1],
      ["content_block_delta", 1],
      ["content_block_stop", 1],
      ["message_delta", undefined],
      ["message_stop", undefined],
    ]);
    expect(frames[1]?.data.content_block).toEqual({ type: "thinking", thinking: "", signature: "" });
    expect(frames[2]?.data.delta).toEqual({ type: "thinking_delta", thinking: "hmm" });
  });

  it("streams two tool calls in fragments after text", async () => {
    const events: ChatEvent[] = [
      { type: "text-delta", text: "Reading both." },
      { type: "tool-call-start", index: 0, id: "call_a", name: "Read" },
      { type: "tool-call-delta", index: 0, argumentsDelta: '{"file_' },
      { type: "tool-call-delta", index: 0, argumentsDelta: 'path":"a.ts"}' },
      { type: "tool-call-start", index: 1, id: "", name: "Read" },
      { type: "tool-call-delta", index: 1, argumentsDelta: '{"file_path"' },
      { type: "tool-call-delta", index: 1, argumentsDelta: ':"b.ts"}' },
      { type: "finish", reason: "tool-calls" },
      { type: "usage", usage: { inputTokens: 100, outputTokens: 40 } },
    ];
    const sse = render(events);
    const frames = parseSseFrames(sse);
    const starts = frames.filter((frame) => frame.event === "content_block_start").map((frame) => frame.data);
    expect(starts).toEqual([
      { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
      {
        type: "content_block_start",
        index: 1,
        content_block: { type: "tool_use", id: "call_a", name: "Read", input: {} },
      },
      {
        type: "content_block_start",
        index: 2,
        content_block: { type: "tool_use", id: "toolu_test_1", name: "Read", input: {} },
      },
    ]);
    expect(
      frames.filter((frame) => frame.event === "content_block_stop").map((frame) => frame.data.index),
    ).toEqual([0, 1, 2]);
    expect(frames[5]?.data).toEqual({
      type: "content_block_delta",
      index: 1,
      delta: { type: "input_json_delta", partial_json: '{"file_' },
    });

    const message = await assembleWithSdk(sse);
    expect(message.content).toEqual([
      { type: "text", text: "Reading both." },
      { type: "tool_use", id: "call_a", name: "Read", input: { file_path: "a.ts" } },
      { type: "tool_use", id: "toolu_test_1", name: "Read", input: { file_path: "b.ts" } },
    ]);
    expect(message.stop_reason).toBe("tool_use");
    expect(message.usage).toMatchObject({ input_tokens: 100, output_tokens: 40 });
  });

  it("reports max_tokens and stop sequences in message_delta", () => {
    const lengthFrames = parseSseFrames(
      render([
        { type: "text-delta", text: "a" },
        { type: "finish", reason: "length" },
      ]),
    );
    expect(lengthFrames.at(-2)?.data.delta).toEqual({ stop_reason: "max_tokens", stop_sequence: null });
    const stopFrames = parseSseFrames(
      render([
        { type: "text-delta", text: "a" },
        { type: "finish", reason: "stop-sequence", stopSequence: "###" },
      ]),
    );
    expect(stopFrames.at(-2)?.data.delta).toEqual({ stop_reason: "stop_sequence", stop_sequence: "###" });
  });

  it("keeps the input estimate when the back end reports no usage", () => {
    const frames = parseSseFrames(render([{ type: "text-delta", text: "a" }], 42));
    expect(frames.at(-2)?.data.usage).toEqual({ input_tokens: 42, output_tokens: 0 });
  });

  it("sends an empty answer as start, delta and stop only", () => {
    const frames = parseSseFrames(render([{ type: "text-delta", text: "" }]));
    expect(frames.map((frame) => frame.event)).toEqual(["message_start", "message_delta", "message_stop"]);
  });

  it("starts the message itself when push comes first, and says nothing after finishing", () => {
    const renderer = new AnthropicStreamRenderer({ model: "m" });
    expect(parseSseFrames(renderer.push({ type: "text-delta", text: "x" }))[0]?.event).toBe("message_start");
    expect(renderer.finish()).toContain("event: message_stop");
    expect(renderer.finish()).toBe("");
    expect(renderer.push({ type: "text-delta", text: "late" })).toBe("");
    expect(renderer.ping()).toBe("");
  });

  it("renders a mid-stream failure as an error event the SDK raises", async () => {
    const renderer = new AnthropicStreamRenderer({ model: "m", id: "msg_x" });
    const sse =
      renderer.start() +
      renderer.ping() +
      renderer.push({ type: "text-delta", text: "partial" }) +
      renderer.error(new SwitchyardError("upstream-busy", "Engine is busy"));
    const frames = parseSseFrames(sse);
    expect(frames[1]).toEqual({ event: "ping", data: { type: "ping" } });
    expect(frames.at(-1)).toEqual({
      event: "error",
      data: { type: "error", error: { type: "overloaded_error", message: "Engine is busy" } },
    });
    expect(renderer.finish()).toBe("");
    await expect(assembleWithSdk(sse)).rejects.toThrow(/Engine is busy/);
  });

  it("still delivers a late fragment of an earlier tool call to its block", async () => {
    const sse = render([
      { type: "tool-call-start", index: 0, id: "call_a", name: "A" },
      { type: "tool-call-start", index: 1, id: "call_b", name: "B" },
      { type: "tool-call-delta", index: 0, argumentsDelta: '{"x":1}' },
      { type: "tool-call-delta", index: 1, argumentsDelta: '{"y":2}' },
      { type: "tool-call-delta", index: 7, argumentsDelta: "ignored" },
    ]);
    const message = await assembleWithSdk(sse);
    expect(message.content).toEqual([
      { type: "tool_use", id: "call_a", name: "A", input: { x: 1 } },
      { type: "tool_use", id: "call_b", name: "B", input: { y: 2 } },
    ]);
  });
});
