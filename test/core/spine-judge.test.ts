/**
 * The judge gate through the spine: a scripted judge returns a JSON score; a low score climbs the
 * ladder with the judge's reasons, a high one passes, and a judge that cannot answer is no
 * evidence either way. Judge calls are ledger rows of their own (front door "judge"), linked to the
 * attempt they graded, and budgeted like any call.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type Spine, startSpine } from "../helpers/spine-harness.js";

let spine: Spine | undefined;
afterEach(async () => {
  await spine?.close();
  spine = undefined;
});

describe("judge gate", () => {
  it("a low score from the rung above climbs, with the judge's reasons as feedback", async () => {
    spine = await startSpine("gates:\n  gap-analysis:\n    judge: { threshold: 7 }\n");
    spine.openRouter.enqueue(
      { kind: "reply", text: "Gap analysis v1: looks complete." },
      {
        kind: "reply",
        text: 'Here is my verdict:\n{"score": 3, "reasons": ["misses the missing auth on /admin"]}',
      },
      { kind: "reply", text: "Gap analysis v2: /admin has no auth check." },
    );
    const { answer, result } = await spine.ask({
      model: "switchyard/gap-analysis",
      content: "What is missing before we ship the admin panel?",
    });
    expect(result.text).toBe("Gap analysis v2: /admin has no auth check.");
    expect(answer.gated?.path).toEqual(["cloud-sonnet", "cloud-opus"]);
    const [graded, judge, escalated] = spine.openRouter.calls;
    expect(graded?.model).toBe("anthropic/claude-sonnet-4.5");
    // The judge is the rung above (Opus), asked for a JSON verdict on the task's rubric.
    expect(judge?.model).toBe("anthropic/claude-opus-4.6");
    expect(judge?.request.messages[0]?.content).toContain('{"score": <0-10>');
    expect(judge?.request.messages[0]?.content).toContain("real gaps");
    expect(judge?.request.messages[1]?.content).toContain("Gap analysis v1: looks complete.");
    expect(judge?.request.maxTokens).toBe(800);
    expect(escalated?.request.messages.at(-1)?.content).toContain(
      "scored the answer 3/10, below the required 7: misses the missing auth on /admin",
    );
    // Opus answered and there is no rung above it to judge: it stands on the structural gate.
    expect(spine.openRouter.calls).toHaveLength(3);

    const rows = await spine.rows();
    const first = rows.find((row) => row.attempt === 1 && row.frontDoor === "test")!;
    const judgeRow = rows.find((row) => row.frontDoor === "judge")!;
    expect(judgeRow).toMatchObject({
      parentId: first.id,
      attempt: 1,
      alias: "cloud-opus",
      task: "gap-analysis",
    });
    expect(judgeRow.costUsd).toBeGreaterThan(0);
    expect(first.gateVerdict).toBe("fail");
    expect(JSON.parse(first.gateDetail!)).toMatchObject({
      gates: ["structural", "judge"],
      judge: { alias: "cloud-opus", score: 3, threshold: 7, requestId: judgeRow.id },
    });
    const second = rows.find((row) => row.attempt === 2 && row.frontDoor === "test")!;
    expect(second).toMatchObject({ parentId: first.id, gateVerdict: "pass" });
  });

  it("a local judge's passing score keeps the answer local", async () => {
    spine = await startSpine("gates:\n  story-drafting:\n    judge: { alias: local-coder, threshold: 6 }\n");
    spine.engine.enqueue(
      { kind: "reply", text: "As a user I want to reset my password so that I can log in." },
      { kind: "reply", text: '```json\n{"score": "8", "reasons": ["testable criteria"]}\n```' },
    );
    const { answer, result } = await spine.ask({
      model: "switchyard/story-drafting",
      content: "Draft a story for password reset",
    });
    expect(result.text).toContain("reset my password");
    expect(answer.gated).toMatchObject({ verdict: "pass", escalations: 0 });
    expect(spine.openRouter.calls).toHaveLength(0);
    expect(spine.engine.calls[1]?.model).toBe("qwen2.5-coder:32b");
    const rows = await spine.rows();
    expect(rows.find((row) => row.frontDoor === "test")?.gateDetail).toContain('"score":8');
  });

  it("a judge that gives no score is inconclusive: the answer is not failed for it", async () => {
    spine = await startSpine("gates:\n  gap-analysis:\n    judge: {}\n");
    spine.openRouter.enqueue(
      { kind: "reply", text: "Analysis." },
      { kind: "reply", text: "It seems fine, I suppose." },
    );
    const { answer } = await spine.ask({ model: "switchyard/gap-analysis", content: "gaps?" });
    expect(answer.gated).toMatchObject({ verdict: "pass", escalations: 0 });
    const rows = await spine.rows();
    const detail = JSON.parse(rows.find((row) => row.frontDoor === "test")!.gateDetail!);
    expect(detail.gates).toEqual(["structural"]);
    expect(detail.findings[0]).toMatchObject({ gate: "judge", check: "inconclusive" });
  });

  it("a judge over budget is unavailable, never a failure, and its refusal is a row of its own", async () => {
    spine = await startSpine(
      "gates:\n  gap-analysis:\n    judge: {}\nbudget:\n  aliases:\n    cloud-opus: 0\n",
    );
    const { answer } = await spine.ask({ model: "switchyard/gap-analysis", content: "gaps?" });
    expect(answer.gated).toMatchObject({ verdict: "pass", escalations: 0 });
    const rows = await spine.rows();
    const detail = JSON.parse(rows.find((row) => row.frontDoor === "test")!.gateDetail!);
    expect(detail.findings[0]).toMatchObject({ gate: "judge", check: "unavailable" });
    expect(rows.find((row) => row.frontDoor === "judge")).toMatchObject({
      status: "error",
      budgetAction: "rejected",
      alias: "cloud-opus",
    });
  });
});
