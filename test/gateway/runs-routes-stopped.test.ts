/**
 * `/admin/runs` shows a run as the CLI and the dashboard do: one left "running" by a process on
 * the Brain's machine that is gone is `stopped`, with a reason that says how to resume it — in the
 * list and alone — while a run whose process is alive stays `running`. The Workstation's client
 * reads that answer (its schema accepts `stopped`) and prints it.
 */
import { spawnSync } from "node:child_process";
import { hostname } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDetailSchema, runListSchema } from "../../src/cli/brain-run-responses.js";
import { formatRunList, haltSummary, unfinished } from "../../src/cli/run-format.js";
import { registerRunsRoutes } from "../../src/gateway/runs-routes.js";
import { type Harness, startHarness } from "../helpers/switchyard-harness.js";
import { openRuns } from "../helpers/workflow-harness.js";
import { sampleRun } from "../store/runs-store-suite.js";

const TOKEN = "brain-token-for-stopped-runs";
let brain: Harness;
let runs: Awaited<ReturnType<typeof openRuns>>;

const get = async (path: string) => {
  const response = await fetch(`${brain.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(response.status).toBe(200);
  return response.json();
};

beforeAll(async () => {
  brain = await startHarness({
    authTokens: [TOKEN],
    beforeListen: async (runtime, gateway) => {
      runs = await openRuns(runtime);
      registerRunsRoutes(gateway.app, runs);
    },
  });
  const endedPid = spawnSync(process.execPath, ["-e", ""]).pid;
  await brain.runtime.stores.runs.createRun(
    sampleRun({ id: "run-gone", workflow: "bughunt", owner: `${hostname()}:${endedPid}` }),
  );
  await brain.runtime.stores.runs.createRun(
    sampleRun({ id: "run-here", workflow: "bughunt", owner: `${hostname()}:${process.pid}` }),
  );
});
afterAll(async () => {
  await runs?.close();
  await brain?.close();
});

describe("/admin/runs and a run whose process is gone", () => {
  it("lists it as stopped, with how to resume it, and a live one as running", async () => {
    const listed = runListSchema.parse(await get("/admin/runs"));
    const byId = Object.fromEntries(listed.data.map((run) => [run.id, run]));
    expect(byId["run-gone"]).toMatchObject({ status: "stopped" });
    expect(byId["run-gone"]!.reason).toContain("switchyard resume run-gone");
    expect(byId["run-here"]).toMatchObject({ status: "running", reason: null });
    expect(formatRunList(listed.data)).toMatch(/run-gone\s+bughunt\s+stopped/);
  });

  it("shows it alone as stopped, and the client's summary says to resume it", async () => {
    const detail = runDetailSchema.parse(await get("/admin/runs/run-gone"));
    expect(detail.run.status).toBe("stopped");
    expect(haltSummary(detail.run)).toContain("Stopped: its process");
    expect(unfinished(detail.run)).toBe(
      "switchyard: run run-gone stopped before it finished; switchyard resume run-gone continues it",
    );
    // The store keeps what it had: only what is shown changes.
    expect((await brain.runtime.stores.runs.getRun("run-gone"))?.status).toBe("running");
  });
});
