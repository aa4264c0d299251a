/**
 * The reference counts below were taken with the real cl100k_base tokenizer (gpt-tokenizer) when
 * the estimate was calibrated; the tolerances are the accuracy the module header promises.
 */
import { describe, expect, it } from "vitest";
import { parseAnthropicCountTokensRequest } from "../../src/protocol/anthropic/anthropic-schema.js";
import { countAnthropicInputTokens } from "../../src/protocol/anthropic/anthropic-token-count.js";
import { imageDimensionsFromBase64 } from "../../src/protocol/anthropic/image-dimensions.js";
import { estimateTextTokens } from "../../src/protocol/anthropic/text-token-estimate.js";

function within(actual: number, reference: number, tolerance: number): void {
  expect(actual).toBeGreaterThanOrEqual(Math.floor(reference * (1 - tolerance)));
  expect(actual).toBeLessThanOrEqual(Math.ceil(reference * (1 + tolerance)));
}

const prose =
  "Switchyard sends every AI task to the cheapest model that can do it well. Local models on the Engine " +
  "answer first, because they are free; paid cloud models are called only where judgment is needed, and a " +
  "hard monthly budget caps what they may spend. Every request is written to a ledger with its cost, so the " +
  "savings can be proven at the end of the month.";

const code = `export function parseToolInput(argumentsText: string): JsonObject {
  if (argumentsText.trim() === "") return {};
  try {
    const parsed: unknown = JSON.parse(argumentsText);
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as JsonObject;
  } catch {
    // Not JSON: fall through and keep the text.
  }
  return { _raw: argumentsText };
}
`;

const readToolSchema = {
  type: "object",
  properties: {
    file_path: { type: "string", description: "The absolute path to the file to read" },
    offset: {
      type: "number",
      description:
        "The line number to start reading from. Only provide if the file is too large to read at once",
    },
    limit: { type: "number", description: "The number of lines to read." },
  },
  required: ["file_path"],
  additionalProperties: false,
  $schema: "http://json-schema.org/draft-07/schema#",
};

function pngBase64(width: number, height: number): string {
  const bytes = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]).copy(bytes);
  bytes.write("IHDR", 12, "latin1");
  bytes.writeUInt32BE(width, 16);
  bytes.writeUInt32BE(height, 20);
  return bytes.toString("base64");
}

function jpegBase64(width: number, height: number): string {
  const app0 = [0xff, 0xe0, 0x00, 0x10, ...Buffer.from("JFIF\0"), 1, 1, 0, 0, 1, 0, 1, 0, 0];
  const frame = [0xff, 0xc0, 0x00, 0x11, 8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3];
  return Buffer.from([0xff, 0xd8, ...app0, ...frame, ...new Array(20).fill(0)]).toString("base64");
}

function count(body: Record<string, unknown>): number {
  return countAnthropicInputTokens(parseAnthropicCountTokensRequest({ model: "m", ...body }));
}

describe("estimateTextTokens", () => {
  it("counts a pangram exactly as cl100k does", () => {
    expect(estimateTextTokens("The quick brown fox jumps over the lazy dog.")).toBe(10);
  });

  it("tracks English prose: about 1.1–1.4 tokens per word, near cl100k's 75", () => {
    const words = prose.split(/\s+/).length;
    const tokens = estimateTextTokens(prose);
    within(tokens, 75, 0.1);
    expect(tokens / words).toBeGreaterThan(1.05);
    expect(tokens / words).toBeLessThan(1.4);
  });

  it("finds code denser than prose, near cl100k's 89", () => {
    const tokens = estimateTextTokens(code);
    within(tokens, 89, 0.15);
    expect(tokens / code.length).toBeGreaterThan(estimateTextTokens(prose) / prose.length);
  });

  it("prices a JSON tool schema near cl100k's 96", () => {
    within(estimateTextTokens(JSON.stringify(readToolSchema)), 96, 0.15);
  });

  it("splits identifiers and long words", () => {
    expect(estimateTextTokens("getUserById")).toBeGreaterThanOrEqual(3);
    expect(estimateTextTokens("a")).toBe(1);
    expect(estimateTextTokens("")).toBe(0);
    within(estimateTextTokens("我们的API遵循可预测的HTTP错误代码格式。"), 19, 0.35);
  });
});

describe("image sizes", () => {
  it("reads PNG and JPEG dimensions from the data's first bytes", () => {
    expect(imageDimensionsFromBase64(pngBase64(1000, 500))).toEqual({ width: 1000, height: 500 });
    expect(imageDimensionsFromBase64(jpegBase64(640, 480))).toEqual({ width: 640, height: 480 });
    expect(imageDimensionsFromBase64("bm90IGFuIGltYWdlIGF0IGFsbCwganVzdCB0ZXh0")).toBeUndefined();
  });
});

describe("countAnthropicInputTokens", () => {
  const question = { role: "user", content: "The quick brown fox jumps over the lazy dog." };

  it("counts a one-line question with small template overheads", () => {
    const tokens = count({ messages: [question] });
    expect(tokens).toBeGreaterThan(10);
    expect(tokens).toBeLessThan(25);
  });

  it("grows with system prompt, history, tool calls and results", () => {
    const base = count({ messages: [question] });
    const withSystem = count({ system: prose, messages: [question] });
    within(withSystem - base, 75, 0.2);
    const withTools = count({
      messages: [
        question,
        {
          role: "assistant",
          content: [{ type: "tool_use", id: "toolu_1", name: "Read", input: { file_path: "/src/a.ts" } }],
        },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: code }] },
      ],
    });
    expect(withTools - base).toBeGreaterThan(estimateTextTokens(code) + 10);
  });

  it("adds the tool-use system prompt and each tool's schema", () => {
    const base = count({ messages: [question] });
    const tool = {
      name: "Read",
      description: "Reads a file from the local filesystem.",
      input_schema: readToolSchema,
    };
    const withTool = count({ messages: [question], tools: [tool] });
    within(withTool - base, 346 + 96 + 10, 0.1);
    const forced = count({ messages: [question], tools: [tool], tool_choice: { type: "any" } });
    expect(withTool - forced).toBe(33);
  });

  it("prices images by area the way Anthropic does, 1,600 when unknown", () => {
    const image = (source: Record<string, unknown>) =>
      count({ messages: [{ role: "user", content: [{ type: "image", source }] }] });
    const empty = count({ messages: [{ role: "user", content: [] }] });
    expect(image({ type: "base64", media_type: "image/png", data: pngBase64(1000, 500) }) - empty).toBe(667);
    expect(image({ type: "base64", media_type: "image/png", data: pngBase64(4000, 3000) }) - empty).toBe(
      1600,
    );
    expect(image({ type: "base64", media_type: "image/jpeg", data: jpegBase64(200, 200) }) - empty).toBe(54);
    expect(image({ type: "url", url: "https://example.test/cat.png" }) - empty).toBe(1600);
  });

  it("does not count Claude Code's billing line, which is never sent on", () => {
    const plain = count({ system: [{ type: "text", text: "You help." }], messages: [question] });
    const withHeader = count({
      system: [
        {
          type: "text",
          text: "x-anthropic-billing-header: cc_version=2.1.1.abc; cc_entrypoint=cli; cch=71fea;",
        },
        { type: "text", text: "You help." },
      ],
      messages: [question],
    });
    expect(withHeader).toBe(plain);
  });
});
