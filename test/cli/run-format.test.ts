/**
 * How runs read on the command line (src/cli/run-format.ts): a run left "running" by a process on
 * this machine that is gone reads "stopped", with who ran it and how to go on; a run whose process
 * is alive, or on another machine, reads "running".
 */
import { spawnSync } from "node:child_process";
import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { formatRunDetail, formatRunList, unfinished } from "../../src/cli/run-format.js";
import type { RunRecord } from "../../src/store/runs-store.js";
import { sampleRun } from "../store/runs-store-suite.js";

function runRecord(id: string, owner: string | null): RunRecord {
  return sampleRun({
    id,
    workflow: "bughunt",
    currentStep: "explore:src/cart",
    owner,
    createdAt: Date.UTC(2026, 11, 6, 1, 32, 30),
    updatedAt: Date.UTC(2026, 11, 6, 1, 32, 40),
    tiers: [2],
  });
}

/** The pid of a process that has ended. */
function endedPid(): number {
  const child = spawnSync(process.execPath, ["-e", ""]);
  return child.pid;
}

describe("runs on the command line", () => {
  const gone = `${hostname()}:${endedPid()}`;

  it("lists a run whose process on this machine is gone as stopped, and the others as running", () => {
    const list = formatRunList([
      runRecord("run-gone", gone),
      runRecord("run-here", `${hostname()}:${process.pid}`),
      runRecord("run-elsewhere", "another-host:1"),
    ]);
    const statusOf = (id: string) =>
      list
        .split("\n")
        .find((line) => line.startsWith(id))
        ?.split(/\s+/)[2];
    expect(statusOf("run-gone")).toBe("stopped");
    expect(statusOf("run-here")).toBe("running");
    expect(statusOf("run-elsewhere")).toBe("running");
  });

  it("says who ran a stopped run and how to go on", () => {
    const detail = formatRunDetail({
      run: runRecord("run-gone", gone),
      steps: [],
      artefacts: [],
      outline: [],
    });
    expect(detail.split("\n")[0]).toBe(
      `Run run-gone: bughunt, stopped — its process (${gone}) ended mid-step; switchyard resume run-gone continues from the last completed step`,
    );
    const alive = formatRunDetail({
      run: runRecord("run-here", `${hostname()}:${process.pid}`),
      steps: [],
      artefacts: [],
      outline: [],
    });
    expect(alive.split("\n")[0]).toBe("Run run-here: bughunt, running");
  });

  it("says in one line how a run that did not finish can go on", () => {
    expect(unfinished(runRecord("run-1", null))).toBe(
      "switchyard: run run-1 stopped before it finished; switchyard resume run-1 continues it",
    );
    expect(unfinished({ ...runRecord("run-2", null), status: "failed" })).toBe(
      "switchyard: run run-2 failed",
    );
  });
});
