/**
 * The workflow runs' contract: each run's status and totals, its steps (each model step linked to
 * its ledger rows), and the artefacts it made, stored by id so the checkpointed state stays small.
 * A step's row is written as soon as the step's model call returns, before the run moves on: a
 * step that re-runs after a crash finds it and does not pay for the call again. SQLite
 * (sqlite-runs-store.ts) and PostgreSQL (postgres-runs-store.ts) implement it.
 */

/**
 * `running`: a process is working on it. `paused`: it waits — for a person at a human gate, or
 * for room in the budget (`reason` says which). `failed`: a step failed; resumable from its last
 * completed step. `done`, `rejected`, `cancelled`: finished.
 */
export type RunStatus = "running" | "paused" | "failed" | "done" | "rejected" | "cancelled";

export const FINISHED_RUN_STATUSES: readonly RunStatus[] = ["done", "rejected", "cancelled"];

export interface RunRecord {
  id: string;
  workflow: string;
  status: RunStatus;
  /** Why it paused or failed, one line; null otherwise. */
  reason: string | null;
  /** The human gate it waits at, while it waits. */
  gate: RunGate | null;
  /** What it was started with: small values only (the story, paths, options). */
  input: Record<string, unknown>;
  repo: string | null;
  branch: string | null;
  worktree: string | null;
  currentStep: string | null;
  /** `host:pid` of the process running it. */
  owner: string | null;
  /** Epoch milliseconds. */
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  escalations: number;
  /** The tiers its model calls were answered on, ascending. */
  tiers: number[];
  /** What it produced: commit, diff stat, the report's artefact id. */
  outcome: Record<string, unknown> | null;
  checkpointsPruned: boolean;
}

export interface RunGate {
  /** The step (graph node) that asks. */
  step: string;
  question: string;
  /** What the run found so far, shown beside the question. */
  findings: string[];
  /** The artefact a person may edit instead of approving as it is. */
  editable?: string;
}

export type StepKind = "model" | "tool" | "command" | "human" | "logic";
export type StepStatus = "running" | "done" | "failed" | "waiting" | "skipped";

export interface RunStepRecord {
  runId: string;
  /** Unique in its run, and the same when the step re-runs. */
  key: string;
  /** The graph node that ran it. */
  node: string;
  kind: StepKind;
  task: string | null;
  status: StepStatus;
  alias: string | null;
  model: string | null;
  tier: number | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  escalations: number;
  /** The ledger id of the model call (escalations and judge calls link to it as parent). */
  requestId: string | null;
  artefactId: string | null;
  /** One line: a verdict, a count, an error. */
  detail: string | null;
  startedAt: number;
  endedAt: number | null;
}

export interface ArtefactRecord {
  id: string;
  runId: string;
  stepKey: string;
  /** "story", "spec", "code", "test", "answer", "report", "diff", "test-output", … */
  kind: string;
  name: string;
  /** Where it was written in the run's worktree, when it was. */
  path: string | null;
  bytes: number;
  /** null once the run's retention ran out. */
  content: string | null;
  createdAt: number;
}

export type ArtefactSummary = Omit<ArtefactRecord, "content">;

export type RunPatch = Partial<Omit<RunRecord, "id" | "workflow" | "createdAt" | "input">>;

export interface RunsStore {
  createRun(run: RunRecord): Promise<void>;
  /** Changes the given fields; `updatedAt` is the caller's to set. */
  updateRun(id: string, patch: RunPatch): Promise<void>;
  /**
   * Takes a run for `owner` if its owner is still `expected` (null: nobody): true when taken.
   * Two processes resuming one run cannot both win.
   */
  claimRun(id: string, owner: string | null, expected: string | null): Promise<boolean>;
  getRun(id: string): Promise<RunRecord | undefined>;
  /** Only the run's status: asked as each step starts (was it cancelled from another process?). */
  runStatus(id: string): Promise<RunStatus | undefined>;
  /** Newest first. */
  listRuns(options?: { limit?: number; status?: readonly RunStatus[] }): Promise<RunRecord[]>;
  /**
   * Inserts or replaces the step with this key; with `run`, applies that patch to the step's run
   * in the same transaction (a step's start with the run's current step, its end with the run's
   * totals): one commit, and neither is ever seen without the other.
   */
  putStep(step: RunStepRecord, run?: RunPatch): Promise<void>;
  step(runId: string, key: string): Promise<RunStepRecord | undefined>;
  /** In the order they were first written. */
  steps(runId: string): Promise<RunStepRecord[]>;
  putArtefact(artefact: ArtefactRecord): Promise<void>;
  artefact(id: string): Promise<ArtefactRecord | undefined>;
  /** Without their content, oldest first. */
  artefacts(runId: string): Promise<ArtefactSummary[]>;
  /**
   * Runs finished (or failed) before `epochMs` whose checkpoints are still kept: marks them
   * pruned, drops their artefacts' content, and returns their ids for the checkpointer.
   */
  pruneFinished(epochMs: number): Promise<string[]>;
  close(): Promise<void>;
}
