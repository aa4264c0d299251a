import { describe, expect, it } from "vitest";
import { SwitchyardError } from "../../src/errors/switchyard-error.js";
import {
  parseAnthropicCountTokensRequest,
  parseAnthropicMessagesRequest,
} from "../../src/protocol/anthropic/anthropic-schema.js";
import { anthropicToChatRequest } from "../../src/protocol/anthropic/anthropic-to-chat.js";

function convert(body: Record<string, unknown>) {
  return anthropicToChatRequest(parseAnthropicMessagesRequest({ model: "m", max_tokens: 100, ...body }));
}

function validationMessage(body: unknown): string {
  try {
    parseAnthropicMessagesRequest(body);
  } catch (error) {
    expect(error).toBeInstanceOf(SwitchyardError);
    expect((error as SwitchyardError).code).toBe("invalid-request");
    return (error as SwitchyardError).message;
  }
  throw new Error("expected the body to be rejected");
}

const png = { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" };

describe("parseAnthropicMessagesRequest", () => {
  it("names the path and the problem the way Anthropic does", () => {
    expect(validationMessage({ model: "m", max_tokens: 1, messages: [{ role: "user" }] })).toBe(
      "messages.0.content: Field required",
    );
    expect(validationMessage({ model: "m", messages: [{ role: "user", content: "hi" }] })).toBe(
      "max_tokens: Field required",
    );
    expect(
      validationMessage({ model: "m", max_tokens: "ten", messages: [{ role: "user", content: "x" }] }),
    ).toBe("max_tokens: Input should be a valid number");
    expect(validationMessage({ model: "m", max_tokens: 1, messages: [] })).toBe(
      "messages: at least one message is required",
    );
    expect(validationMessage("nope")).toBe("Input should be a valid dictionary");
  });

  it("says which block is wrong and what is accepted", () => {
    const message = validationMessage({
      model: "m",
      max_tokens: 1,
      messages: [{ role: "user", content: [{ type: "text", text: "a" }, { type: "server_tool_use" }] }],
    });
    expect(message).toBe(
      "messages.0.content.1.type: Input tag 'server_tool_use' found using 'type' does not match any of the " +
        "expected tags: 'text', 'image', 'document', 'tool_result'",
    );
    expect(
      validationMessage({
        model: "m",
        max_tokens: 1,
        messages: [{ role: "user", content: [{ type: "text" }] }],
      }),
    ).toBe("messages.0.content.0.text: Field required");
  });

  it("rejects server tools and PDF documents with a clear reason", () => {
    expect(
      validationMessage({
        model: "m",
        max_tokens: 1,
        messages: [{ role: "user", content: "search" }],
        tools: [{ type: "web_search_20250305", name: "web_search", max_uses: 5 }],
      }),
    ).toMatch(/^tools\.0\.type: server tool "web_search_20250305" is not supported by Switchyard/);
    expect(
      validationMessage({
        model: "m",
        max_tokens: 1,
        messages: [{ role: "user", content: [{ type: "document", source: { type: "base64", data: "x" } }] }],
      }),
    ).toMatch(/^messages\.0\.content\.0\.source\.type: Input tag 'base64'.*'text', 'content'$/);
    expect(
      validationMessage({
        model: "m",
        max_tokens: 1,
        messages: [{ role: "user", content: "x" }],
        tools: [{ name: "Read" }],
      }),
    ).toBe("tools.0.input_schema: Field required");
  });

  it("tolerates unknown keys at every level, as Claude Code sends them", () => {
    const body = parseAnthropicMessagesRequest({
      model: "claude-sonnet-4-5",
      max_tokens: 32000,
      messages: [
        { role: "user", content: [{ type: "text", text: "hi", cache_control: { type: "ephemeral" } }] },
      ],
      system: [{ type: "text", text: "sys", cache_control: { type: "ephemeral", ttl: "1h" } }],
      context_management: { edits: [] },
      service_tier: "auto",
      container: null,
      output_config: { effort: "high" },
    });
    expect(body.model).toBe("claude-sonnet-4-5");
  });

  it("does not need max_tokens to count tokens", () => {
    expect(
      parseAnthropicCountTokensRequest({ model: "m", messages: [{ role: "user", content: "x" }] }).model,
    ).toBe("m");
  });
});

describe("anthropicToChatRequest", () => {
  it("maps the options", () => {
    const request = convert({
      stream: true,
      temperature: 0.2,
      top_p: 0.9,
      top_k: 40,
      stop_sequences: ["###"],
      metadata: { user_id: "dev-1" },
      thinking: { type: "enabled", budget_tokens: 2048 },
      tool_choice: { type: "any", disable_parallel_tool_use: true },
      tools: [{ name: "Read", description: "Reads", input_schema: { type: "object" } }],
      messages: [{ role: "user", content: "hi" }],
    });
    expect(request).toEqual({
      model: "m",
      maxTokens: 100,
      stream: true,
      temperature: 0.2,
      topP: 0.9,
      topK: 40,
      stop: ["###"],
      user: "dev-1",
      reasoning: { enabled: true, budgetTokens: 2048 },
      toolChoice: "required",
      tools: [{ name: "Read", description: "Reads", parameters: { type: "object" } }],
      messages: [{ role: "user", content: "hi" }],
    });
    expect(convert({ messages: [{ role: "user", content: "x" }] }).stream).toBe(false);
  });

  it("maps tool_choice and thinking variants", () => {
    const base = { messages: [{ role: "user", content: "x" }] };
    expect(convert({ ...base, tool_choice: { type: "tool", name: "Read" } }).toolChoice).toEqual({
      name: "Read",
    });
    expect(convert({ ...base, tool_choice: { type: "none" } }).toolChoice).toBe("none");
    expect(convert({ ...base, tool_choice: { type: "auto" } }).toolChoice).toBe("auto");
    expect(convert({ ...base, thinking: { type: "disabled" } }).reasoning).toEqual({ enabled: false });
    expect(convert({ ...base, thinking: { type: "adaptive" } }).reasoning).toEqual({ enabled: true });
  });

  it("turns system blocks into one system message without Claude Code's billing line", () => {
    const request = convert({
      system: [
        {
          type: "text",
          text: "x-anthropic-billing-header: cc_version=2.1.1.abc; cc_entrypoint=cli; cch=71fea;",
        },
        { type: "text", text: "You are Claude Code." },
        { type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } },
      ],
      messages: [{ role: "user", content: "hi" }],
    });
    // The cache breakpoint on the last block marks the whole system prompt.
    expect(request.messages[0]).toEqual({
      role: "system",
      content: "You are Claude Code.\n\nBe brief.",
      cache: {},
    });
    const fromString = convert({
      system: "x-anthropic-billing-header: cch=1;\nYou help.",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(fromString.messages[0]).toEqual({ role: "system", content: "You help." });
  });

  it("splits tool results out of the user turn, in order, before its remaining content", () => {
    const request = convert({
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Here you go" },
            { type: "tool_result", tool_use_id: "toolu_1", content: "file a" },
            {
              type: "tool_result",
              tool_use_id: "toolu_2",
              is_error: true,
              content: [
                { type: "text", text: "line 1" },
                { type: "text", text: "line 2" },
                { type: "image", source: png },
              ],
            },
            { type: "tool_result", tool_use_id: "toolu_3" },
            { type: "image", source: { type: "url", url: "https://example.test/a.png" } },
          ],
        },
      ],
    });
    expect(request.messages).toEqual([
      { role: "tool", toolCallId: "toolu_1", content: "file a" },
      { role: "tool", toolCallId: "toolu_2", content: "line 1\nline 2", isError: true },
      { role: "tool", toolCallId: "toolu_3", content: "" },
      {
        role: "user",
        content: [
          { type: "image", data: "iVBORw0KGgo=", mediaType: "image/png" },
          { type: "text", text: "Here you go" },
          { type: "image", url: "https://example.test/a.png" },
        ],
      },
    ]);
  });

  it("sends no user message for a turn of only tool results", () => {
    const request = convert({
      messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: "ok" }] }],
    });
    expect(request.messages).toEqual([{ role: "tool", toolCallId: "t", content: "ok" }]);
  });

  it("folds an assistant turn into content, reasoning, signature and tool calls", () => {
    const request = convert({
      messages: [
        { role: "user", content: "read a.ts" },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "I should ", signature: "sig-1" },
            { type: "redacted_thinking", data: "opaque" },
            { type: "thinking", thinking: "read it.", signature: "sig-2" },
            { type: "text", text: "Reading." },
            { type: "tool_use", id: "toolu_1", name: "Read", input: { file_path: "a.ts", limit: 10 } },
          ],
        },
      ],
    });
    expect(request.messages[1]).toEqual({
      role: "assistant",
      content: "Reading.",
      reasoning: "I should read it.",
      reasoningSignature: "sig-1",
      toolCalls: [{ id: "toolu_1", name: "Read", arguments: '{"file_path":"a.ts","limit":10}' }],
    });
    const toolsOnly = convert({
      messages: [
        { role: "assistant", content: [{ type: "thinking", thinking: "t", signature: "" }] },
        { role: "assistant", content: [{ type: "tool_use", id: "x", name: "n", input: {} }] },
      ],
    });
    expect(toolsOnly.messages).toEqual([
      { role: "assistant", content: null, reasoning: "t" },
      { role: "assistant", content: null, toolCalls: [{ id: "x", name: "n", arguments: "{}" }] },
    ]);
  });

  it("converts text documents and unwraps content documents", () => {
    const request = convert({
      messages: [
        {
          role: "user",
          content: [
            {
              type: "document",
              title: "notes.txt",
              source: { type: "text", media_type: "text/plain", data: "abc" },
            },
            { type: "document", source: { type: "content", content: [{ type: "text", text: "part" }] } },
            { type: "document", context: "ctx", source: { type: "content", content: "whole" } },
          ],
        },
      ],
    });
    expect(request.messages[0]).toEqual({
      role: "user",
      content: [
        { type: "text", text: "notes.txt\n\nabc" },
        { type: "text", text: "part" },
        { type: "text", text: "ctx" },
        { type: "text", text: "whole" },
      ],
    });
  });
});
