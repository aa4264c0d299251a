/**
 * The review workflow end to end on the spine (real runtime, SQLite ledger, gates, the built-in
 * git and fs servers) with scripted back ends, against real git repositories whose tests run for
 * real: a branch reviewed against main (lint ∥ a local review ∥ the tests, then a synthesis on
 * Sonnet), the checked-out branch, a diff file applied in a worktree whose tests then fail (the verdict follows the tests),
 * and a diff file on its own (no tests to run).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { BackendCall } from "../../src/backends/backend.js";
import { type Spine, startSpine } from "../helpers/spine-harness.js";
import {
  ADD_CODE,
  ADD_TEST,
  answerByTask,
  git,
  makeRepository,
  openRuns,
  taskOf,
  WORKFLOW_CONFIG,
} from "../helpers/workflow-harness.js";

type Runs = Awaited<ReturnType<typeof openRuns>>;

const SUB_CODE = "export function sub(a, b) {\n  return a - b;\n}\n";
const SUB_TEST = `import { test } from "node:test";
import assert from "node:assert/strict";
import { sub } from "../src/sub.mjs";

test("subtracts", () => {
  assert.equal(sub(5, 3), 2);
});
`;

const review = (verdict: "pass" | "fail", summary: string, blocking: object[] = []) =>
  JSON.stringify({ verdict, summary, blocking, notes: ["name the parameters"] });

/** The first review (on the Engine) passes; the synthesis (on Sonnet) says what it says. */
const codeReview = (synthesis: string) => (call: BackendCall) =>
  call.model.startsWith("anthropic/") ? synthesis : review("pass", "Looks fine locally.");

/** A repository whose main has add(), with a branch feature/sub that adds sub() and its test. */
function repositoryWithBranch(): string {
  const repo = makeRepository({ "src/add.mjs": ADD_CODE, "test/add.test.mjs": ADD_TEST });
  git(repo, "checkout", "-q", "-b", "feature/sub");
  writeFileSync(join(repo, "src/sub.mjs"), SUB_CODE);
  writeFileSync(join(repo, "test/sub.test.mjs"), SUB_TEST);
  git(repo, "add", ".");
  git(repo, "-c", "user.name=T", "-c", "user.email=t@e.x", "commit", "-q", "-m", "add sub");
  git(repo, "checkout", "-q", "main");
  return repo;
}

const promptsFor = (spine: Spine, task: string) =>
  [...spine.engine.calls, ...spine.openRouter.calls]
    .filter((call) => taskOf(call.request.messages) === task)
    .map((call) => ({ model: call.model, prompt: String(call.request.messages.at(-1)?.content ?? "") }));

describe("review workflow", { timeout: 120_000 }, () => {
  let spine: Spine | undefined;
  let runs: Runs | undefined;
  afterEach(async () => {
    await runs?.close();
    await spine?.close();
    runs = undefined;
    spine = undefined;
  });

  async function start(answers: Parameters<typeof answerByTask>[0]) {
    const all = { lint: "src/sub.mjs:1: no problems worth fixing.", ...answers };
    spine = await startSpine(WORKFLOW_CONFIG, { engine: answerByTask(all), openRouter: answerByTask(all) });
    runs = await openRuns(spine.runtime);
    return { spine, runs };
  }

  it("reviews a branch against main: lint, a local review and the tests, then a synthesis on Sonnet", async () => {
    const { spine, runs } = await start({
      "code-review": codeReview(review("pass", "A small, tested addition.")),
    });
    const repo = repositoryWithBranch();
    const started = await runs.start("review", { repo, branch: "feature/sub" });
    const done = await runs.halted(started.id);
    expect(done.status, done.reason ?? "").toBe("done");
    expect(done.outcome).toMatchObject({
      verdict: "pass",
      tests: "passed",
      blocking: 0,
      diffStat: expect.stringContaining("2 files changed"),
    });

    const { steps } = await runs.show(started.id);
    expect(steps.map((step) => step.key).sort()).toEqual(
      ["diff", "lint", "local-review", "make-worktree", "report", "run-tests", "synthesise"].sort(),
    );
    expect(steps.find((step) => step.key === "local-review")).toMatchObject({
      task: "code-review",
      alias: "local-coder",
      tier: 1,
    });
    expect(steps.find((step) => step.key === "synthesise")).toMatchObject({ alias: "cloud-sonnet", tier: 2 });
    expect(steps.find((step) => step.key === "run-tests")?.detail).toMatch(/^node --test: passed/);
    expect(done.tiers).toEqual([1, 2]);

    // The synthesis saw the lint, the first review and the real test output.
    const [synthesis] = promptsFor(spine, "code-review").filter((call) =>
      call.model.startsWith("anthropic/"),
    );
    expect(synthesis?.prompt).toContain("src/sub.mjs:1: no problems worth fixing.");
    expect(synthesis?.prompt).toContain("Looks fine locally.");
    expect(synthesis?.prompt).toMatch(/# pass 2/);
    const [local] = promptsFor(spine, "code-review").filter((call) => !call.model.startsWith("anthropic/"));
    expect(local?.prompt).toContain("+export function sub(a, b) {");
    expect(local?.prompt).not.toContain("export function add");

    const report = (await runs.artefact(done.outcome!.report as string)).content!;
    expect(report).toContain("# Review: feature/sub against main");
    expect(report).toContain("Verdict: **pass**. A small, tested addition.");
    expect(report).toContain("- nothing blocks");
    // The tests ran in a worktree at the branch; the user's checkout is as it was.
    expect(git(done.worktree!, "log", "-1", "--format=%s")).toBe("add sub\n");
    expect(git(repo, "rev-parse", "--abbrev-ref", "HEAD")).toBe("main\n");
    expect(git(repo, "status", "--short")).toBe("");
  });

  it("reviews the checked-out branch by its name when no --branch is given", async () => {
    const { runs } = await start({ "code-review": codeReview(review("pass", "Fine.")) });
    const repo = repositoryWithBranch();
    git(repo, "checkout", "-q", "feature/sub");
    const started = await runs.start("review", { repo });
    const done = await runs.halted(started.id);
    expect(done.status, done.reason ?? "").toBe("done");
    expect(done.outcome).toMatchObject({ verdict: "pass", tests: "passed" });
    const report = (await runs.artefact(done.outcome!.report as string)).content!;
    expect(report).toContain("# Review: feature/sub against main");
    expect(git(repo, "rev-parse", "--abbrev-ref", "HEAD")).toBe("feature/sub\n");
  });

  it("applies a diff file in a worktree and fails the change when its tests fail, whatever the review says", async () => {
    const { runs } = await start({
      "code-review": codeReview(review("pass", "Reads well.")),
    });
    const repo = repositoryWithBranch();
    const broken = join(mkdtempSync(join(tmpdir(), "switchyard-diff-")), "break add.diff");
    git(repo, "checkout", "-q", "-b", "broken");
    writeFileSync(join(repo, "src/add.mjs"), ADD_CODE.replace("a + b", "a - b"));
    writeFileSync(broken, git(repo, "diff"));
    git(repo, "checkout", "-q", "--", ".");
    git(repo, "checkout", "-q", "main");

    const started = await runs.start("review", { repo, diff: broken });
    const done = await runs.halted(started.id);
    expect(done.status, done.reason ?? "").toBe("done");
    expect(done.outcome).toMatchObject({ verdict: "fail", tests: "failed" });
    const { steps } = await runs.show(started.id);
    expect(steps.find((step) => step.key === "apply-diff")?.detail).toBe("applied to HEAD");
    expect(steps.find((step) => step.key === "run-tests")?.detail).toMatch(/^node --test: failed/);
    const report = (await runs.artefact(done.outcome!.report as string)).content!;
    expect(report).toContain("# Review: break add.diff");
    expect(report).toContain("Verdict: **fail** (the review passes it, but the tests fail). Reads well.");
    expect(report).toContain("1 file changed, 1 insertions(+), 1 deletions(-)");
    expect(git(repo, "status", "--short")).toBe("");
  });

  it("reviews a diff file on its own without running tests, and reports what blocks it", async () => {
    const { runs } = await start({
      "code-review": codeReview(
        review("fail", "Subtraction is not covered.", [
          { file: "src/sub.mjs", issue: "no test for negatives", fix: "add one" },
        ]),
      ),
    });
    const repo = repositoryWithBranch();
    const file = join(mkdtempSync(join(tmpdir(), "switchyard-diff-")), "change.diff");
    writeFileSync(
      file,
      execFileSync("git", ["-C", repo, "diff", "main...feature/sub"], { encoding: "utf8" }),
    );

    const started = await runs.start("review", { diff: file });
    const done = await runs.halted(started.id);
    expect(done.status, done.reason ?? "").toBe("done");
    expect(done.outcome).toMatchObject({ verdict: "fail", tests: "not run", blocking: 1 });
    expect(done.worktree).toBeNull();
    const { steps } = await runs.show(started.id);
    expect(steps.find((step) => step.key === "make-worktree")).toMatchObject({ status: "skipped" });
    expect(steps.find((step) => step.key === "run-tests")).toMatchObject({
      status: "skipped",
      detail: "not run: no repository to run the tests in (--repo)",
    });
    const report = (await runs.artefact(done.outcome!.report as string)).content!;
    expect(report).toContain("- src/sub.mjs: no test for negatives (fix: add one)");
    expect(report).toContain("Tests: not run: no repository to run the tests in (--repo)");
  });
});
