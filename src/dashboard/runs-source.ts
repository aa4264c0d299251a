/**
 * What the Runs page needs of the workflow runtime, and nothing more: the runs, one run's graph
 * with where it stands, and the decision on a paused human gate. `serve` connects the workflow
 * runs service (workflow-runs-source.ts); without one the dashboard has `noRuns`, and the page
 * says that no workflow has run.
 */

/** A run's status as stored, or `stopped`: left running by a process that is gone (run-owner.ts). */
export type RunStatus = "running" | "stopped" | "paused" | "done" | "failed" | "rejected" | "cancelled";
export type StepStatus = "pending" | "running" | "waiting" | "done" | "failed" | "skipped";

export interface RunSummary {
  id: string;
  /** The workflow's name ("bug-hunt", "story-to-pr"). */
  workflow: string;
  status: RunStatus;
  /** The step running or waiting now, by id; null when none is. */
  currentStep: string | null;
  /** Steps finished, of all the run has (fan-outs count each branch). */
  stepsDone: number;
  stepsTotal: number;
  /** What the run's model calls have cost so far, USD. */
  costUsd: number;
  /** Epoch milliseconds. */
  startedAt: number;
  updatedAt: number;
}

export interface RunStep {
  id: string;
  label: string;
  status: StepStatus;
  /** The steps that follow this one: the graph's edges. */
  next: string[];
  costUsd: number;
}

/** A human gate the run is paused at. */
export interface PendingGate {
  stepId: string;
  /** What the person is asked to decide. */
  question: string;
  /** What the run found so far, shown beside the question. */
  findings: string[];
}

export interface RunDetail extends RunSummary {
  /** In the graph's order (entry first). */
  steps: RunStep[];
  /** Set while the run waits for a person. */
  gate: PendingGate | null;
}

export interface RunsSource {
  /** Newest first. */
  list(): Promise<RunSummary[]>;
  /** undefined when no run has this id. */
  get(id: string): Promise<RunDetail | undefined>;
  /** Resumes a run paused at a gate with approval. Throws when the run is not paused. */
  approve(id: string): Promise<void>;
  /** Resumes a run paused at a gate with a rejection and the person's reason. */
  reject(id: string, reason: string): Promise<void>;
}

/** The runs source before the workflow runtime exists: no runs, and nothing to decide. */
export const noRuns: RunsSource = {
  list: async () => [],
  get: async () => undefined,
  approve: async (id) => {
    throw new Error(`No run ${id}: no workflow runtime is connected to the dashboard`);
  },
  reject: async (id) => {
    throw new Error(`No run ${id}: no workflow runtime is connected to the dashboard`);
  },
};
