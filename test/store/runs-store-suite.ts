/**
 * One runs-store suite, run against SQLite and PostgreSQL (style rule 6): runs and their patches,
 * the owner claim two processes race for, steps kept in the order first written even when
 * rewritten, artefacts with and without their content, and pruning of finished runs.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunRecord, RunStepRecord, RunsStore } from "../../src/store/runs-store.js";

export function sampleRun(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    id: "run-1",
    workflow: "feature",
    status: "running",
    reason: null,
    gate: null,
    input: { story: "As a user I want a pager", repo: "/src/app" },
    repo: "/src/app",
    branch: null,
    worktree: null,
    currentStep: null,
    owner: "brain:1",
    createdAt: 1_000,
    updatedAt: 1_000,
    finishedAt: null,
    costUsd: 0,
    inputTokens: 0,
    outputTokens: 0,
    escalations: 0,
    tiers: [],
    outcome: null,
    checkpointsPruned: false,
    ...overrides,
  };
}

export function sampleStep(overrides: Partial<RunStepRecord> = {}): RunStepRecord {
  return {
    runId: "run-1",
    key: "story-drafting",
    node: "story-drafting",
    kind: "model",
    task: "story-drafting",
    status: "done",
    alias: "local-reasoner",
    model: "deepseek-r1:32b",
    tier: 1,
    inputTokens: 120,
    outputTokens: 80,
    costUsd: 0,
    escalations: 0,
    requestId: "0190-req",
    artefactId: "a1",
    detail: "story drafted",
    startedAt: 1_100,
    endedAt: 1_200,
    ...overrides,
  };
}

export function describeRunsStore(name: string, open: () => Promise<RunsStore>) {
  describe(`runs store: ${name}`, () => {
    let store: RunsStore;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it("keeps every field of a run and applies patches", async () => {
      const run = sampleRun({
        gate: { step: "approval", question: "Build it?", findings: ["one gap"], editable: "a2" },
        tiers: [1, 2],
        outcome: { commit: "abc123" },
      });
      await store.createRun(run);
      expect(await store.getRun("run-1")).toEqual(run);
      await store.updateRun("run-1", {
        status: "paused",
        reason: "waiting for approval",
        costUsd: 0.25,
        checkpointsPruned: true,
        updatedAt: 2_000,
        gate: null,
      });
      expect(await store.getRun("run-1")).toEqual({
        ...run,
        status: "paused",
        reason: "waiting for approval",
        costUsd: 0.25,
        checkpointsPruned: true,
        updatedAt: 2_000,
        gate: null,
      });
      expect(await store.getRun("nope")).toBeUndefined();
    });

    it("lets one owner at a time claim a run", async () => {
      await store.createRun(sampleRun({ owner: null }));
      expect(await store.claimRun("run-1", "host:1", null)).toBe(true);
      expect(await store.claimRun("run-1", "host:2", null)).toBe(false);
      expect(await store.claimRun("run-1", "host:2", "host:1")).toBe(true);
      expect((await store.getRun("run-1"))?.owner).toBe("host:2");
      expect(await store.claimRun("run-1", null, "host:2")).toBe(true);
    });

    it("lists newest first, by status", async () => {
      await store.createRun(sampleRun({ id: "a", createdAt: 1 }));
      await store.createRun(sampleRun({ id: "b", createdAt: 3, status: "done" }));
      await store.createRun(sampleRun({ id: "c", createdAt: 2, status: "paused" }));
      expect((await store.listRuns()).map((run) => run.id)).toEqual(["b", "c", "a"]);
      expect((await store.listRuns({ limit: 1 })).map((run) => run.id)).toEqual(["b"]);
      expect((await store.listRuns({ status: ["running", "paused"] })).map((run) => run.id)).toEqual([
        "c",
        "a",
      ]);
    });

    it("keeps steps in the order first written, rewritten in place", async () => {
      await store.createRun(sampleRun());
      await store.putStep(sampleStep({ key: "one", status: "running", endedAt: null }));
      await store.putStep(sampleStep({ key: "two" }));
      await store.putStep(sampleStep({ key: "one", status: "done", costUsd: 0.5 }));
      const steps = await store.steps("run-1");
      expect(steps.map((step) => [step.key, step.status])).toEqual([
        ["one", "done"],
        ["two", "done"],
      ]);
      expect(await store.step("run-1", "one")).toEqual(sampleStep({ key: "one", costUsd: 0.5 }));
      expect(await store.step("run-1", "three")).toBeUndefined();
    });

    it("writes a step with its run's patch, and answers a run's status alone", async () => {
      await store.createRun(sampleRun());
      await store.putStep(sampleStep({ key: "one", status: "running", endedAt: null }), {
        currentStep: "one",
        updatedAt: 1_100,
      });
      expect(await store.step("run-1", "one")).toEqual(
        sampleStep({ key: "one", status: "running", endedAt: null }),
      );
      expect(await store.getRun("run-1")).toEqual(sampleRun({ currentStep: "one", updatedAt: 1_100 }));
      await store.putStep(sampleStep({ key: "one", costUsd: 0.5, tier: 2 }), {
        costUsd: 0.5,
        inputTokens: 120,
        outputTokens: 80,
        tiers: [2],
        updatedAt: 1_200,
      });
      expect((await store.steps("run-1")).map((step) => [step.key, step.status, step.costUsd])).toEqual([
        ["one", "done", 0.5],
      ]);
      expect(await store.getRun("run-1")).toEqual(
        sampleRun({
          currentStep: "one",
          costUsd: 0.5,
          inputTokens: 120,
          outputTokens: 80,
          tiers: [2],
          updatedAt: 1_200,
        }),
      );
      // An empty patch writes the step alone.
      await store.putStep(sampleStep({ key: "two" }), {});
      expect((await store.steps("run-1")).map((step) => step.key)).toEqual(["one", "two"]);
      expect(await store.runStatus("run-1")).toBe("running");
      await store.updateRun("run-1", { status: "cancelled", updatedAt: 1_300 });
      expect(await store.runStatus("run-1")).toBe("cancelled");
      expect(await store.runStatus("nope")).toBeUndefined();
    });

    it("keeps artefacts, lists them without content, and prunes finished runs", async () => {
      await store.createRun(sampleRun({ id: "old", status: "done", updatedAt: 10 }));
      await store.createRun(sampleRun({ id: "waiting", status: "paused", updatedAt: 10 }));
      await store.createRun(sampleRun({ id: "new", status: "done", updatedAt: 5_000 }));
      const artefact = {
        id: "a1",
        runId: "old",
        stepKey: "code-generation",
        kind: "code",
        name: "pager.ts",
        path: "src/pager.ts",
        bytes: 12,
        content: "export {};\n",
        createdAt: 20,
      };
      await store.putArtefact(artefact);
      expect(await store.artefact("a1")).toEqual(artefact);
      const { content: _content, ...summary } = artefact;
      expect(await store.artefacts("old")).toEqual([summary]);
      expect(await store.pruneFinished(1_000)).toEqual(["old"]);
      expect(await store.pruneFinished(1_000)).toEqual([]);
      expect((await store.artefact("a1"))?.content).toBeNull();
      expect((await store.getRun("old"))?.checkpointsPruned).toBe(true);
      expect((await store.getRun("waiting"))?.checkpointsPruned).toBe(false);
    });
  });
}
