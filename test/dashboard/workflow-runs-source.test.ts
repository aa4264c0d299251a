/**
 * The Runs page's view of the real runs service (src/dashboard/workflow-runs-source.ts): a run left
 * "running" by a process on this machine that is gone shows as stopped, in the list and alone; a
 * run its process still runs shows as running.
 */
import { spawnSync } from "node:child_process";
import { hostname } from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { workflowRunsSource } from "../../src/dashboard/workflow-runs-source.js";
import type { RunsService } from "../../src/workflows/runs-service.js";
import { type Spine, startSpine } from "../helpers/spine-harness.js";
import { openRuns } from "../helpers/workflow-harness.js";
import { sampleRun } from "../store/runs-store-suite.js";

describe("the Runs page's runs", () => {
  let spine: Spine | undefined;
  let runs: RunsService | undefined;
  afterEach(async () => {
    await runs?.close();
    await spine?.close();
    runs = undefined;
    spine = undefined;
  });

  it("shows a run whose process is gone as stopped, and one whose process is here as running", async () => {
    spine = await startSpine();
    runs = await openRuns(spine.runtime);
    const endedPid = spawnSync(process.execPath, ["-e", ""]).pid;
    await spine.runtime.stores.runs.createRun(
      sampleRun({ id: "run-gone", workflow: "bughunt", owner: `${hostname()}:${endedPid}` }),
    );
    await spine.runtime.stores.runs.createRun(
      sampleRun({ id: "run-here", workflow: "bughunt", owner: `${hostname()}:${process.pid}` }),
    );
    const source = workflowRunsSource(runs);
    const listed = Object.fromEntries((await source.list()).map((run) => [run.id, run.status]));
    expect(listed).toEqual({ "run-gone": "stopped", "run-here": "running" });
    expect((await source.get("run-gone"))?.status).toBe("stopped");
  });
});
