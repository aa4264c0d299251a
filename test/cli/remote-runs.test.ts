/**
 * The workflow commands on a Workstation against a real Brain: a gateway on loopback with a token
 * and the runs API (as `switchyard serve` mounts it), in front of the fake Engine and the fake
 * OpenRouter answering each step by its task kind, over a real git repository. The CLI, pointed at
 * it with --url, starts a feature run that stops at the human gate, lists and shows it, approves it
 * with an edited specification and follows it to its commit; rejects another with a reason; cancels a third; and says in one
 * line what an unknown run, a relative path, a wrong token, an older Brain or an absent one is.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerRunsRoutes } from "../../src/gateway/runs-routes.js";
import { CLI_TEST_TIMEOUT_MS, expectOneLine, runSwitchyard } from "../helpers/cli-process.js";
import { closedPort } from "../helpers/closed-port.js";
import { type Harness, startHarness } from "../helpers/switchyard-harness.js";
import {
  DEFAULT_ANSWERS,
  git,
  makeRepository,
  openRuns,
  taskOf,
  WORKFLOW_CONFIG,
} from "../helpers/workflow-harness.js";

const TOKEN = "brain-token-for-runs";
let brain: Harness;
let runs: Awaited<ReturnType<typeof openRuns>>;
let workstation: string;
let repo: string;

// biome-ignore lint/suspicious/noExplicitAny: the fakes hand over the raw request body.
const answer = (body: any) => ({
  kind: "reply" as const,
  reply: { content: DEFAULT_ANSWERS[taskOf(body.messages ?? [])] ?? "ok" },
});

/**
 * The next progress stream a watcher asks for is held until this step of the run is done: the
 * steps before it finish while nobody listens, and must come from the run's detail.
 */
let holdEvents: { runId: string; step: string } | undefined;

/** Resolves once the run's step is done (heard as it finishes, or found done already). */
function stepDone(runId: string, key: string): Promise<void> {
  return new Promise((resolve) => {
    const stop = runs.subscribe((event) => {
      if (event.type === "step-finished" && event.runId === runId && event.step.key === key) finish();
    });
    function finish() {
      stop();
      resolve();
    }
    void runs.show(runId).then((detail) => {
      if (detail.steps.some((step) => step.key === key && step.status === "done")) finish();
    });
  });
}

/** The CLI on the Workstation: no config, no ledger; the Brain by --url, its token from the environment. */
const switchyard = (args: string[], token = TOKEN) =>
  runSwitchyard([...args, "--url", brain.url], {
    cwd: workstation,
    env: { SWITCHYARD_HOME: workstation, SWITCHYARD_TOKEN: token },
  });

/** The run id a `switchyard run` printed first. */
const runIdOf = (stdout: string) => /^Run (\S+): feature \(on the Brain at /m.exec(stdout)?.[1] ?? "";

/** The progress lines of these steps, each printed once. */
function expectStepLines(stdout: string, keys: string[]) {
  for (const key of keys) {
    const lines = stdout.split("\n").filter((line) => line.startsWith(`✓ ${key} `));
    expect(lines, `${key} in:\n${stdout}`).toHaveLength(1);
  }
}

beforeAll(async () => {
  workstation = mkdtempSync(join(tmpdir(), "switchyard-workstation-"));
  repo = makeRepository();
  brain = await startHarness({
    authTokens: [TOKEN],
    configYaml: WORKFLOW_CONFIG,
    beforeListen: async (runtime, gateway) => {
      runs = await openRuns(runtime);
      gateway.app.addHook("onRequest", async (request) => {
        if (!request.url.endsWith("/events") || !holdEvents) return;
        const hold = holdEvents;
        holdEvents = undefined;
        await stepDone(hold.runId, hold.step);
      });
      registerRunsRoutes(gateway.app, runs);
    },
  });
  brain.ollama.setDefault(answer);
  brain.openRouter.setDefault(answer);
});
afterAll(async () => {
  await runs?.close();
  await brain?.close();
  rmSync(workstation, { recursive: true, force: true });
});

describe("workflow runs on the Brain from the Workstation", () => {
  it(
    "starts a run that waits at the gate, lists and shows it, then approves it edited and follows it to its commit",
    async () => {
      const started = await switchyard(["run", "feature", "--story", "Add two numbers", "--repo", repo]);
      expect(started.stderr).toBe("");
      expect(started.code).toBe(0);
      const id = runIdOf(started.stdout);
      expect(id).not.toBe("");
      // Every step up to the gate, once each, whether heard on the stream or found in the detail.
      expectStepLines(started.stdout, ["story-drafting", "elaboration", "gap-analysis", "decision-gate"]);
      expect(started.stdout).toContain(`Waiting at approval: `);
      expect(started.stdout).toContain(`switchyard approve ${id}`);
      // The run is the Brain's: its database has it.
      expect(await brain.runtime.stores.runs.getRun(id)).toMatchObject({ status: "paused", repo });

      const specification = (await brain.runtime.stores.runs.getRun(id))!.gate!.editable!;
      const [list, show, artefact] = await Promise.all([
        switchyard(["runs", "--status", "paused", "-n", "5"]),
        switchyard(["runs", "show", id]),
        switchyard(["runs", "show", id, "--artefact", specification]),
      ]);
      expect(list.stdout.trimEnd().split("\n")).toHaveLength(2);
      expect(list.stdout).toMatch(new RegExp(`^${id}\\s+feature\\s+paused\\s`, "m"));
      expect(show.stdout).toContain(`Run ${id}: feature, paused — Waiting at approval: `);
      expect(show.stdout).toMatch(/^ {2}✓ story-drafting\s/m);
      expect(show.stdout).toContain(`switchyard runs show <run> --artefact <id>`);
      expect(artefact.stdout).toContain("# Add two numbers");
      for (const result of [list, show, artefact]) expect(result.code, result.stderr).toBe(0);

      // The Brain holds the approval's progress stream until the code is written: the first steps
      // come from the run's detail, the rest from the stream, each printed once.
      holdEvents = { runId: id, step: "code-generation#1" };
      // The edited specification is read here and sent.
      const edited = join(workstation, "spec.md");
      writeFileSync(edited, `${artefact.stdout}\n- add must also accept numeric strings\n`);
      const approved = await switchyard(["approve", id, "--edit", edited, "--note", "one more case"]);
      expect(holdEvents).toBeUndefined();
      expect(approved.stderr).toBe("");
      expect(approved.code).toBe(0);
      expectStepLines(approved.stdout, [
        "approval",
        "make-worktree",
        "code-generation#1",
        "run-tests#1.1",
        "commit",
      ]);
      // What ran before the approval is not news.
      expect(approved.stdout).not.toMatch(/story-drafting/);
      expect(approved.stdout).toMatch(/^✓ approval\s.*\sedited$/m);
      expect(approved.stdout).toMatch(new RegExp(`^Done: run ${id}, \\$`, "m"));
      const codePrompts = brain.ollama.requests
        .map((request) => request.body as { messages?: Array<{ role: string; content: unknown }> })
        .filter((body) => taskOf(body.messages ?? []) === "code-generation");
      expect(codePrompts).toHaveLength(1);
      expect(JSON.stringify(codePrompts[0])).toContain("add must also accept numeric strings");
      const run = await brain.runtime.stores.runs.getRun(id);
      expect(run).toMatchObject({ status: "done" });
      expect(approved.stdout).toContain(`branch ${run!.branch}, commit `);
      expect(git(repo, "log", "--format=%s", run!.branch!)).toContain("feat(add): add two numbers");
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    "rejects a waiting run with the reason, and cancels another",
    async () => {
      const [first, second] = await Promise.all([
        switchyard(["run", "feature", "--story", "Subtract two numbers", "--repo", repo]),
        switchyard(["run", "feature", "--story", "Multiply two numbers", "--repo", repo, "--json"]),
      ]);
      expect(first.code, first.stderr).toBe(0);
      expect(second.code, second.stderr).toBe(0);
      const rejectId = runIdOf(first.stdout);
      // --json: no progress, the run's detail once it halts.
      const cancelId = (JSON.parse(second.stdout) as { run: { id: string; status: string } }).run.id;
      expect(JSON.parse(second.stdout)).toMatchObject({ run: { status: "paused" } });

      // Resuming a run that waits for a person is the Brain's conflict, in one line.
      const resumed = await switchyard(["resume", rejectId]);
      expect(resumed.code).toBe(1);
      expect(expectOneLine(resumed.stderr)).toMatch(
        new RegExp(`^switchyard: Run ${rejectId} is waiting at approval for a person: .*\\(the Brain at `),
      );

      const [rejected, cancelled] = await Promise.all([
        switchyard(["reject", rejectId, "--reason", "we already have one in lodash"]),
        switchyard(["cancel", cancelId]),
      ]);
      expect(rejected.stdout).toContain("Rejected: we already have one in lodash");
      // As locally: a run that ends other than done exits 1, saying how it ended.
      expect(rejected.code).toBe(1);
      expect(expectOneLine(rejected.stderr)).toBe(`switchyard: run ${rejectId} rejected`);
      expect(cancelled.code, cancelled.stderr).toBe(0);
      expect(cancelled.stdout).toMatch(/^Cancelled/);
      expect(await brain.runtime.stores.runs.getRun(rejectId)).toMatchObject({
        status: "rejected",
        reason: "we already have one in lodash",
      });
      expect(await brain.runtime.stores.runs.getRun(cancelId)).toMatchObject({ status: "cancelled" });
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    "says in one line what an unknown run, a relative path or a wrong token is",
    async () => {
      const before = (await brain.runtime.stores.runs.listRuns({ limit: 100 })).length;
      const [show, approve, relative, wrongToken, badStatus] = await Promise.all([
        switchyard(["runs", "show", "no-such-run"]),
        switchyard(["approve", "no-such-run"]),
        switchyard(["run", "feature", "--story", "Add", "--repo", "."]),
        switchyard(["runs"], "not-the-token"),
        switchyard(["runs", "--status", "asleep"]),
      ]);
      for (const result of [show, approve])
        expect(expectOneLine(result.stderr)).toBe(
          `switchyard: No run no-such-run; switchyard runs lists them (the Brain at ${brain.url})`,
        );
      expect(expectOneLine(relative.stderr)).toMatch(
        /^switchyard run: the run works on the Brain, so --repo must be the absolute path there \(got "\."\)/,
      );
      expect(expectOneLine(wrongToken.stderr)).toMatch(
        new RegExp(`^switchyard: the Brain at ${brain.url} refused the token .*SWITCHYARD_TOKEN`),
      );
      expect(expectOneLine(badStatus.stderr)).toMatch(/^switchyard runs: --status must be one of running, /);
      expect([show.code, approve.code, relative.code, wrongToken.code, badStatus.code]).toEqual([
        2, 2, 2, 1, 2,
      ]);
      // Nothing was started.
      expect(await brain.runtime.stores.runs.listRuns({ limit: 100 })).toHaveLength(before);
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    "says in one line that a Brain has no runs API, or is not there",
    async () => {
      const older = await startHarness({ authTokens: [TOKEN] });
      const nobody = await closedPort();
      try {
        const env = { SWITCHYARD_HOME: workstation, SWITCHYARD_TOKEN: TOKEN };
        const [olderList, absent] = await Promise.all([
          runSwitchyard(["runs", "--url", older.url], { cwd: workstation, env }),
          runSwitchyard(["runs", "show", "x", "--url", `http://127.0.0.1:${nobody}`], {
            cwd: workstation,
            env,
          }),
        ]);
        expect(olderList.code).toBe(1);
        expect(expectOneLine(olderList.stderr)).toBe(
          `switchyard: the Brain at ${older.url} has no workflow runs API (/admin/runs): it runs an older switchyard; update it there and restart switchyard serve`,
        );
        expect(absent.code).toBe(1);
        expect(expectOneLine(absent.stderr)).toMatch(/is not answering \(connection refused\)/);
      } finally {
        await older.close();
      }
    },
    CLI_TEST_TIMEOUT_MS,
  );
});
