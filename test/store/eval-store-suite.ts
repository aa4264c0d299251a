/**
 * One suite for the evaluation results, run against SQLite and PostgreSQL: every field survives a
 * round trip, reads by time window and by run, the last run, and an upsert by id.
 */
import { describe, expect, it } from "vitest";
import type { EvalResultRecord, EvalStore } from "../../src/store/eval-store.js";

let sequence = 0;

/** A complete result with plausible values. */
export function sampleEvalResult(overrides: Partial<EvalResultRecord> = {}): EvalResultRecord {
  sequence++;
  return {
    id: `eval-${sequence}`,
    runId: "run-1",
    startedAt: Date.UTC(2025, 5, 1) + sequence,
    suiteVersion: "2025.1",
    taskId: "codegen-js-chunk",
    taskKind: "code-generation",
    target: "local-coder",
    verdict: "pass",
    evidence: "executable",
    detail: null,
    requestId: `req-${sequence}`,
    answerAlias: "local-coder",
    answerTier: 1,
    path: ["local-coder"],
    calls: 1,
    escalations: 0,
    costUsd: 0,
    inputTokens: 240,
    outputTokens: 180,
    latencyMs: 5_120.5,
    judgeRequestId: null,
    judgeScore: null,
    judgeCostUsd: 0,
    ...overrides,
  };
}

export function describeEvalStore(
  name: string,
  open: () => Promise<{ store: EvalStore; close(): Promise<void> }>,
) {
  describe(`eval results: ${name}`, () => {
    it("keeps every field, and reads a window and a run oldest first", async () => {
      const { store, close } = await open();
      try {
        const ladder = sampleEvalResult({
          runId: "run-2",
          startedAt: 2_000,
          target: "ladder",
          taskId: "gaps-backups",
          taskKind: "gap-analysis",
          verdict: "fail",
          evidence: "judge",
          detail: "the judge scored it 3/10, below 7",
          answerAlias: "cloud-opus",
          answerTier: 3,
          path: ["cloud-sonnet", "cloud-opus"],
          calls: 3,
          escalations: 1,
          costUsd: 0.0421,
          judgeRequestId: "judge-1",
          judgeScore: 3,
          judgeCostUsd: 0.0102,
        });
        const noAnswer = sampleEvalResult({
          runId: "run-2",
          startedAt: 1_000,
          verdict: "error",
          detail: "no answer: engine: connection refused",
          requestId: null,
          answerAlias: null,
          answerTier: null,
          path: [],
          calls: 0,
        });
        const older = sampleEvalResult({ runId: "run-1", startedAt: 500 });
        await store.record([ladder, noAnswer, older]);
        expect(await store.between(600, 3_000)).toEqual([noAnswer, ladder]);
        expect(await store.run("run-2")).toEqual([noAnswer, ladder]);
        expect(await store.run("run-1")).toEqual([older]);
        expect(await store.lastRunId()).toBe("run-2");
      } finally {
        await close();
      }
    });

    it("replaces a result recorded again under its id; an empty store has no last run", async () => {
      const { store, close } = await open();
      try {
        expect(await store.lastRunId()).toBeUndefined();
        await store.record([]);
        const first = sampleEvalResult({ startedAt: 10 });
        await store.record([first]);
        await store.record([{ ...first, verdict: "fail", detail: "re-checked" }]);
        expect(await store.between(0, 100)).toEqual([{ ...first, verdict: "fail", detail: "re-checked" }]);
      } finally {
        await close();
      }
    });
  });
}
