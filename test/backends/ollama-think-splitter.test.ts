/** The `<think>` splitter: same answer however the content is chunked, and only a leading block counts. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ThinkSplitter } from "../../src/backends/ollama/ollama-think-splitter.js";

function run(chunks: string[]): { text: string; reasoning: string } {
  const splitter = new ThinkSplitter();
  const output = { text: "", reasoning: "" };
  const pieces = [...chunks.flatMap((chunk) => splitter.push(chunk)), ...splitter.flush()];
  for (const piece of pieces) {
    expect(piece.text.length).toBeGreaterThan(0);
    output[piece.kind === "text" ? "text" : "reasoning"] += piece.text;
  }
  return output;
}

function cut(text: string, cutPoints: number[]): string[] {
  const points = [...new Set(cutPoints.map((point) => point % (text.length + 1)))].sort((a, b) => a - b);
  const chunks: string[] = [];
  let start = 0;
  for (const point of points) {
    chunks.push(text.slice(start, point));
    start = point;
  }
  chunks.push(text.slice(start));
  return chunks;
}

const stripLeading = (text: string) => text.replace(/^[ \n\r\t]+/, "");
const strip = (text: string) => stripLeading(text).replace(/[ \n\r\t]+$/, "");
/** Characters that make tags and near-tags likely. */
const tagLike = fc.string({
  unit: fc.constantFrom("a", "<", ">", "/", "t", "h", "i", "n", "k", " ", "\n"),
  maxLength: 40,
});
const cutPoints = fc.array(fc.nat({ max: 200 }), { maxLength: 30 });

describe("ThinkSplitter", () => {
  it("moves a leading think block into reasoning, trimming the whitespace around the tags", () => {
    expect(run(["<think>\nI should greet.\n</think>\n\nHello!"])).toEqual({
      reasoning: "I should greet.",
      text: "Hello!",
    });
  });

  it("handles tags split across chunks", () => {
    expect(run(["  <th", "ink>ab", "c</th", "ink>", "\n", "done"])).toEqual({
      reasoning: "abc",
      text: "done",
    });
  });

  it("leaves a <think> that does not open the answer in the text", () => {
    expect(run(["Use the <think> tag ", "like <think>this</think>."])).toEqual({
      reasoning: "",
      text: "Use the <think> tag like <think>this</think>.",
    });
  });

  it("keeps an unfinished block as reasoning and an unfinished opening tag as text", () => {
    expect(run(["<think>still going</thi"])).toEqual({ reasoning: "still going</thi", text: "" });
    expect(run(["  <thi"])).toEqual({ reasoning: "", text: "  <thi" });
  });

  it("gives the same reasoning and text at any chunk boundaries", () => {
    fc.assert(
      fc.property(
        tagLike.filter((reasoning) => !reasoning.includes("</think>")),
        tagLike,
        fc.constantFrom("", " ", "\n\n"),
        cutPoints,
        (reasoning, text, leading, points) => {
          const content = `${leading}<think>${reasoning}</think>${text}`;
          const expected = { reasoning: strip(reasoning), text: stripLeading(text) };
          expect(run([content])).toEqual(expected);
          expect(run(cut(content, points))).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("passes content without a leading think block through untouched, however chunked", () => {
    fc.assert(
      fc.property(
        tagLike.filter((text) => !stripLeading(text).startsWith("<think>")),
        cutPoints,
        (text, points) => {
          expect(run(cut(text, points))).toEqual({ reasoning: "", text });
        },
      ),
      { numRuns: 500 },
    );
  });
});
