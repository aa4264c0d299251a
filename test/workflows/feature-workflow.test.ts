/**
 * The feature workflow end to end on the spine with scripted back ends: a story to a commit on a
 * new branch in a real repository, paused for a person at the approval gate.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type Spine, startSpine } from "../helpers/spine-harness.js";
import { answerByTask, git, makeRepository, openRuns, WORKFLOW_CONFIG } from "../helpers/workflow-harness.js";

describe("feature workflow", () => {
  let spine: Spine;
  let runs: Awaited<ReturnType<typeof openRuns>>;
  afterEach(async () => {
    await runs?.close();
    await spine?.close();
  });

  it("pauses for approval, then writes, tests, reviews and commits on a new branch", async () => {
    spine = await startSpine(WORKFLOW_CONFIG, { engine: answerByTask(), openRouter: answerByTask() });
    runs = await openRuns(spine.runtime);
    runs.subscribe((event) =>
      console.error(performance.now().toFixed(0), JSON.stringify(event).slice(0, 300)),
    );
    const repo = makeRepository();
    const started = await runs.start("feature", { story: "Add two numbers", repo });
    const paused = await runs.halted(started.id);
    expect(paused.status, paused.reason ?? "").toBe("paused");
    expect(paused.gate?.step).toBe("approval");
    const approved = await runs.approve(started.id);
    expect(approved.id).toBe(started.id);
    const done = await runs.halted(started.id);
    expect(done.status, done.reason ?? "").toBe("done");
    const detail = await runs.show(started.id);
    console.log(
      detail.steps.map((s) => `${s.key} ${s.status} ${s.alias} ${s.costUsd} ${s.detail}`).join("\n"),
    );
    expect(done.branch).toMatch(/^switchyard\/feature-/);
    expect(existsSync(join(repo, "src/add.mjs"))).toBe(false);
    expect(git(repo, "log", "--format=%s", done.branch!)).toContain("feat(add): add two numbers");
    expect(readFileSync(join(done.worktree!, "src/add.mjs"), "utf8")).toContain("return a + b");
  }, 120_000);
});
