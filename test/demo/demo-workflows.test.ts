/**
 * The built-in workflows on `switchyard demo`'s simulated back ends, end to end, as a user with no
 * Engine and no key runs them: the demo session in-process (its simulated Engine and OpenRouter on
 * loopback, its ledger, its sample repository), a feature started and approved over the demo's
 * own /admin/runs, whose code and tests — written by the simulated models from the steps' prompts
 * — pass the repository's real `npm test` and are committed on the run's branch; and a bug hunt
 * over the sample's modules, with its paid synthesis downgraded to the Engine when the tour's
 * small budget cannot cover it. The config the demo writes for the CLI reaches only simulators.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfigText } from "../../src/config/config-load.js";
import { type DemoSession, startDemoSession } from "../../src/demo/demo-session.js";
import { TSX_LAUNCHER } from "../helpers/workflow-harness.js";

const git = (repo: string, ...args: string[]) =>
  execFileSync("git", ["-C", repo, ...args], { encoding: "utf8" });

describe("the workflows on the demo", { timeout: 180_000 }, () => {
  let session: DemoSession | undefined;
  afterEach(async () => {
    await session?.close();
    session = undefined;
  });

  const start = (budgetUsd: number) =>
    startDemoSession({
      port: 0,
      speed: 1_000,
      budgetUsd,
      keepData: false,
      env: { SWITCHYARD_HOME: mkdtempSync(join(tmpdir(), "switchyard-demo-runs-")) },
      onAlert: () => {},
      launcher: TSX_LAUNCHER,
    });

  it("builds a feature on the sample repository: its tests pass, it is reviewed and committed on the run's branch", async () => {
    session = await start(5);
    const repo = session.sampleRepository!;
    const admin = (path: string, body?: unknown) =>
      fetch(`${session!.url}/admin/runs${path}`, {
        method: body === undefined ? "GET" : "POST",
        headers: { authorization: `Bearer ${session!.token}`, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const created = await admin("", {
      workflow: "feature",
      input: { story: "Add a slugify function for product titles", repo },
    });
    expect(created.status).toBe(201);
    const { run } = (await created.json()) as { run: { id: string } };
    const paused = await session.runs.halted(run.id);
    expect(paused.status, paused.reason ?? "").toBe("paused");
    expect(paused.gate?.findings[0]).toMatch(/^The decision gate says go: /);
    // The gaps follow, one finding each, without the Markdown bullets of the specification.
    expect(paused.gate?.findings[1]).toMatch(
      /^No criterion says what happens with bad input \(medium impact\): /,
    );

    expect((await admin(`/${run.id}/approve`, {})).status).toBe(200);
    const done = await session.runs.halted(run.id);
    expect(done.status, done.reason ?? "").toBe("done");
    expect(done.branch).toMatch(/^switchyard\/feature-[0-9a-f]{8}$/);
    expect(git(repo, "log", "-1", "--format=%s", done.branch!).trim()).toBe(
      "feat(slugify): add a slugify function for product titles",
    );
    expect(git(repo, "show", "--stat", "--format=", done.branch!)).toMatch(
      /src\/slugify\.js .*\n.*test\/slugify\.test\.js .*\n.*2 files changed/,
    );
    expect(done.outcome).toMatchObject({ commit: git(repo, "rev-parse", "--short", done.branch!).trim() });
    // Nothing of it in the user's working tree: the sample repository is as it was.
    expect(git(repo, "status", "--short")).toBe("");
    expect(git(repo, "log", "--format=%s", "main").trim().split("\n")).toHaveLength(1);

    const { steps, artefacts } = await session.runs.show(run.id);
    expect(steps.every((step) => step.status === "done")).toBe(true);
    expect(steps.find((step) => step.key === "run-tests#1.1")?.detail).toMatch(/^npm test: passed in /);
    const text = async (kind: string) =>
      (await session!.runs.artefact(artefacts.find((artefact) => artefact.kind === kind)!.id)).content ?? "";
    // The sample's own 2 tests and the 5 the simulated model wrote ran, and passed.
    expect(await text("test-output")).toMatch(/# pass 7\n# fail 0/);
    expect(JSON.parse(await text("review"))).toMatchObject({ verdict: "pass", blocking: [] });
    expect(JSON.parse(await text("qa"))).toMatchObject({ verdict: "pass" });
    const committed = readFileSync(join(done.worktree!, "test/slugify.test.js"), "utf8");
    expect(committed).toContain('import { slugify } from "../src/slugify.js";');
    // The judgment steps ran on Sonnet: the $5 budget covers their worst case.
    expect(steps.find((step) => step.key === "code-review#1.1")).toMatchObject({ alias: "cloud-sonnet" });
    expect((await admin(`?status=done`)).status).toBe(200);
  });

  it("hunts bugs over the sample's modules, its synthesis downgraded to the Engine on the tour's budget", async () => {
    session = await start(0.04);
    const started = await session.runs.start("bughunt", { repo: session.sampleRepository! });
    const done = await session.runs.halted(started.id);
    expect(done.status, done.reason ?? "").toBe("done");
    expect(done.outcome).toMatchObject({ modules: 5, findings: 5 });
    const { steps, artefacts } = await session.runs.show(started.id);
    expect(
      steps
        .filter((step) => step.key.startsWith("explore:"))
        .map((step) => step.key)
        .sort(),
    ).toEqual([
      "explore:src/cart",
      "explore:src/catalog",
      "explore:src/orders",
      "explore:src/search",
      "explore:src/users",
    ]);
    expect(steps.find((step) => step.key === "synthesise")).toMatchObject({ status: "done", tier: 1 });
    const report = await session.runs.artefact(artefacts.find((artefact) => artefact.kind === "report")!.id);
    expect(report.content).toContain(
      "## Bug hunt report: src/cart, src/catalog, src/orders, src/search, src/users",
    );
    expect(report.content).toMatch(
      /1\. \*\*The page index is used as 0-based\*\* — `src\/catalog\/paging\.js:3` \(high\)/,
    );
    expect(done.costUsd).toBe(0);
  });

  it("writes a config for the CLI whose every back end is a simulator", async () => {
    session = await start(5);
    const written = parseConfigText(readFileSync(session.configPath, "utf8"), "the demo's config", {
      OPENROUTER_API_KEY: "sk-or-v1-a-real-looking-key",
    });
    const simulators = [session.engine.url, session.openRouter.baseUrl];
    for (const [id, backend] of Object.entries(written.backends))
      expect(simulators, `backends.${id}`).toContain(backend.base_url);
    expect(JSON.stringify(written)).not.toContain("sk-or-v1-a-real-looking-key");
  });
});
