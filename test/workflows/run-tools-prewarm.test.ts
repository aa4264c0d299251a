/**
 * A run's hub starts the server the run calls first as the run begins (`RunTools.prewarm`): the fs
 * server for a run over a tree that exists (a bug hunt, a review), the git server for a run whose
 * fs root is a worktree not made yet — never an fs server on that missing root. Real servers
 * (`mcp-server` from the sources).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toolsSchema } from "../../src/config/tools-schema.js";
import { RunTools } from "../../src/workflows/run-tools.js";
import { TSX_LAUNCHER } from "../helpers/workflow-harness.js";

describe("a run's hub, prewarmed", { timeout: 60_000 }, () => {
  let repository: string;
  beforeAll(() => {
    repository = mkdtempSync(join(tmpdir(), "switchyard-prewarm-"));
    writeFileSync(join(repository, "a.txt"), "a\n");
    execFileSync("git", ["init", "-q", "-b", "main"], { cwd: repository });
  });
  afterAll(() => rmSync(repository, { recursive: true, force: true }));

  const toolsFor = (fsRoot: ConstructorParameters<typeof RunTools>[0]["fsRoot"]) =>
    new RunTools({
      launcher: TSX_LAUNCHER,
      base: toolsSchema.parse({}),
      repository,
      worktreeDirectory: "",
      branchPrefix: "switchyard/",
      fsRoot,
      fsWrites: false,
    });

  const stateOf = async (tools: RunTools, server: string) =>
    (await tools.hub().status()).find((entry) => entry.name === server)!;

  it("starts the fs server for a run over an existing tree, and leaves git alone", async () => {
    const tools = toolsFor({ kind: "path", path: repository });
    try {
      tools.prewarm();
      // Started by the prewarm itself, before any call.
      expect((await stateOf(tools, "fs")).state).toBe("starting");
      await tools.hub().listTools({ filter: "fs.*" });
      expect(await stateOf(tools, "fs")).toMatchObject({ state: "running", restarts: 0 });
      expect((await stateOf(tools, "git")).state).toBe("idle");
    } finally {
      await tools.close();
    }
  });

  it("starts the git server for a run rooted in its worktree, never fs on the missing worktree", async () => {
    const tools = toolsFor({ kind: "worktree", name: "run-1" });
    try {
      tools.prewarm();
      expect((await stateOf(tools, "git")).state).toBe("starting");
      await tools.hub().listTools({ filter: "git.*" });
      expect(await stateOf(tools, "git")).toMatchObject({ state: "running", restarts: 0 });
      expect(await stateOf(tools, "fs")).toMatchObject({ state: "idle", restarts: 0 });
    } finally {
      await tools.close();
    }
  });
});
