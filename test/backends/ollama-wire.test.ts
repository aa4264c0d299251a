/** Pure conversions: ChatRequest → /api/chat body, and NDJSON lines → ChatEvents. */
import { describe, expect, it } from "vitest";
import { OllamaStreamDecoder } from "../../src/backends/ollama/ollama-stream-decoder.js";
import { toOllamaChatBody } from "../../src/backends/ollama/ollama-wire.js";
import { SwitchyardError } from "../../src/errors/switchyard-error.js";
import type { ChatEvent, ChatRequest } from "../../src/protocol/chat-types.js";

const base: ChatRequest = { model: "local-coder", messages: [{ role: "user", content: "Hi" }], stream: true };

function expectSwitchyardError(run: () => unknown, code: string, message: RegExp): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SwitchyardError);
    expect((error as SwitchyardError).code).toBe(code);
    expect((error as SwitchyardError).message).toMatch(message);
    return;
  }
  throw new Error("expected a SwitchyardError");
}

describe("toOllamaChatBody", () => {
  it("sends the concrete model, streams as the caller does, and omits what is not set", () => {
    expect(toOllamaChatBody({ ...base, stream: false }, "qwen2.5-coder:32b", {})).toEqual({
      model: "qwen2.5-coder:32b",
      messages: [{ role: "user", content: "Hi" }],
      stream: false,
    });
    expect(toOllamaChatBody({ ...base, stream: true }, "qwen2.5-coder:32b", {}).stream).toBe(true);
  });

  it("maps sampling options, model options, format and think", () => {
    const schema = { type: "object", properties: { age: { type: "integer" } } };
    const body = toOllamaChatBody(
      {
        ...base,
        maxTokens: 100,
        temperature: 0.2,
        topP: 0.9,
        topK: 40,
        stop: ["\n\n"],
        seed: 7,
        responseFormat: { type: "json-schema", schema },
      },
      "m",
      { numCtx: 16_384, keepAlive: -1, think: false, maxOutputTokens: 999 },
    );
    expect(body.options).toEqual({
      num_ctx: 16_384,
      num_predict: 100,
      temperature: 0.2,
      top_p: 0.9,
      top_k: 40,
      stop: ["\n\n"],
      seed: 7,
    });
    expect(body.format).toEqual(schema);
    expect(body.keep_alive).toBe(-1);
    // think: false marks a model without a thinking mode: Ollama refuses `think` for it.
    expect(body).not.toHaveProperty("think");
  });

  it("lets the caller's reasoning option override the model's think setting", () => {
    const body = toOllamaChatBody(
      { ...base, reasoning: { enabled: true }, responseFormat: { type: "json" } },
      "m",
      { maxOutputTokens: 512 },
    );
    expect(body.think).toBe(true);
    expect(toOllamaChatBody({ ...base, reasoning: { enabled: false } }, "m", { think: true }).think).toBe(
      false,
    );
    expect(
      toOllamaChatBody({ ...base, reasoning: { enabled: true } }, "m", { think: false }),
    ).not.toHaveProperty("think");
    expect(body.format).toBe("json");
    expect(body.options).toEqual({ num_predict: 512 });
  });

  it("converts tools, tool calls (arguments as objects) and tool results named by tool", () => {
    const request: ChatRequest = {
      ...base,
      tools: [{ name: "read_file", description: "Reads a file", parameters: { type: "object" } }],
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Read a.ts" },
        {
          role: "assistant",
          content: null,
          reasoning: "I need the file.",
          toolCalls: [{ id: "call_1", name: "read_file", arguments: '{"path":"a.ts"}' }],
        },
        { role: "tool", toolCallId: "call_1", content: "export {}" },
        { role: "tool", toolCallId: "call_unknown", content: "gone", isError: true },
      ],
    };
    const body = toOllamaChatBody(request, "m", {});
    expect(body.tools).toEqual([
      {
        type: "function",
        function: { name: "read_file", description: "Reads a file", parameters: { type: "object" } },
      },
    ]);
    expect(body.messages.slice(2)).toEqual([
      {
        role: "assistant",
        content: "",
        thinking: "I need the file.",
        tool_calls: [{ id: "call_1", function: { name: "read_file", arguments: { path: "a.ts" } } }],
      },
      { role: "tool", content: "export {}", tool_call_id: "call_1", tool_name: "read_file" },
      { role: "tool", content: "Error: gone", tool_call_id: "call_unknown" },
    ]);
  });

  it("honours toolChoice none and a named tool", () => {
    const tools = [
      { name: "a", parameters: {} },
      { name: "b", parameters: {} },
    ];
    expect(toOllamaChatBody({ ...base, tools, toolChoice: "none" }, "m", {}).tools).toBeUndefined();
    const named = toOllamaChatBody({ ...base, tools, toolChoice: { name: "b" } }, "m", {});
    expect(named.tools?.map((tool) => tool.function.name)).toEqual(["b"]);
  });

  it("rejects tool-call arguments that are not a JSON object", () => {
    const withArguments = (text: string): ChatRequest => ({
      ...base,
      messages: [{ role: "assistant", content: null, toolCalls: [{ id: "c", name: "t", arguments: text }] }],
    });
    expectSwitchyardError(
      () => toOllamaChatBody(withArguments("{oops"), "m", {}),
      "invalid-request",
      /not valid JSON/,
    );
    expectSwitchyardError(
      () => toOllamaChatBody(withArguments("[1]"), "m", {}),
      "invalid-request",
      /JSON object/,
    );
    expect(
      toOllamaChatBody(withArguments(""), "m", {}).messages[0]?.tool_calls?.[0]?.function.arguments,
    ).toEqual({});
  });

  it("sends inline images (base64 or data: URLs) and refuses images by http URL", () => {
    const body = toOllamaChatBody(
      {
        ...base,
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "What is this?" },
              { type: "image", data: "iVBORw0KGgo=", mediaType: "image/png" },
              { type: "image", url: "data:image/jpeg;base64,/9j/4AAQ" },
              { type: "text", text: "Be short." },
            ],
          },
        ],
      },
      "llava",
      {},
    );
    expect(body.messages[0]).toEqual({
      role: "user",
      content: "What is this?\nBe short.",
      images: ["iVBORw0KGgo=", "/9j/4AAQ"],
    });
    const byUrl: ChatRequest = {
      ...base,
      messages: [{ role: "user", content: [{ type: "image", url: "https://example.com/cat.png" }] }],
    };
    expectSwitchyardError(() => toOllamaChatBody(byUrl, "llava", {}), "invalid-request", /inline base64/);
  });
});

describe("OllamaStreamDecoder", () => {
  const decode = (lines: string[]): ChatEvent[] => {
    const decoder = new OllamaStreamDecoder({ backend: "engine", baseUrl: "http://engine:11434" });
    const events = lines.flatMap((line) => decoder.decodeLine(line));
    decoder.end();
    return events;
  };
  const done = (fields: object = {}) =>
    JSON.stringify({ model: "m", message: { role: "assistant", content: "" }, done: true, ...fields });

  it("decodes text, thinking, metadata once, usage and the finish reason", () => {
    const events = decode([
      JSON.stringify({
        model: "m",
        message: { role: "assistant", content: "", thinking: "Hmm" },
        done: false,
      }),
      JSON.stringify({ model: "m", message: { role: "assistant", content: "Hel" }, done: false }),
      "",
      JSON.stringify({ model: "m", message: { role: "assistant", content: "lo" }, done: false }),
      done({
        done_reason: "length",
        load_duration: 6_338_219_291,
        prompt_eval_count: 26,
        prompt_eval_duration: 130_079_000,
        eval_count: 259,
        eval_duration: 4_232_710_000,
      }),
    ]);
    expect(events).toEqual([
      { type: "response-metadata", model: "m" },
      { type: "reasoning-delta", text: "Hmm" },
      { type: "text-delta", text: "Hel" },
      { type: "text-delta", text: "lo" },
      {
        type: "usage",
        usage: {
          inputTokens: 26,
          outputTokens: 259,
          loadMs: 6338.219291,
          promptEvalMs: 130.079,
          evalMs: 4232.71,
          tokensPerSecond: 259 / 4.23271,
        },
      },
      { type: "finish", reason: "length" },
    ]);
  });

  it("numbers tool calls across the response, generates ids and says tool-calls on stop", () => {
    const toolLine = (names: string[]) =>
      JSON.stringify({
        model: "m",
        message: {
          content: "",
          tool_calls: names.map((name) => ({ function: { name, arguments: { n: name } } })),
        },
        done: false,
      });
    const events = decode([toolLine(["a", "b"]), toolLine(["c"]), done({ done_reason: "stop" })]);
    const starts = events.filter((event) => event.type === "tool-call-start");
    expect(starts.map((event) => [event.index, event.name])).toEqual([
      [0, "a"],
      [1, "b"],
      [2, "c"],
    ]);
    for (const start of starts) expect(start.id).toMatch(/^call_[\w-]{8,}$/);
    expect(new Set(starts.map((start) => start.id)).size).toBe(3);
    expect(events).toContainEqual({ type: "tool-call-delta", index: 1, argumentsDelta: '{"n":"b"}' });
    expect(events.at(-1)).toEqual({ type: "finish", reason: "tool-calls" });
  });

  it("maps done reasons: stop, length, load and anything else", () => {
    const finish = (reason?: string) => decode([done(reason ? { done_reason: reason } : {})]).at(-1);
    expect(finish("stop")).toEqual({ type: "finish", reason: "stop" });
    expect(finish("length")).toEqual({ type: "finish", reason: "length" });
    expect(finish("load")).toEqual({ type: "finish", reason: "other" });
    expect(finish()).toEqual({ type: "finish", reason: "other" });
  });

  it("routes <think> in content to reasoning", () => {
    const content = (text: string) => JSON.stringify({ model: "m", message: { content: text }, done: false });
    const events = decode([content("<thi"), content("nk>plan</thi"), content("nk>answer"), done()]);
    expect(events.filter((event) => event.type === "reasoning-delta")).toEqual([
      { type: "reasoning-delta", text: "plan" },
    ]);
    expect(events.filter((event) => event.type === "text-delta")).toEqual([
      { type: "text-delta", text: "answer" },
    ]);
  });

  it("throws upstream-error for an error line, a non-JSON line and a missing done line", () => {
    expectSwitchyardError(
      () => decode([JSON.stringify({ error: "model runner crashed" })]),
      "upstream-error",
      /"engine" at http:\/\/engine:11434 failed mid-stream: model runner crashed/,
    );
    expectSwitchyardError(() => decode(["<html>"]), "upstream-error", /not JSON/);
    expectSwitchyardError(
      () => decode([JSON.stringify({ message: 5 })]),
      "upstream-error",
      /unexpected line/,
    );
    expectSwitchyardError(
      () => decode([JSON.stringify({ model: "m", message: { content: "x" }, done: false })]),
      "upstream-error",
      /stream ended early/,
    );
  });
});
