/**
 * One run's bookkeeping while a process works on it: each step's row (written when it starts and
 * again, durably, the moment it ends — before the graph moves on), the artefacts it makes, and
 * the run's totals (cost, tokens, escalations, tiers). A node that re-runs after a crash asks
 * `completed(key)` first and reuses what the finished step recorded instead of calling again.
 */
import { SwitchyardError } from "../errors/switchyard-error.js";
import { newRequestId } from "../store/request-id.js";
import type { RunRecord, RunStepRecord, RunsStore, StepKind } from "../store/runs-store.js";
import type { RunEvent } from "./run-events.js";

export interface StepStart {
  key: string;
  node: string;
  kind: StepKind;
  label: string;
  task?: string | null;
  /** The alias a model step starts on. */
  alias?: string | null;
}

/** What a finished step adds to its row. */
export type StepOutcome = Partial<
  Pick<
    RunStepRecord,
    | "alias"
    | "model"
    | "tier"
    | "inputTokens"
    | "outputTokens"
    | "costUsd"
    | "escalations"
    | "requestId"
    | "artefactId"
    | "detail"
  >
> & { status?: "done" | "skipped" | "waiting" };

export interface ArtefactInput {
  stepKey: string;
  kind: string;
  name: string;
  content: string;
  /** Where it was written in the run's worktree. */
  path?: string | null;
}

export interface RunJournalOptions {
  run: RunRecord;
  store: RunsStore;
  emit: (event: RunEvent) => void;
  now?: () => number;
  /** Whether the run was cancelled from elsewhere (another process); asked as each step starts. */
  isCancelled?: () => Promise<boolean>;
}

export class RunJournal {
  readonly runId: string;
  private totals: Pick<RunRecord, "costUsd" | "inputTokens" | "outputTokens" | "escalations" | "tiers">;
  private readonly now: () => number;

  constructor(private readonly options: RunJournalOptions) {
    this.runId = options.run.id;
    this.now = options.now ?? Date.now;
    const { costUsd, inputTokens, outputTokens, escalations, tiers } = options.run;
    this.totals = { costUsd, inputTokens, outputTokens, escalations, tiers: [...tiers] };
  }

  /** The step with this key when it already finished (a resumed run re-running its node). */
  async completed(key: string): Promise<RunStepRecord | undefined> {
    const step = await this.options.store.step(this.runId, key);
    return step && (step.status === "done" || step.status === "skipped") ? step : undefined;
  }

  /** Records the start and tells the watchers; refuses when the run was cancelled meanwhile. */
  async start(start: StepStart): Promise<RunStepRecord> {
    if (await this.options.isCancelled?.())
      throw new SwitchyardError("aborted", `Run ${this.runId} was cancelled`);
    const step: RunStepRecord = {
      runId: this.runId,
      key: start.key,
      node: start.node,
      kind: start.kind,
      task: start.task ?? null,
      status: "running",
      alias: start.alias ?? null,
      model: null,
      tier: null,
      inputTokens: 0,
      outputTokens: 0,
      costUsd: 0,
      escalations: 0,
      requestId: null,
      artefactId: null,
      detail: null,
      startedAt: this.now(),
      endedAt: null,
    };
    await this.options.store.putStep(step, { currentStep: start.key, updatedAt: step.startedAt });
    this.options.emit({
      type: "step-started",
      runId: this.runId,
      step: start.key,
      node: start.node,
      label: start.label,
      task: step.task,
      alias: step.alias,
      at: step.startedAt,
    });
    return step;
  }

  /** Records the end (durably, before returning), adds it to the run's totals, tells the watchers. */
  async finish(started: RunStepRecord, outcome: StepOutcome): Promise<RunStepRecord> {
    const step: RunStepRecord = {
      ...started,
      ...outcome,
      status: outcome.status ?? "done",
      endedAt: this.now(),
    };
    const tiers =
      step.tier === null || this.totals.tiers.includes(step.tier)
        ? this.totals.tiers
        : [...this.totals.tiers, step.tier].sort((left, right) => left - right);
    const totals = {
      costUsd: this.totals.costUsd + step.costUsd,
      inputTokens: this.totals.inputTokens + step.inputTokens,
      outputTokens: this.totals.outputTokens + step.outputTokens,
      escalations: this.totals.escalations + step.escalations,
      tiers,
    };
    // The step's row and the run's totals in one commit: never one without the other. The totals
    // held here change only once it is written.
    await this.options.store.putStep(step, { ...totals, updatedAt: step.endedAt! });
    this.totals = totals;
    this.options.emit({ type: "step-finished", runId: this.runId, step, reused: false });
    return step;
  }

  /** A step that broke: its row says why; the run's status is the runner's to set. */
  async fail(started: RunStepRecord, detail: string, outcome: StepOutcome = {}): Promise<void> {
    const step: RunStepRecord = { ...started, ...outcome, status: "failed", detail, endedAt: this.now() };
    await this.options.store.putStep(step);
    this.options.emit({ type: "step-finished", runId: this.runId, step, reused: false });
  }

  /** Tells the watchers a finished step's recorded result is used again (nothing was re-run). */
  reused(step: RunStepRecord): void {
    this.options.emit({ type: "step-finished", runId: this.runId, step, reused: true });
  }

  /** Records where the run's work goes: its worktree and branch. */
  async recordWorktree(path: string, branch: string): Promise<void> {
    await this.options.store.updateRun(this.runId, { worktree: path, branch, updatedAt: this.now() });
  }

  async putArtefact(input: ArtefactInput): Promise<string> {
    const id = newRequestId(this.now());
    await this.options.store.putArtefact({
      id,
      runId: this.runId,
      stepKey: input.stepKey,
      kind: input.kind,
      name: input.name,
      path: input.path ?? null,
      bytes: Buffer.byteLength(input.content),
      content: input.content,
      createdAt: this.now(),
    });
    return id;
  }

  /** An artefact's text; fails clearly when it is gone (pruned, or never written). */
  async artefactText(id: string): Promise<string> {
    const artefact = await this.options.store.artefact(id);
    if (artefact?.content === null || artefact?.content === undefined)
      throw new Error(
        `Artefact ${id} of run ${this.runId} is not stored (pruned after workflows.retention_days?)`,
      );
    return artefact.content;
  }
}
