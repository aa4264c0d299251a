/**
 * Who runs a run: its owner is the `host:pid` of the process executing it. Whether that process is
 * still there is knowable on its own host only; elsewhere it is taken to be alive.
 */
import { hostname } from "node:os";
import { isProcessAlive } from "../process-alive.js";
import type { RunRecord, RunStatus } from "../store/runs-store.js";

/** `host:pid` of this process: what a run this process executes records as its owner. */
export function thisOwner(): string {
  return `${hostname()}:${process.pid}`;
}

/** Whether the process that owns a run is still there (only knowable on this host). */
export function ownerAlive(owner: string): boolean {
  const [host, pid] = owner.split(":");
  return host !== hostname() || isProcessAlive(Number(pid));
}

/**
 * A run left "running" by a process on this machine that is gone (killed mid-step): nothing runs
 * it until it is resumed — by hand, or by a Brain as it starts.
 */
export function isOrphaned(run: { status: string; owner: string | null }): boolean {
  return run.status === "running" && run.owner !== null && !ownerAlive(run.owner);
}

/** A run's status as people and the API see it: a stored status, or `stopped` for an orphan. */
export type ShownStatus = RunStatus | "stopped";

/** A run as shown (CLI, `/admin/runs`): a stored record, with an orphan's status and reason. */
export interface ShownRun extends Omit<RunRecord, "status"> {
  status: ShownStatus;
}

/**
 * The run as shown: one left "running" by a process on this machine that is gone is `stopped`,
 * with a reason that says how to go on; any other run is as stored.
 */
export function shownRun(run: ShownRun): ShownRun {
  if (!isOrphaned(run)) return run;
  return {
    ...run,
    status: "stopped",
    reason: `its process (${run.owner}) ended mid-step; switchyard resume ${run.id} continues from the last completed step`,
  };
}
