/**
 * What a run tells whoever watches it — the CLI's progress lines, the admin API's server-sent
 * events, the dashboard — as it goes: a step started (and, for a model step, which rung it is
 * waiting on), a step ended with its tier, model, tokens, cost and time, and the run paused or
 * ended. Inside a graph these travel on LangGraph's "custom" stream; the runner adds the run-level
 * ones and the "updates" stream's node ends.
 */
import type { RunGate, RunStatus, RunStepRecord } from "../store/runs-store.js";

export type RunEvent =
  | {
      type: "step-started";
      runId: string;
      step: string;
      node: string;
      label: string;
      task: string | null;
      /** The alias the step's model call starts on, when it makes one. */
      alias: string | null;
      at: number;
    }
  | {
      type: "step-finished";
      runId: string;
      step: RunStepRecord;
      /** The step was done before (a resumed run): its recorded result was used, nothing was paid. */
      reused: boolean;
    }
  /** A node of the graph ended (LangGraph's "updates" stream). */
  | { type: "node-finished"; runId: string; node: string }
  | { type: "run-started"; runId: string; workflow: string; resumed: boolean }
  | { type: "run-paused"; runId: string; reason: string; gate: RunGate | null }
  | { type: "run-ended"; runId: string; status: RunStatus; reason: string | null };

export type RunEventListener = (event: RunEvent) => void;

/** Whether the event ends what a watcher of one run's progress waits for (it paused or ended). */
export function isRunHalt(event: RunEvent): boolean {
  return event.type === "run-paused" || event.type === "run-ended";
}
