/**
 * The ladder, driven through the spine without HTTP: a failed gate climbs with its findings, every
 * attempt is one ledger row linked to the first and written once with its verdict, and the budget,
 * the hop limit, escalation off and streams (buffered or not) behave as configured.
 */
import { afterEach, describe, expect, it } from "vitest";
import { SwitchyardError } from "../../src/errors/switchyard-error.js";
import { collectChatEvents } from "../../src/protocol/chat-types.js";
import type { RequestRecord } from "../../src/store/ledger-store.js";
import { TSC_CHECK } from "../escalation/escalation-fixtures.js";
import { type Spine, startSpine } from "../helpers/spine-harness.js";

let spine: Spine | undefined;
afterEach(async () => {
  await spine?.close();
  spine = undefined;
});

const code = { model: "switchyard/code-generation" };
const lastMessage = (spine: Spine, index: number) =>
  spine.openRouter.calls[index]?.request.messages.at(-1)?.content as string;

/** Counts the ledger writes per row id, to prove each row is written once. */
function countWrites(running: Spine): Map<string, number> {
  const writes = new Map<string, number>();
  const ledger = running.runtime.ledger;
  const record = ledger.record.bind(ledger);
  ledger.record = (row: RequestRecord) => {
    writes.set(row.id, (writes.get(row.id) ?? 0) + 1);
    record(row);
  };
  return writes;
}

describe("climbing the ladder", () => {
  it("goes local → Sonnet → Opus, carrying each rejection's findings up; one row per attempt, written once", async () => {
    spine = await startSpine();
    const writes = countWrites(spine);
    spine.engine.enqueue({ kind: "reply", text: "   " });
    spine.openRouter.enqueue({ kind: "reply", text: "I can't help with that." });
    const { answer, result } = await spine.ask(code);
    expect(result.text).toBe("Hello from anthropic/claude-opus-4.6");
    expect(answer.gated).toMatchObject({
      escalations: 2,
      path: ["local-coder", "cloud-sonnet", "cloud-opus"],
      verdict: "pass",
    });
    expect(answer.step.alias).toBe("cloud-opus");

    const sonnetFeedback = lastMessage(spine, 0);
    expect(sonnetFeedback).toContain(
      "A previous attempt was rejected by a quality check: the answer is empty",
    );
    const opusFeedback = lastMessage(spine, 1);
    expect(opusFeedback).toContain("2 previous attempts were rejected");
    expect(opusFeedback).toContain("attempt 1 (local-coder): the answer is empty");
    expect(opusFeedback).toContain(
      'attempt 2 (cloud-sonnet): the answer refuses the request ("I can\'t help with that.")',
    );
    expect(opusFeedback).toContain("Previous answer:\nI can't help with that.");
    expect(opusFeedback).toContain("Answer the original request correctly.");
    expect(spine.openRouter.calls[1]?.request.messages[0]).toEqual({
      role: "user",
      content: "Write add(a, b) in TypeScript",
    });

    const attempts = await spine.rows();
    expect(attempts.map((row) => [row.alias, row.attempt, row.gateVerdict])).toEqual([
      ["local-coder", 1, "fail"],
      ["cloud-sonnet", 2, "fail"],
      ["cloud-opus", 3, "pass"],
    ]);
    expect(attempts.map((row) => row.parentId)).toEqual([null, attempts[0]!.id, attempts[0]!.id]);
    expect(JSON.parse(attempts[1]!.gateDetail!)).toMatchObject({
      gates: ["structural"],
      findings: [{ gate: "structural", check: "refusal" }],
    });
    expect(answer.id).toBe(attempts[2]?.id);
    expect([...writes.values()].every((count) => count === 1)).toBe(true);
    expect(writes.size).toBe(3);
  });

  it("answers at once when the first answer passes; the call's id is the first attempt's", async () => {
    spine = await startSpine();
    const call = spine.call(code);
    expect(call.plan).toMatchObject({ task: "code-generation", selector: "task-model", confidence: 1 });
    const answer = await call.answer;
    expect(answer.id).toBe(call.id);
    expect(answer.gated).toMatchObject({ escalations: 0, path: ["local-coder"], verdict: "pass" });
    const rows = await spine.rows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: call.id, gateVerdict: "pass", attempt: 1, parentId: null });
  });

  it("stops at the budget mid-ladder and returns the best answer so far, with a note", async () => {
    spine = await startSpine("budget:\n  aliases:\n    cloud-opus: 0\n");
    spine.engine.enqueue({
      kind: "reply",
      text: "export function add(a: number, b: number) {\n  return a +",
      finish: "length",
    });
    spine.openRouter.enqueue({ kind: "reply", text: "I'm sorry, but I can't help with that." });
    const { answer, result } = await spine.ask(code);

    // The cut-off local answer holds more of the work than Sonnet's refusal.
    expect(result.text).toContain("export function add");
    expect(answer.gated?.stopped?.reason).toBe("budget");
    expect(answer.gated?.stopped?.message).toContain("cloud-opus ceiling $0.00");
    expect(answer.gated).toMatchObject({ verdict: "fail", escalations: 1 });
    expect(answer.step.alias).toBe("local-coder");
    expect(spine.openRouter.calls).toHaveLength(1);
    const rows = await spine.rows();
    expect(rows.map((row) => [row.alias, row.attempt, row.status, row.budgetAction])).toEqual([
      ["local-coder", 1, "ok", null],
      ["cloud-sonnet", 2, "ok", null],
      ["cloud-opus", 3, "error", "rejected"],
    ]);
  });

  it("never climbs past escalation.max_hops", async () => {
    spine = await startSpine("escalation:\n  max_hops: 1\n");
    spine.engine.enqueue({ kind: "reply", text: "" });
    spine.openRouter.enqueue({ kind: "reply", text: "" });
    const { answer } = await spine.ask(code);
    expect(answer.gated?.stopped?.reason).toBe("max-hops");
    expect(answer.gated?.path).toEqual(["local-coder", "cloud-sonnet"]);
    expect(spine.openRouter.calls).toHaveLength(1);
  });

  it("stops at the top of the ladder", async () => {
    spine = await startSpine();
    spine.openRouter.enqueue({ kind: "reply", text: "" }, { kind: "reply", text: "" });
    const { answer } = await spine.ask({ model: "switchyard/code-review" });
    expect(answer.gated?.stopped).toEqual({ reason: "top", message: "no rung above cloud-opus" });
  });

  it("with escalation off, gates still record their verdict and nothing is re-asked", async () => {
    spine = await startSpine("escalation:\n  enabled: false\n");
    spine.engine.enqueue({ kind: "reply", text: "I cannot help with that." });
    const { answer } = await spine.ask(code);
    expect(answer.gated?.verdict).toBe("fail");
    expect(spine.openRouter.calls).toHaveLength(0);
    expect((await spine.rows())[0]?.gateVerdict).toBe("fail");
  });

  it("a failure before any answer is the caller's error, recorded once", async () => {
    spine = await startSpine("routing:\n  fallback: false\n");
    const writes = countWrites(spine);
    spine.engine.enqueue({
      kind: "fail",
      error: new SwitchyardError("upstream-unreachable", "engine is down", { backend: "engine" }),
    });
    await expect(spine.ask(code)).rejects.toMatchObject({ code: "upstream-unreachable" });
    const rows = await spine.rows();
    expect(rows.map((row) => [row.alias, row.status, row.errorCode])).toEqual([
      ["local-coder", "error", "upstream-unreachable"],
    ]);
    expect([...writes.values()]).toEqual([1]);
  });
});

describe("streams", () => {
  it("unbuffered: the stream goes out as it comes, and the verdict is recorded after", async () => {
    spine = await startSpine();
    spine.engine.enqueue({ kind: "reply", text: "I can't help with that." });
    const answer = await spine.call({ ...code, stream: true }).answer;
    expect(answer.gated).toBeUndefined();
    expect((await collectChatEvents(answer.events)).text).toBe("I can't help with that.");
    expect(spine.openRouter.calls).toHaveLength(0);
    const rows = await spine.rows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ gateVerdict: "fail", stream: true, status: "ok" });
    expect(rows[0]?.gateDetail).toContain("refusal");
  });

  it("unbuffered, abandoned by the caller: recorded as aborted, without a verdict", async () => {
    spine = await startSpine();
    spine.engine.enqueue({ kind: "reply", text: "partial answer" });
    const answer = await spine.call({ ...code, stream: true }).answer;
    for await (const event of answer.events) if (event.type === "text-delta") break;
    const rows = await spine.rows();
    expect(rows[0]).toMatchObject({ status: "aborted", gateVerdict: null });
    expect(spine.engine.open).toBe(0);
  });

  it("buffered: collected, gated and escalated, then the final answer is replayed", async () => {
    spine = await startSpine("escalation:\n  buffer_streams: true\n");
    spine.engine.enqueue({ kind: "reply", text: "" });
    const answer = await spine.call({ ...code, stream: true }).answer;
    const replayed = await collectChatEvents(answer.events);
    expect(replayed.text).toBe("Hello from anthropic/claude-sonnet-4.5");
    expect(replayed.usage.outputTokens).toBeGreaterThan(0);
    expect(answer.gated?.path).toEqual(["local-coder", "cloud-sonnet"]);
  });
});

describe("caller-named checks", () => {
  it("are refused unless the config allows them, before anything is sent", async () => {
    spine = await startSpine();
    expect(() => spine!.call(code, { checkCommands: ["true"] })).toThrow(/escalation\.allow_check_header/);
    expect(spine.engine.calls).toHaveLength(0);
    expect(await spine.rows()).toEqual([]);
  });

  it("run tsc on the answer's code, and a failing check climbs with the compiler's output", async () => {
    spine = await startSpine("escalation:\n  allow_check_header: true\n");
    spine.engine.enqueue({
      kind: "reply",
      text: "```ts\nexport function add(a: number, b: number): string {\n  return a + b;\n}\n```",
    });
    spine.openRouter.enqueue({
      kind: "reply",
      text: "```ts\nexport function add(a: number, b: number): number {\n  return a + b;\n}\n```",
    });
    const { answer } = await spine.ask(code, { checkCommands: [TSC_CHECK] });
    expect(answer.gated).toMatchObject({ path: ["local-coder", "cloud-sonnet"], verdict: "pass" });
    expect(lastMessage(spine, 0)).toMatch(
      /answer\.ts\(2,3\): error TS2322: Type 'number' is not assignable to type 'string'/,
    );
    const rows = await spine.rows();
    expect(JSON.parse(rows[1]!.gateDetail!).gates).toEqual(["structural", "executable"]);
  }, 30_000);
});
