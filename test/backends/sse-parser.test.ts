import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type SseEvent, SseParser } from "../../src/backends/openai-compatible/sse-parser.js";

function parseAll(chunks: Array<Uint8Array | string>): SseEvent[] {
  const parser = new SseParser();
  const events: SseEvent[] = [];
  for (const chunk of chunks) events.push(...parser.push(chunk));
  events.push(...parser.end());
  return events;
}

describe("SseParser", () => {
  it("skips OpenRouter comment lines and reads data events", () => {
    const stream = ': OPENROUTER PROCESSING\n\ndata: {"a":1}\n\n: OPENROUTER PROCESSING\n\ndata: [DONE]\n\n';
    expect(parseAll([stream])).toEqual([
      { event: "message", data: '{"a":1}' },
      { event: "message", data: "[DONE]" },
    ]);
  });

  it("handles \\r\\n and bare \\r line endings, even when a \\r\\n is split across chunks", () => {
    expect(parseAll(["data: one\r", "\n\r", "\ndata: two\r\rdata: three\n\n"])).toEqual([
      { event: "message", data: "one" },
      { event: "message", data: "two" },
      { event: "message", data: "three" },
    ]);
  });

  it("joins multi-line data, keeps event names and ids, and drops events without data", () => {
    const stream = "event: ping\n\nid: 7\nevent: update\ndata: first\ndata:second\ndata\n\n";
    expect(parseAll([stream])).toEqual([{ event: "update", data: "first\nsecond\n", id: "7" }]);
  });

  it("only strips one space after the colon", () => {
    expect(parseAll(["data:  two spaces\n\n"])).toEqual([{ event: "message", data: " two spaces" }]);
  });

  it("dispatches a last event that lacks its closing blank line", () => {
    expect(parseAll(["data: tail"])).toEqual([{ event: "message", data: "tail" }]);
  });

  it("decodes UTF-8 split inside a multi-byte character", () => {
    const bytes = new TextEncoder().encode("data: héllo 🚂\n\n");
    const chunks = Array.from(bytes, (byte) => Uint8Array.of(byte));
    expect(parseAll(chunks)).toEqual([{ event: "message", data: "héllo 🚂" }]);
  });

  // Any split of the same byte stream into chunks must yield the same events as the whole.
  const lineText = fc.string({
    unit: fc.constantFrom("a", "b", " ", ":", "é", "🚂", "{", "}", '"'),
    maxLength: 12,
  });
  const eventArbitrary = fc.record({
    comment: fc.option(lineText, { nil: undefined }),
    name: fc.option(fc.constantFrom("message", "update", "error"), { nil: undefined }),
    dataLines: fc.array(lineText, { minLength: 1, maxLength: 3 }),
  });

  it("parses any chunking of a stream exactly like the unsplit stream", () => {
    fc.assert(
      fc.property(
        fc.array(eventArbitrary, { maxLength: 8 }),
        fc.constantFrom("\n", "\r\n", "\r"),
        fc.array(fc.nat(), { maxLength: 12 }),
        (events, newline, cutPoints) => {
          let text = "";
          for (const event of events) {
            if (event.comment !== undefined) text += `:${event.comment}${newline}`;
            if (event.name !== undefined) text += `event: ${event.name}${newline}`;
            for (const line of event.dataLines) text += `data: ${line}${newline}`;
            text += newline;
          }
          const bytes = new TextEncoder().encode(text);
          const cuts = [...new Set(cutPoints.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
          const chunks: Uint8Array[] = [];
          let start = 0;
          for (const cut of [...cuts, bytes.length]) {
            chunks.push(bytes.subarray(start, cut));
            start = cut;
          }
          const expected = events.map((event) => ({
            event: event.name ?? "message",
            data: event.dataLines.join("\n"),
          }));
          expect(parseAll(chunks)).toEqual(expected);
          expect(parseAll([text])).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});
