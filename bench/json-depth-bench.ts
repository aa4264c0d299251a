/**
 * What the JSON depth bound costs a request: `jsonNestingExceeds` beside `JSON.parse` on request
 * bodies of about 2,000 tokens — a code review (code full of brackets and quotes, inside strings)
 * and plain prose — and on a Claude Code-like body with tool schemas. Run it alone:
 * `npx tsx bench/json-depth-bench.ts`. Not a test: the figures depend on the machine.
 */
import { jsonNestingExceeds, MAX_JSON_DEPTH } from "../src/gateway/json-body-parser.js";

const code = `export function parse(input: string): Record<string, number[]> {
  const result: Record<string, number[]> = {};
  for (const [key, value] of Object.entries(JSON.parse(input))) {
    if (Array.isArray(value)) result[key] = value.map((item) => Number(item["n"] ?? 0));
  }
  return result; // "quoted" and {braces} and [brackets]
}
`;
const prose = "Review this change carefully and say what could break, and why, in plain words. ";

function repeatTo(text: string, characters: number): string {
  return text.repeat(Math.ceil(characters / text.length)).slice(0, characters);
}

const tool = (index: number) => ({
  name: `tool_${index}`,
  description: prose,
  input_schema: {
    type: "object",
    properties: {
      path: { type: "string", description: "a file" },
      edits: { type: "array", items: { type: "object", properties: { from: { type: "string" } } } },
    },
    required: ["path"],
  },
});

const bodies: Record<string, string> = {
  "code review, ~2k tokens": JSON.stringify({
    model: "switchyard/code-review",
    max_tokens: 1000,
    messages: [
      { role: "system", content: "You are a careful reviewer." },
      { role: "user", content: repeatTo(code, 8_000) },
    ],
  }),
  "prose, ~2k tokens": JSON.stringify({
    model: "switchyard/auto",
    messages: [{ role: "user", content: repeatTo(prose, 8_000) }],
  }),
  "20 tools + 2k tokens": JSON.stringify({
    model: "claude-sonnet-4-5",
    max_tokens: 1000,
    tools: Array.from({ length: 20 }, (_, index) => tool(index)),
    messages: [{ role: "user", content: repeatTo(code, 8_000) }],
  }),
};

function microseconds(run: () => unknown): number {
  for (let index = 0; index < 20_000; index++) run();
  const rounds = 100_000;
  const started = process.hrtime.bigint();
  for (let index = 0; index < rounds; index++) run();
  return Number(process.hrtime.bigint() - started) / rounds / 1_000;
}

for (const [name, body] of Object.entries(bodies)) {
  const depth = microseconds(() => jsonNestingExceeds(body, MAX_JSON_DEPTH));
  const parse = microseconds(() => JSON.parse(body));
  console.log(
    `${name.padEnd(26)} ${String(body.length).padStart(6)} chars: depth check ${depth.toFixed(2)} µs, JSON.parse ${parse.toFixed(2)} µs (${((depth / parse) * 100).toFixed(0)}%)`,
  );
}
