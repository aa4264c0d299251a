/**
 * The feature workflow end to end on the spine (real runtime, SQLite ledger, gates) with scripted
 * back ends answering by task kind, against a real git repository whose tests run for real:
 * approval, rejection, an edit, the fix loop, conflict resolution, an escalation, and a budget cap
 * that pauses the run until the cap is raised.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { BackendCall } from "../../src/backends/backend.js";
import { type Spine, startSpine } from "../helpers/spine-harness.js";
import {
  ADD_CODE,
  answerByTask,
  git,
  makeRepository,
  openRuns,
  taskOf,
  WORKFLOW_CONFIG,
} from "../helpers/workflow-harness.js";

type Runs = Awaited<ReturnType<typeof openRuns>>;

const promptsFor = (spine: Spine, task: string) =>
  [...spine.engine.calls, ...spine.openRouter.calls]
    .filter((call) => taskOf(call.request.messages) === task)
    .map((call) => String(call.request.messages.at(-1)?.content ?? ""));

describe("feature workflow", { timeout: 120_000 }, () => {
  let spine: Spine | undefined;
  let runs: Runs | undefined;
  afterEach(async () => {
    await runs?.close();
    await spine?.close();
    runs = undefined;
    spine = undefined;
  });

  async function start(answers: Parameters<typeof answerByTask>[0] = {}, configYaml = WORKFLOW_CONFIG) {
    spine = await startSpine(configYaml, {
      engine: answerByTask(answers),
      openRouter: answerByTask(answers),
    });
    runs = await openRuns(spine.runtime);
    return { spine, runs };
  }

  it("pauses for approval, then writes, tests, reviews and commits on a new branch", async () => {
    const { spine, runs } = await start();
    const repo = makeRepository();
    const started = await runs.start("feature", { story: "Add two numbers", repo });
    const paused = await runs.halted(started.id);
    expect(paused.status, paused.reason ?? "").toBe("paused");
    expect(paused.gate).toMatchObject({ step: "approval", editable: expect.any(String) });
    expect(paused.gate?.findings[0]).toContain("says go");
    // Nothing is made before the approval: no worktree, no branch.
    expect(existsSync(`${repo}.worktrees`)).toBe(false);

    await runs.approve(started.id);
    const done = await runs.halted(started.id);
    expect(done.status, done.reason ?? "").toBe("done");
    expect(done.branch).toMatch(/^switchyard\/feature-[0-9a-f]{8}$/);
    expect(git(repo, "log", "--format=%s", done.branch!)).toContain("feat(add): add two numbers");
    expect(git(repo, "show", "--stat", "--format=", done.branch!)).toContain("src/add.mjs");
    expect(readFileSync(join(done.worktree!, "src/add.mjs"), "utf8")).toBe(ADD_CODE);
    expect(done.outcome).toMatchObject({
      commit: expect.any(String),
      diffStat: expect.stringContaining("2 files changed"),
    });
    // git's one-space indent is taken off every line alike, so the lines print aligned.
    const statLines = String((done.outcome as { diffStat?: string }).diffStat).split("\n");
    expect(statLines.some((line) => line.startsWith("src/add.mjs "))).toBe(true);
    expect(statLines.filter((line) => line.startsWith(" "))).toEqual([]);
    // The user's own working tree is untouched.
    expect(existsSync(join(repo, "src"))).toBe(false);
    expect(git(repo, "status", "--short")).toBe("");

    const { steps, artefacts } = await runs.show(started.id);
    // Code and tests are written in parallel: either may start (and be recorded) first.
    const keys = steps.map((step) => step.key);
    keys.splice(6, 2, ...keys.slice(6, 8).sort());
    expect(keys).toEqual([
      "story-drafting",
      "elaboration",
      "gap-analysis",
      "decision-gate",
      "approval",
      "make-worktree",
      "code-generation#1",
      "test-generation#1",
      "lint#1.1",
      "run-tests#1.1",
      "code-review#1.1",
      "qa-verification#1.1",
      "commit-message",
      "commit",
    ]);
    expect(steps.every((step) => step.status === "done")).toBe(true);
    expect(steps.find((step) => step.key === "run-tests#1.1")?.detail).toMatch(/node --test: passed/);
    expect(artefacts.map((artefact) => artefact.kind)).toEqual(
      expect.arrayContaining([
        "story",
        "spec",
        "code",
        "tests",
        "test-output",
        "review",
        "commit-message",
        "diff-stat",
      ]),
    );

    // Each model step is linked to its ledger rows; the run's totals are theirs.
    const rows = (await spine.rows()).filter((row) => row.frontDoor === "workflow");
    const modelSteps = steps.filter((step) => step.kind === "model");
    expect(rows.map((row) => row.id).sort()).toEqual(modelSteps.map((step) => step.requestId).sort());
    expect(rows.every((row) => row.caller === `run:${started.id}`)).toBe(true);
    const paid = rows.reduce((sum, row) => sum + row.costUsd, 0);
    expect(done.costUsd).toBeCloseTo(paid + (await judgeCost(spine)), 10);
    expect(done.costUsd).toBeGreaterThan(0);
    expect(done.tiers).toEqual([1, 2]);
  });

  it("ends a rejected run with the reason, making nothing", async () => {
    const { runs } = await start();
    const repo = makeRepository();
    const started = await runs.start("feature", { story: "Add two numbers", repo });
    await runs.halted(started.id);
    await runs.reject(started.id, "we already have one in lodash");
    const ended = await runs.halted(started.id);
    expect(ended).toMatchObject({ status: "rejected", reason: "we already have one in lodash", gate: null });
    expect(ended.finishedAt).not.toBeNull();
    expect(existsSync(`${repo}.worktrees`)).toBe(false);
    const steps = await runs.show(started.id);
    expect(steps.steps.at(-1)).toMatchObject({
      key: "approval",
      status: "done",
      detail: "rejected: we already have one in lodash",
    });
    await expect(runs.approve(started.id)).rejects.toThrow(/not waiting for a decision \(it is rejected/);
  });

  it("builds from the specification as a person edited it", async () => {
    const { spine, runs } = await start();
    const repo = makeRepository();
    const started = await runs.start("feature", { story: "Add two numbers", repo });
    const paused = await runs.halted(started.id);
    const shown = await runs.artefact(paused.gate!.editable!);
    expect(shown.content).toContain("# Add two numbers");
    await runs.approve(started.id, { edit: `${shown.content}\n- add must also accept numeric strings` });
    expect((await runs.halted(started.id)).status).toBe("done");
    for (const prompt of [...promptsFor(spine, "code-generation"), ...promptsFor(spine, "test-generation")])
      expect(prompt).toContain("add must also accept numeric strings");
    const approval = (await runs.show(started.id)).steps.find((step) => step.key === "approval");
    expect(approval).toMatchObject({ detail: "edited", artefactId: expect.any(String) });
  });

  it("sends failing tests back to the code with their output, and commits once they pass", async () => {
    let codeRounds = 0;
    const { spine, runs } = await start({
      "code-generation": () =>
        ++codeRounds === 1
          ? '```js title="src/add.mjs"\nexport function add(a, b) {\n  return a - b;\n}\n```'
          : `\`\`\`js title="src/add.mjs"\n${ADD_CODE}\`\`\``,
    });
    const repo = makeRepository();
    const started = await runs.start("feature", { story: "Add two numbers", repo });
    await runs.halted(started.id);
    await runs.approve(started.id);
    const done = await runs.halted(started.id);
    expect(done.status, done.reason ?? "").toBe("done");
    const keys = (await runs.show(started.id)).steps.map((step) => `${step.key}:${step.detail ?? ""}`);
    expect(keys).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^run-tests#1\.1:node --test: failed/),
        expect.stringMatching(/^run-tests#2\.1:node --test: passed/),
      ]),
    );
    const [, second] = promptsFor(spine, "code-generation");
    expect(second).toContain("What this attempt must fix");
    expect(second).toMatch(/AssertionError|Expected values to be strictly equal/);
  });

  it("takes a review that passes and a QA that fails to conflict resolution, which can end the run", async () => {
    const { spine, runs } = await start({
      "qa-verification": JSON.stringify({
        verdict: "fail",
        criteria: [{ criterion: "add(2, 3) is 5", status: "untested", evidence: "no negative cases" }],
        summary: "Not verified.",
      }),
      "conflict-resolution": JSON.stringify({
        decision: "abort",
        reason: "the story is wrong",
        guidance: "",
      }),
    });
    const repo = makeRepository();
    const started = await runs.start("feature", { story: "Add two numbers", repo });
    await runs.halted(started.id);
    await runs.approve(started.id);
    const ended = await runs.halted(started.id);
    expect(ended).toMatchObject({
      status: "rejected",
      reason: "Conflict resolution ended the run: the story is wrong",
    });
    const [prompt] = promptsFor(spine, "conflict-resolution");
    expect(prompt).toContain("the review says pass but QA says fail");
    const resolution = (await runs.show(started.id)).steps.find(
      (step) => step.key === "conflict-resolution#1",
    );
    expect(resolution).toMatchObject({ alias: "cloud-opus", tier: 3 });
  });

  it("escalates the elaboration when its answer fails the gate, and counts it", async () => {
    const { runs } = await start({
      elaboration: (call: BackendCall) =>
        call.model.startsWith("anthropic/")
          ? JSON.stringify({ details: ["d"], assumptions: [], open_questions: [], files: [] })
          : "Here are some thoughts, not JSON.",
    });
    const repo = makeRepository();
    const started = await runs.start("feature", { story: "Add two numbers", repo });
    expect((await runs.halted(started.id)).status).toBe("paused");
    const elaboration = (await runs.show(started.id)).steps.find((step) => step.key === "elaboration");
    expect(elaboration).toMatchObject({ status: "done", alias: "cloud-sonnet", tier: 2, escalations: 1 });
    const run = (await runs.show(started.id)).run;
    expect(run.escalations).toBe(1);
  });

  it("pauses at a budget cap with the reason, and resumes from there once the cap is raised", async () => {
    const directory = mkdtempSync(join(tmpdir(), "switchyard-budget-run-"));
    const database = `database: { url: ${join(directory, "ledger.db")} }\n`;
    const first = await start({}, `${WORKFLOW_CONFIG}\n${database}budget: { monthly_usd: 0.01 }\n`);
    const repo = makeRepository();
    const started = await first.runs.start("feature", { story: "Add two numbers", repo });
    const paused = await first.runs.halted(started.id);
    expect(paused.status).toBe("paused");
    expect(paused.gate).toBeNull();
    expect(paused.reason).toMatch(
      /^Budget: Monthly budget exhausted: monthly total \$0\.01.*switchyard resume/,
    );
    const before = first.runs.events.length;
    expect(promptsFor(first.spine, "gap-analysis")).toHaveLength(0);
    await first.runs.close();
    await first.spine.close();

    // A new process, with the cap raised: the run goes on from the gap analysis.
    const second = await start({}, `${WORKFLOW_CONFIG}\n${database}budget: { monthly_usd: 100 }\n`);
    await second.runs.resume(started.id);
    const resumed = await second.runs.halted(started.id);
    expect(resumed.status, resumed.reason ?? "").toBe("paused");
    expect(resumed.gate?.step).toBe("approval");
    expect(promptsFor(second.spine, "story-drafting")).toHaveLength(0);
    expect(promptsFor(second.spine, "elaboration")).toHaveLength(0);
    expect(promptsFor(second.spine, "gap-analysis")).toHaveLength(1);
    expect(before).toBeGreaterThan(0);
  });
});

/** What the judges (front door "judge") cost: part of a step's cost, linked by parent id. */
async function judgeCost(spine: Spine): Promise<number> {
  return (await spine.rows())
    .filter((row) => row.frontDoor === "judge")
    .reduce((sum, row) => sum + row.costUsd, 0);
}
