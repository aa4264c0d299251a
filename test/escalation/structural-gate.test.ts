/**
 * The structural gate on its own: each check with an answer that passes and one that fails, and
 * the readings behind them (refusals, loops, JSON Schema, judge verdicts).
 */
import { describe, expect, it } from "vitest";
import { parseJudgeVerdict } from "../../src/escalation/judge-verdict.js";
import { outcomeRank } from "../../src/escalation/quality-gate.js";
import { structuralFindings } from "../../src/escalation/structural-gate.js";
import { findRefusal, findRepetition } from "../../src/escalation/text-defects.js";
import type { ChatRequest, ChatResult } from "../../src/protocol/chat-types.js";

const request: ChatRequest = { model: "auto", messages: [{ role: "user", content: "hi" }], stream: false };

function result(overrides: Partial<ChatResult> = {}): ChatResult {
  return {
    text: "A fine answer.",
    reasoning: "",
    toolCalls: [],
    finishReason: "stop",
    usage: { inputTokens: 1, outputTokens: 1 },
    ...overrides,
  };
}

const checks = (chatRequest: ChatRequest, chatResult: ChatResult) =>
  structuralFindings(chatRequest, chatResult).map((finding) => finding.check);

describe("structural gate", () => {
  it("passes an ordinary answer", () => {
    expect(structuralFindings(request, result())).toEqual([]);
  });

  it("fails an empty or whitespace answer, and says when reasoning ate the token limit", () => {
    expect(checks(request, result({ text: "  \n " }))).toEqual(["empty"]);
    const [finding] = structuralFindings(
      request,
      result({ text: "", reasoning: "hmm", finishReason: "length" }),
    );
    expect(finding?.message).toContain("spent on reasoning");
    expect(
      checks(request, result({ text: "", toolCalls: [{ id: "1", name: "x", arguments: "{}" }] })),
    ).not.toContain("empty");
  });

  it("fails an answer cut off by the token limit, unless the caller chose a small limit", () => {
    const cut = result({ text: "function add(a, b) {", finishReason: "length" });
    expect(checks(request, cut)).toEqual(["length"]);
    expect(checks({ ...request, maxTokens: 32_000 }, cut)).toEqual(["length"]);
    // A small limit the caller chose binds every rung alike, so climbing cannot fix it.
    expect(checks({ ...request, maxTokens: 50 }, cut)).toEqual([]);
  });

  it("fails refusals but not answers that mention a limitation later", () => {
    expect(checks(request, result({ text: "I can't help with that." }))).toEqual(["refusal"]);
    expect(checks(request, result({ text: "I’m sorry, but I cannot assist with this request." }))).toEqual([
      "refusal",
    ]);
    expect(
      checks(
        request,
        result({ text: "Here is the fix. Note that I can't run it, so please test it:\n```ts\nx()\n```" }),
      ),
    ).toEqual([]);
  });

  it("fails repetition loops, not healthy repeated code lines", () => {
    const loop = `Here is the plan.\n${"and then we retry the request. ".repeat(20)}`;
    expect(checks(request, result({ text: loop }))).toEqual(["repetition"]);
    const lines = Array.from({ length: 12 }, () => "console.log('hello world');").join("\n");
    expect(findRepetition(lines)?.times).toBeGreaterThanOrEqual(11);
    const code = Array.from(
      { length: 30 },
      (_, index) => `  if (x === ${index}) {\n    go(${index});\n  }`,
    ).join("\n");
    expect(findRepetition(code)).toBeUndefined();
  });

  it("checks JSON output and its schema when the request asked for one", () => {
    const json: ChatRequest = { ...request, responseFormat: { type: "json" } };
    expect(checks(json, result({ text: '{"ok": true}' }))).toEqual([]);
    expect(checks(json, result({ text: "Sure! ```json\n{}\n```" }))).toEqual(["json"]);
    const schema: ChatRequest = {
      ...request,
      responseFormat: {
        type: "json-schema",
        name: "ticket",
        schema: {
          type: "object",
          properties: { title: { type: "string" }, priority: { enum: ["low", "high"] } },
          required: ["title", "priority"],
          additionalProperties: false,
        },
      },
    };
    expect(checks(schema, result({ text: '{"title": "x", "priority": "low"}' }))).toEqual([]);
    const [finding] = structuralFindings(
      schema,
      result({ text: '{"title": 3, "priority": "urgent", "extra": 1}' }),
    );
    expect(finding?.check).toBe("json-schema");
    expect(finding?.message).toContain('"ticket"');
    expect(finding?.message).toContain("title");
    expect(finding?.message).toContain("priority");
  });

  it("checks tool calls: known name, JSON arguments that fit the parameters, required calls", () => {
    const tools: ChatRequest = {
      ...request,
      tools: [
        {
          name: "read_file",
          parameters: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
        },
      ],
    };
    const call = (name: string, args: string) =>
      result({ text: "", toolCalls: [{ id: "c1", name, arguments: args }] });
    expect(checks(tools, call("read_file", '{"path": "a.ts"}'))).toEqual([]);
    expect(structuralFindings(tools, call("delete_file", "{}"))[0]?.message).toContain("offered: read_file");
    expect(structuralFindings(tools, call("read_file", '{"path": '))[0]?.message).toContain("not valid JSON");
    expect(structuralFindings(tools, call("read_file", '{"path": 7}'))[0]?.message).toContain("do not match");
    expect(checks({ ...tools, toolChoice: "required" }, result())).toEqual(["tool-call"]);
  });

  it("ranks failed answers so the best one can be returned", () => {
    const fail = (check: string) => ({
      verdict: "fail" as const,
      gatesRun: [],
      findings: [{ gate: "structural" as const, check, message: "" }],
      durationMs: 0,
    });
    expect(outcomeRank(fail("length"))).toBeGreaterThan(outcomeRank(fail("refusal")));
    expect(outcomeRank(undefined)).toBeGreaterThan(outcomeRank(fail("length")));
  });
});

describe("readings", () => {
  it("finds refusals only at the start of short answers", () => {
    expect(findRefusal("As an AI language model, I cannot browse the web.")).toBeDefined();
    expect(findRefusal("I cannot help with that request, sorry.")).toBeDefined();
    expect(findRefusal("Unfortunately, I am unable to do that.")).toBeDefined();
    expect(findRefusal("The test fails because I can't see the fixture. Here is why...")).toBeUndefined();
    expect(findRefusal(`I can't help with that. ${"x".repeat(700)}`)).toBeUndefined();
  });

  it("reads judge verdicts wherever the model put them", () => {
    expect(parseJudgeVerdict('{"score": 8, "reasons": ["clear"]}')).toEqual({ score: 8, reasons: ["clear"] });
    expect(
      parseJudgeVerdict(
        '<think>let me see {"score": 1}</think>\n```json\n{"score": "6/10", "reasons": "thin"}\n```',
      ),
    ).toEqual({
      score: 6,
      reasons: ["thin"],
    });
    expect(parseJudgeVerdict('Verdict: {"notes": {"a": 1}, "score": 12}')).toEqual({
      score: 10,
      reasons: [],
    });
    expect(parseJudgeVerdict("Overall I'd give it 7/10.")?.score).toBe(7);
    expect(parseJudgeVerdict("Looks fine to me.")).toBeUndefined();
  });
});
