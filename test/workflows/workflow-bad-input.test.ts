/**
 * Bad input to the workflows — an unknown workflow, a missing or wrong repository, uncommitted
 * changes, a branch that is not there, nothing to review, a file that is not a diff, an unknown run
 * id — is one clear line and changes nothing: no run row, no worktree, no branch, the working tree
 * as it was. Once through the runs service, and once as the `switchyard` command (exit 2, one line
 * on stderr).
 */
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStores } from "../../src/store/open-stores.js";
import { CLI_TEST_TIMEOUT_MS, expectOneLine, runSwitchyard } from "../helpers/cli-process.js";
import { type Spine, startSpine } from "../helpers/spine-harness.js";
import { git, makeRepository, openRuns, WORKFLOW_CONFIG } from "../helpers/workflow-harness.js";

type Runs = Awaited<ReturnType<typeof openRuns>>;

/** What a refused start must leave as it was: no run, no worktree, no new branch, a clean tree. */
async function expectNothingMade(runs: Runs, repo: string, status = "") {
  expect(await runs.list()).toEqual([]);
  expect(existsSync(`${repo}.worktrees`)).toBe(false);
  expect(git(repo, "branch", "--format=%(refname:short)").trim().split("\n").sort()).toEqual(
    expect.not.arrayContaining([expect.stringMatching(/^switchyard\//)]),
  );
  expect(git(repo, "status", "--short")).toBe(status);
}

describe("bad input to the runs service", { timeout: 120_000 }, () => {
  let spine: Spine;
  let runs: Runs;
  beforeAll(async () => {
    spine = await startSpine(WORKFLOW_CONFIG);
    runs = await openRuns(spine.runtime);
  });
  afterAll(async () => {
    await runs?.close();
    await spine?.close();
  });

  it("refuses an unknown workflow and repositories that are missing, not a repository's top, or dirty", async () => {
    const repo = makeRepository();
    await expect(runs.start("featur", { story: "x", repo })).rejects.toThrow(
      /^Unknown workflow "featur": the built-in ones are feature, bughunt, groom, review; or give the path of a \.yaml workflow$/,
    );
    await expect(runs.start("feature", { story: "x", repo: join(repo, "nope") })).rejects.toThrow(
      /^The repository .*\/nope does not exist$/,
    );
    await expect(runs.start("feature", { story: "x", repo: join(repo, "README.md") })).rejects.toThrow(
      /is a file; name the repository's top folder$/,
    );
    await expect(runs.start("feature", { repo })).rejects.toThrow(/^feature: story: /);
    writeFileSync(join(repo, "README.md"), "# changed\n");
    await expect(runs.start("feature", { story: "x", repo })).rejects.toThrow(
      /^The repository has uncommitted changes \(README\.md\); commit or stash them first — the run branches from HEAD and would not see them$/,
    );
    await expectNothingMade(runs, repo, " M README.md\n");
    await expect(runs.start("bughunt", { repo: join(repo, "missing") })).rejects.toThrow(
      /^The folder to hunt in .*missing does not exist$/,
    );
  });

  it("refuses a review of a branch that is not there, of nothing, of what is not a diff, or of no change at all", async () => {
    const repo = makeRepository();
    await expect(runs.start("review", {})).rejects.toThrow(
      /^review: give --repo \(to review a branch\) or --diff \(a diff file\)$/,
    );
    await expect(runs.start("review", { repo, branch: "feature/x" })).rejects.toThrow(
      /^The repository has no branch, tag or commit "feature\/x"; name one that exists with --branch$/,
    );
    await expect(runs.start("review", { repo, base: "trunk" })).rejects.toThrow(
      /^The repository has no branch, tag or commit "trunk"; name one that exists with --base$/,
    );
    await expect(runs.start("review", { repo })).rejects.toThrow(
      /^Nothing to review: the checked-out branch has no changes against main; name another --base or --branch$/,
    );
    await expect(runs.start("review", { repo, branch: "--upload-pack=x" })).rejects.toThrow(
      /^review: branch: --branch must name a branch, tag or commit$/,
    );
    const notDiff = join(mkdtempSync(join(tmpdir(), "switchyard-notdiff-")), "notes.diff");
    writeFileSync(notDiff, "just some notes\n");
    await expect(runs.start("review", { diff: notDiff })).rejects.toThrow(
      /^.*notes\.diff is not a diff \(no "diff --git", "---"\/"\+\+\+" or "@@" lines\); make one with git diff > change\.diff$/,
    );
    await expect(runs.start("review", { repo, diff: notDiff, branch: "main" })).rejects.toThrow(
      /^review: give --branch or --diff, not both$/,
    );
    writeFileSync(join(repo, "README.md"), "# changed\n");
    await expect(runs.start("review", { repo })).rejects.toThrow(/^The repository has uncommitted changes/);
    await expectNothingMade(runs, repo, " M README.md\n");
  });

  it("answers an unknown run id in one line for every command that takes one", async () => {
    const unknown = /^No run 01NOPE; switchyard runs lists them$/;
    await expect(runs.show("01NOPE")).rejects.toThrow(unknown);
    await expect(runs.approve("01NOPE")).rejects.toThrow(unknown);
    await expect(runs.reject("01NOPE", "no")).rejects.toThrow(unknown);
    await expect(runs.resume("01NOPE")).rejects.toThrow(unknown);
    await expect(runs.cancel("01NOPE")).rejects.toThrow(unknown);
    expect(await runs.list()).toEqual([]);
  });
});

describe("bad input to switchyard run", () => {
  let home: string;
  let config: string;
  let ledger: string;
  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), "switchyard-run-cli-"));
    ledger = join(home, "ledger.db");
    config = join(home, "switchyard.yaml");
    writeFileSync(
      config,
      [
        "backends:",
        '  engine: { base_url: "http://127.0.0.1:9", warm: false, health: { poll_interval_ms: 0 } }',
        `database: { url: ${ledger} }`,
        "budget:",
        "  key_check_interval_minutes: 0",
        `  catalog: { path: ${join(home, "catalog.json")}, sync_on_start: false }`,
        "",
      ].join("\n"),
    );
  });
  const switchyard = (args: string[]) =>
    runSwitchyard([...args, "-c", config], { cwd: home, env: { SWITCHYARD_HOME: home } });

  it(
    "says what is wrong in one line, exits 2, and makes no run",
    async () => {
      const unknown = await switchyard(["run", "nope"]);
      expect(unknown.code).toBe(2);
      expect(expectOneLine(unknown.stderr)).toBe(
        'switchyard: Unknown workflow "nope": the built-in ones are feature, bughunt, groom, review; or give the path of a .yaml workflow',
      );

      const repo = makeRepository();
      writeFileSync(join(repo, "README.md"), "# changed\n");
      const dirty = await switchyard(["run", "review", "--repo", repo]);
      expect(dirty.code).toBe(2);
      expect(expectOneLine(dirty.stderr)).toMatch(
        /^switchyard: The repository has uncommitted changes \(README\.md\)/,
      );
      expect(git(repo, "status", "--short")).toBe(" M README.md\n");

      writeFileSync(
        join(home, "flow.yaml"),
        "nodes:\n  - id: a\n    task: linting\n    prompt: hi\nedges:\n  - { from: start, to: a }\n",
      );
      const broken = await switchyard(["run", "flow.yaml"]);
      expect(broken.code).toBe(2);
      expect(expectOneLine(broken.stderr)).toMatch(
        /^switchyard: flow\.yaml:3: node "a" names unknown task kind "linting"; use one of /,
      );

      const approve = await switchyard(["approve", "01NOPE"]);
      expect(approve.code).toBe(2);
      expect(expectOneLine(approve.stderr)).toBe("switchyard: No run 01NOPE; switchyard runs lists them");

      const stores = await openStores(ledger);
      try {
        expect(await stores.runs.listRuns({ limit: 10 })).toEqual([]);
      } finally {
        await stores.close();
      }
    },
    CLI_TEST_TIMEOUT_MS,
  );
});
