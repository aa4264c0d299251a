/**
 * Context fit: rungs too small for a request are skipped (and say so), the estimate and its cheap
 * ceiling agree, and when nothing fits the error carries the figures Anthropic's message needs.
 */
import { describe, expect, it } from "vitest";
import { SwitchyardError } from "../../src/errors/switchyard-error.js";
import type { ChatRequest } from "../../src/protocol/chat-types.js";
import {
  chatRequestTokenCeiling,
  estimateChatRequestTokens,
  knownChatRequestTokens,
} from "../../src/protocol/token-estimate.js";
import { fitRouteToContext } from "../../src/routing/context-fit.js";
import type { Route } from "../../src/routing/task-router.js";

const route: Route = {
  task: "code-generation",
  selector: "task-model",
  confidence: 1,
  downgrades: [],
  ladder: [
    { alias: "local-coder", model: "qwen2.5-coder:32b", backend: "engine", tier: 1 },
    { alias: "cloud-sonnet", model: "anthropic/claude-sonnet-4.5", backend: "openrouter", tier: 2 },
    { alias: "cloud-opus", model: "anthropic/claude-opus-4.6", backend: "openrouter", tier: 3 },
  ],
  signals: () => ["model names the task kind code-generation"],
};

const windows: Record<string, number> = {
  "local-coder": 8_000,
  "cloud-sonnet": 50_000,
  "cloud-opus": 100_000,
};
const windowOf = (alias: string) => windows[alias];

function requestOfWords(words: number, maxTokens?: number): ChatRequest {
  const vocabulary = ["the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog"];
  const text = Array.from({ length: words }, (_, index) => vocabulary[index % vocabulary.length]).join(" ");
  return {
    model: "x",
    messages: [
      { role: "system", content: "You are a coding assistant." },
      { role: "user", content: text },
    ],
    stream: false,
    ...(maxTokens === undefined ? {} : { maxTokens }),
  };
}

describe("token estimate", () => {
  it("counts messages, tools, tool calls and images, and the ceiling bounds it", () => {
    const request: ChatRequest = {
      model: "x",
      stream: false,
      messages: [
        { role: "system", content: "Be brief." },
        {
          role: "user",
          content: [
            { type: "text", text: "What is in this picture? 日本語のテキスト" },
            { type: "image", url: "https://example.com/a.png" },
          ],
        },
        {
          role: "assistant",
          content: null,
          reasoning: "Look first.",
          toolCalls: [{ id: "t1", name: "read_file", arguments: '{"path":"src/a.ts"}' }],
        },
        { role: "tool", toolCallId: "t1", content: "export const a = 1;" },
      ],
      tools: [{ name: "read_file", description: "Read a file", parameters: { type: "object" } }],
    };
    const estimate = estimateChatRequestTokens(request);
    expect(estimate).toBeGreaterThan(346 + 1_600);
    expect(estimate).toBeLessThan(2_200);
    expect(chatRequestTokenCeiling(request)).toBeGreaterThanOrEqual(estimate);
    expect(knownChatRequestTokens(request)).toBe(estimate);
  });

  it("English text is roughly a token per word", () => {
    const estimate = estimateChatRequestTokens(requestOfWords(1_000));
    expect(estimate).toBeGreaterThan(900);
    expect(estimate).toBeLessThan(1_400);
  });
});

describe("fitRouteToContext", () => {
  it("leaves a route alone when the request fits every rung (without estimating)", () => {
    const request = requestOfWords(100);
    expect(fitRouteToContext(route, request, windowOf)).toBe(route);
    expect(knownChatRequestTokens(request)).toBeUndefined();
  });

  it("skips rungs too small for input plus the output reserve, and records it", () => {
    const fitted = fitRouteToContext(route, requestOfWords(6_000), windowOf);
    expect(fitted.ladder.map((step) => step.alias)).toEqual(["cloud-sonnet", "cloud-opus"]);
    expect(fitted.signals().at(-1)).toMatch(/^context: skipped local-coder \(window 8000 < ~\d+ needed/);
    expect(fitted.signals()[0]).toBe(route.signals()[0]);
  });

  it("reserves max_tokens only up to the cap: a small max_tokens lets a tight rung fit", () => {
    const request = requestOfWords(6_500, 256);
    expect(fitRouteToContext(route, request, windowOf).ladder[0]?.alias).toBe("local-coder");
    const bigCeiling = requestOfWords(6_500, 64_000);
    expect(fitRouteToContext(route, bigCeiling, windowOf).ladder[0]?.alias).toBe("cloud-sonnet");
  });

  it("assumes an unknown window fits", () => {
    const fitted = fitRouteToContext(route, requestOfWords(60_000), (alias) =>
      alias === "cloud-opus" ? undefined : windows[alias],
    );
    expect(fitted.ladder.map((step) => step.alias)).toEqual(["cloud-opus"]);
  });

  it("throws context-too-long with the figures when no rung fits", () => {
    const request = requestOfWords(120_000);
    const thrown = (() => {
      try {
        fitRouteToContext(route, request, windowOf);
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toBeInstanceOf(SwitchyardError);
    const error = thrown as SwitchyardError;
    expect(error.code).toBe("context-too-long");
    expect(error.details).toMatchObject({ tokens: estimateChatRequestTokens(request), max: 100_000 - 4_096 });
    expect(error.message).toMatch(/^prompt is too long: \d+ tokens > 95904 maximum/);
  });
});
