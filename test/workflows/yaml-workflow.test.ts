/**
 * YAML workflows end to end on the spine (real runtime, SQLite ledger, gates, the built-in git
 * server) with scripted back ends, from files on disk: one found by name in workflows.directory
 * that runs a real command in a worktree, fans a model step out over a list, joins, loops on a
 * verdict and waits for a person; a rejection at its gate; a loop stopped by max_runs; and broken
 * files and inputs refused in one line each, naming the file and line, with no run made.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type Spine, startSpine } from "../helpers/spine-harness.js";
import {
  ADD_CODE,
  ADD_TEST,
  answerByTask,
  git,
  makeRepository,
  openRuns,
  taskOf,
} from "../helpers/workflow-harness.js";

type Runs = Awaited<ReturnType<typeof openRuns>>;

const TRIAGE = `name: triage
description: Run the tests, hunt each area, review, and ask a person
inputs:
  areas: { required: true, description: "the areas to hunt in, comma-separated" }
  focus: { default: correctness }
report: review
nodes:
  - id: tests
    command: node --test
  - id: hunt
    task: bug-hunting
    for_each: areas
    prompt: |
      Look for {{input.focus}} bugs in {{item}}.
  - id: lint
    task: lint
    prompt: "Lint what the tests printed:\\n{{tests}}"
  - id: review
    task: code-review
    verdicts: [pass, fail]
    prompt: |
      Review for {{input.focus}}.
      Tests: {{tests}}
      Hunt: {{hunt}}
      Lint: {{lint}}
      Earlier fix: {{fix}}
  - id: fix
    task: code-generation
    prompt: "Say how to fix this: {{review}}"
  - id: approve
    gate: Ship it?
    show: [review]
edges:
  - { from: start, to: [tests, hunt] }
  - { from: tests, to: lint }
  - { from: [lint, hunt], to: review }
  - from: review
    when: { pass: approve, fail: fix }
  - { from: fix, to: review }
  - { from: approve, to: end }
`;

const verdict = (value: "pass" | "fail", summary: string) =>
  JSON.stringify({ verdict: value, summary, notes: [] });

const promptsFor = (spine: Spine, task: string) =>
  [...spine.engine.calls, ...spine.openRouter.calls]
    .filter((call) => taskOf(call.request.messages) === task)
    .map((call) => String(call.request.messages.at(-1)?.content ?? ""));

describe("YAML workflows", { timeout: 120_000 }, () => {
  let spine: Spine | undefined;
  let runs: Runs | undefined;
  afterEach(async () => {
    await runs?.close();
    await spine?.close();
    runs = undefined;
    spine = undefined;
  });

  async function start(answers: Parameters<typeof answerByTask>[0] = {}) {
    const directory = mkdtempSync(join(tmpdir(), "switchyard-yaml-"));
    const config = `workflows:\n  directory: ${directory}\n`;
    spine = await startSpine(config, { engine: answerByTask(answers), openRouter: answerByTask(answers) });
    runs = await openRuns(spine.runtime);
    return { spine, runs, directory };
  }

  it("runs a workflow found by name: a command, a fan-out, a join, a verdict loop and a person's approval", async () => {
    let reviews = 0;
    const { spine, runs, directory } = await start({
      "bug-hunting": (call) =>
        `Nothing alarming in ${/bugs in (\w+)/.exec(String(call.request.messages.at(-1)?.content))?.[1]}.`,
      lint: "The test output is clean.",
      "code-review": () =>
        ++reviews === 1
          ? verdict("fail", "Negative numbers are untested.")
          : verdict("pass", "Good to ship."),
      "code-generation": "Add a test for add(-1, 1).",
    });
    writeFileSync(join(directory, "triage.yaml"), TRIAGE);
    const repo = makeRepository({ "src/add.mjs": ADD_CODE, "test/add.test.mjs": ADD_TEST });

    const started = await runs.start("triage", { repo, areas: "parser, cache" });
    expect(started.workflow).toBe("triage");
    const paused = await runs.halted(started.id);
    expect(paused.status, paused.reason ?? "").toBe("paused");
    expect(paused.gate).toMatchObject({
      step: "approve",
      question: "Ship it?",
      editable: expect.any(String),
    });
    expect(paused.gate?.findings[0]).toContain("verdict: pass");

    await runs.approve(started.id);
    const done = await runs.halted(started.id);
    expect(done.status, done.reason ?? "").toBe("done");
    expect(done.outcome).toMatchObject({ verdicts: { tests: "pass", review: "pass", approve: "approved" } });
    expect((await runs.artefact(done.outcome!.report as string)).content).toContain("Good to ship.");

    const { steps, outline } = await runs.show(started.id);
    expect(steps.map((step) => step.key).sort()).toEqual(
      [
        "approve",
        "fix#1",
        "hunt#1:cache",
        "hunt#1:parser",
        "lint#1",
        "make-worktree",
        "review#1",
        "review#2",
        "tests#1",
      ].sort(),
    );
    expect(steps.find((step) => step.key === "tests#1")?.detail).toMatch(/^node --test: passed/);
    expect(steps.find((step) => step.key === "review#1")).toMatchObject({
      task: "code-review",
      alias: "cloud-sonnet",
    });
    expect(outline.find((step) => step.id === "review")?.next).toEqual(["approve", "fix"]);

    // Each node's prompt got the values it names: inputs, items, and earlier nodes' answers.
    expect(promptsFor(spine, "bug-hunting").sort()).toEqual([
      "Look for correctness bugs in cache.",
      "Look for correctness bugs in parser.",
    ]);
    expect(promptsFor(spine, "lint")[0]).toMatch(/\$ node --test\n[\s\S]*# pass 1/);
    const [first, second] = promptsFor(spine, "code-review");
    expect(first).toContain("### cache\nNothing alarming in cache.");
    expect(first).toContain("Lint: The test output is clean.");
    expect(first).toContain("Earlier fix: (not run yet)");
    expect(first).toContain('"verdict" (one of pass, fail)');
    expect(second).toContain("Earlier fix: Add a test for add(-1, 1).");
    expect(promptsFor(spine, "code-generation")[0]).toContain("Negative numbers are untested.");
    // The command ran in the run's worktree, never in the user's checkout.
    expect(done.worktree).toMatch(/triage-[0-9a-f]{8}$/);
    expect(git(repo, "status", "--short")).toBe("");
  });

  it("ends the run when its gate is rejected, with the reason, and goes on only with the file it started with", async () => {
    const { runs, directory } = await start({ "code-review": "Looks fine." });
    const path = join(directory, "ask.yaml");
    writeFileSync(
      path,
      `nodes:\n  - id: review\n    task: code-review\n    prompt: Review {{input.topic}}\n  - id: ok\n    gate: Go on?\n    show: [review]\n  - id: after\n    task: lint\n    prompt: never\ninputs:\n  topic: { required: true }\nedges:\n  - { from: start, to: review }\n  - { from: review, to: ok }\n  - { from: ok, to: after }\n`,
    );
    const started = await runs.start(path, { topic: "the cache" });
    expect((await runs.halted(started.id)).status).toBe("paused");
    // The run goes on only with the file it started with.
    const original = readFileSync(path, "utf8");
    writeFileSync(path, original.replace("Go on?", "Really go on?"));
    await expect(runs.approve(started.id)).rejects.toThrow(
      /ask\.yaml has changed since run .* started; restore it to go on with the run, or start a new one$/,
    );
    writeFileSync(path, original);
    await runs.reject(started.id, "not this week");
    const ended = await runs.halted(started.id);
    expect(ended).toMatchObject({ status: "rejected", reason: "not this week" });
    expect((await runs.show(started.id)).steps.map((step) => step.key)).toEqual(["review#1", "ok"]);
  });

  it("stops a loop that does not settle at the node's max_runs", async () => {
    const { runs, directory } = await start({
      "code-review": verdict("fail", "Still wrong."),
      "code-generation": "Try again.",
    });
    const path = join(directory, "loop.yaml");
    writeFileSync(
      path,
      `nodes:\n  - id: review\n    task: code-review\n    verdicts: [pass, fail]\n    max_runs: 2\n    prompt: Review it. {{fix}}\n  - id: fix\n    task: code-generation\n    prompt: Fix {{review}}\nedges:\n  - { from: start, to: review }\n  - from: review\n    when: { pass: end, fail: fix }\n  - { from: fix, to: review }\n`,
    );
    const started = await runs.start(path, {});
    const ended = await runs.halted(started.id);
    expect(ended).toMatchObject({
      status: "rejected",
      reason: 'node "review" would run a 3rd time (max_runs 2): its loop did not settle',
    });
    expect((await runs.show(started.id)).steps.map((step) => step.key)).toEqual([
      "review#1",
      "fix#1",
      "review#2",
      "fix#2",
    ]);
  });

  it("refuses a broken workflow file and bad inputs in one line each, naming the file and line, making no run", async () => {
    const { runs, directory } = await start();
    const broken = join(directory, "broken.yaml");
    writeFileSync(
      broken,
      [
        "nodes:",
        "  - id: diff",
        "    command: git diff",
        "  - id: lint",
        "    task: linting",
        "    prompt: Lint {{diff}}",
        "edges:",
        "  - { from: start, to: diff }",
        "  - { from: diff, to: lnit }",
      ].join("\n"),
    );
    await expect(runs.start(broken, {})).rejects.toThrow(
      /^.*broken\.yaml:5: node "lint" names unknown task kind "linting"; use one of code-generation, .*, conflict-resolution$/,
    );
    writeFileSync(broken, TRIAGE.replace("to: lint }", "to: lnit }"));
    await expect(runs.start(broken, {})).rejects.toThrow(
      /broken\.yaml:35: edge 2 names unknown node "lnit" \(did you mean "lint"\?\); the nodes are tests, hunt, lint, review, fix, approve \(and start, end\)$/,
    );
    writeFileSync(join(directory, "triage.yaml"), TRIAGE);
    const repo = makeRepository();
    await expect(runs.start("triage", { repo })).rejects.toThrow(
      /^.*triage\.yaml: input "areas" is required: --input areas=…$/,
    );
    await expect(runs.start("triage", { repo, areas: "a", story: "x" })).rejects.toThrow(
      /triage\.yaml takes the inputs areas, focus \(--input key=value\); "story" is not one of them$/,
    );
    writeFileSync(join(repo, "README.md"), "# changed\n");
    await expect(runs.start("triage", { repo, areas: "a" })).rejects.toThrow(
      /^The repository has uncommitted changes \(README\.md\); commit or stash them first/,
    );
    writeFileSync(
      join(directory, "aliased.yaml"),
      "nodes:\n  - id: a\n    task: lint\n    alias: fast\n    prompt: hi\n    tools: [fs.read, jira.search]\nedges:\n  - { from: start, to: a }\n",
    );
    await expect(runs.start("aliased", {})).rejects.toThrow(
      /aliased\.yaml:4: node "a" names alias "fast", which the config does not have; the aliases are local-coder, .*\n.*aliased\.yaml:6: node "a" may use tool "fs\.read", but tools\.servers has no "fs" server; no MCP servers are configured \(tools\.servers\)\n.*aliased\.yaml:6: node "a" may use tool "jira\.search"/,
    );
    await expect(runs.start("nope", {})).rejects.toThrow(
      /^Unknown workflow "nope": the built-in ones are feature, bughunt, groom, review; in .*: aliased, broken, triage; or give the path of a \.yaml workflow$/,
    );
    expect(await runs.list()).toEqual([]);
    expect(git(repo, "worktree", "list").trim().split("\n")).toHaveLength(1);
  });
});
