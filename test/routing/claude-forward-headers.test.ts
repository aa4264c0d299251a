/**
 * The forwarding decision for Anthropic headers: only `anthropic-beta`, only to Anthropic models
 * served by an OpenAI-compatible back end.
 */
import { describe, expect, it } from "vitest";
import {
  anthropicForwardHeaders,
  anthropicRequestHeaders,
} from "../../src/routing/claude-forward-headers.js";

const claudeCodeHeaders = {
  "anthropic-version": "2023-06-01",
  "anthropic-beta": "claude-code-20250219,interleaved-thinking-2025-05-14",
  authorization: "Bearer secret",
  "x-claude-code-session-id": "abc",
};

describe("anthropicForwardHeaders", () => {
  it("forwards anthropic-beta to an anthropic/ model, nothing else", () => {
    expect(anthropicForwardHeaders("anthropic/claude-sonnet-4.5", claudeCodeHeaders)).toEqual({
      "anthropic-beta": "claude-code-20250219,interleaved-thinking-2025-05-14",
    });
  });

  it("forwards nothing to a local model or another vendor's", () => {
    expect(anthropicForwardHeaders("qwen2.5-coder:32b", claudeCodeHeaders)).toBeUndefined();
    expect(anthropicForwardHeaders("openai/gpt-5", claudeCodeHeaders)).toBeUndefined();
  });

  it("forwards nothing when there is no beta header, and joins repeated ones", () => {
    expect(anthropicForwardHeaders("anthropic/claude-opus-4.6", { "anthropic-version": "2023-06-01" })).toBe(
      undefined,
    );
    expect(anthropicForwardHeaders("anthropic/claude-opus-4.6", undefined)).toBeUndefined();
    expect(anthropicRequestHeaders({ "anthropic-beta": ["a-1", "b-2"] })).toEqual({
      "anthropic-beta": "a-1,b-2",
    });
    expect(anthropicRequestHeaders({ "anthropic-beta": "  " })).toBeUndefined();
  });
});
