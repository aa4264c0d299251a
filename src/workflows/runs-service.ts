/**
 * The workflows as the doors see them — the CLI, the admin API, the dashboard: start a run, list
 * and show runs (steps, costs, escalations, artefacts, branch and diff stat), approve, reject with
 * a reason, edit, resume and cancel, and hear progress. Opened once per process over a running
 * Switchyard: the runs store and LangGraph's checkpointer live in the ledger's database; one
 * fan-out limiter serves every run; finished runs' checkpoints are pruned after
 * `workflows.retention_days`. The service keeps warm spare tool servers (fs, git) for its runs'
 * hubs, and stops them when it closes.
 */
import { dirname, join, resolve } from "node:path";
import { userDirs } from "../config/user-dirs.js";
import type { SwitchyardRuntime } from "../core/switchyard-runtime.js";
import { SwitchyardError } from "../errors/switchyard-error.js";
import type {
  ArtefactRecord,
  ArtefactSummary,
  RunRecord,
  RunStatus,
  RunStepRecord,
} from "../store/runs-store.js";
import { ToolServerSpares } from "../tools/tool-server-spares.js";
import type { BuiltinLauncher } from "../tools/tool-server-specs.js";
import { checkPromptOverrides } from "./default-prompts.js";
import { FanOutLimiter } from "./fan-out-limiter.js";
import type { GateDecision } from "./human-gate.js";
import type { RunEventListener } from "./run-events.js";
import { runtimeCapacity, runtimeWorstCase } from "./runtime-capacity.js";
import { WorkflowCatalog } from "./workflow-catalog.js";
import type { OutlineStep } from "./workflow-definition.js";
import { WorkflowRunner } from "./workflow-runner.js";

export interface RunsServiceOptions {
  runtime: SwitchyardRuntime;
  launcher: BuiltinLauncher;
  /** The config file in use (YAML workflows are found in `workflows/` beside it by default). */
  configPath?: string | undefined;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  /**
   * Warm spare tool servers for the runs' hubs. By default the service starts its own
   * (`workflows.warm_spares` per kind, each taken one replaced); a one-shot command passes the
   * ones it started as it began. Either way the service stops them when it closes.
   */
  spares?: ToolServerSpares;
  /** A Brain (the default) or a one-shot command: what a run stopped by closing says (workflow-runner.ts). */
  host?: "brain" | "command";
}

/**
 * A taken spare is replaced this long after its handover: past the run's plan and fan-out, the
 * part of a run a spare is there to speed up (a replacement started at once took a core from it;
 * the bench's bug hunt reached its first model request 40–60 ms later).
 */
const SPARE_REFILL_DELAY_MS = 1_000;

/** The built-in servers a run's hub starts: fs always, git for a run on a repository. */
export const RUN_SERVER_KINDS = ["fs", "git"] as const;

export interface RunDetail {
  run: RunRecord;
  steps: RunStepRecord[];
  artefacts: ArtefactSummary[];
  /** The workflow's steps and edges, for a picture of the graph. */
  outline: readonly OutlineStep[];
}

export class RunsService {
  readonly catalog: WorkflowCatalog;
  readonly runner: WorkflowRunner;
  readonly limiter: FanOutLimiter;
  readonly spares: ToolServerSpares;
  private readonly now: () => number;
  private pruneTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly options: RunsServiceOptions,
    runner: WorkflowRunner,
    limiter: FanOutLimiter,
    spares: ToolServerSpares,
  ) {
    const settings = options.runtime.config.workflows;
    const env = options.env ?? process.env;
    const directory = settings.directory
      ? resolve(settings.directory)
      : join(options.configPath ? dirname(options.configPath) : userDirs(env).config, "workflows");
    this.catalog = new WorkflowCatalog(directory);
    this.runner = runner;
    this.limiter = limiter;
    this.spares = spares;
    this.now = options.now ?? Date.now;
  }

  /** Fails (one line per problem) on prompt overrides that name no node kind or a value it lacks. */
  static async open(options: RunsServiceOptions): Promise<RunsService> {
    const { runtime } = options;
    const spares =
      options.spares ??
      new ToolServerSpares({
        launcher: options.launcher,
        kinds: RUN_SERVER_KINDS,
        perKind: runtime.config.workflows.warm_spares,
        refill: true,
        refillDelayMs: SPARE_REFILL_DELAY_MS,
      });
    try {
      const problems = checkPromptOverrides(runtime.config.workflows.prompts);
      if (problems.length > 0) throw new SwitchyardError("invalid-request", problems.join("\n"));
      const limiter = new FanOutLimiter({
        capacity: runtimeCapacity(runtime),
        reserveInteractiveSlots: runtime.config.workflows.reserve_interactive_slots,
        maxParallel: runtime.config.workflows.max_parallel,
      });
      const runner = new WorkflowRunner({
        config: runtime.config,
        switchyard: runtime.switchyard,
        store: runtime.stores.runs,
        checkpointer: await runtime.stores.checkpointer(),
        limiter,
        worstCaseUsd: runtimeWorstCase(runtime),
        launcher: options.launcher,
        spares,
        logger: runtime.logger,
        ...(options.now ? { now: options.now } : {}),
        ...(options.host ? { host: options.host } : {}),
      });
      const service = new RunsService(options, runner, limiter, spares);
      await service.prune();
      // Started last, so a service that fails to open leaves no process behind (fills up a pool
      // the caller already started).
      spares.start();
      return service;
    } catch (error) {
      await spares.close();
      throw error;
    }
  }

  /** Starts a run of a workflow by name or YAML path; resolves once it exists (see `halted`). */
  async start(
    workflow: string,
    input: Record<string, unknown>,
    options: { cwd?: string } = {},
  ): Promise<RunRecord> {
    const cwd = options.cwd ?? process.cwd();
    const definition = this.catalog.resolve(workflow, cwd);
    return this.runner.start(definition, input, { cwd });
  }

  /** Resolves once the run pauses or ends here (at once when it is not running in this process). */
  halted(runId: string): Promise<RunRecord> {
    return this.runner.halted(runId);
  }

  list(options: { limit?: number; status?: readonly RunStatus[] } = {}): Promise<RunRecord[]> {
    return this.options.runtime.stores.runs.listRuns(options);
  }

  async show(runId: string): Promise<RunDetail> {
    const store = this.options.runtime.stores.runs;
    const run = await this.requireRun(runId);
    const [steps, artefacts] = await Promise.all([store.steps(runId), store.artefacts(runId)]);
    let outline: readonly OutlineStep[] = [];
    try {
      outline = this.catalog.forRun(run).outline;
    } catch {
      // A YAML workflow whose file is gone still shows its steps.
    }
    return { run, steps, artefacts, outline };
  }

  async artefact(artefactId: string): Promise<ArtefactRecord> {
    const artefact = await this.options.runtime.stores.runs.artefact(artefactId);
    if (!artefact) throw new SwitchyardError("not-found", `No artefact ${artefactId}`);
    return artefact;
  }

  async approve(runId: string, options: { edit?: string; note?: string } = {}): Promise<RunRecord> {
    const decision: GateDecision =
      options.edit !== undefined
        ? { action: "edit", text: options.edit, ...(options.note ? { note: options.note } : {}) }
        : { action: "approve", ...(options.note ? { note: options.note } : {}) };
    return this.decide(runId, decision);
  }

  async reject(runId: string, reason: string): Promise<RunRecord> {
    if (reason.trim() === "")
      throw new SwitchyardError(
        "invalid-request",
        `A rejection needs a reason: switchyard reject ${runId} --reason "…"`,
      );
    return this.decide(runId, { action: "reject", reason: reason.trim() });
  }

  async resume(runId: string): Promise<RunRecord> {
    const run = await this.requireRun(runId);
    return this.runner.resume(this.catalog.forRun(run), runId);
  }

  cancel(runId: string): Promise<RunRecord> {
    return this.runner.cancel(runId);
  }

  subscribe(listener: RunEventListener): () => void {
    return this.runner.subscribe(listener);
  }

  /**
   * Resumes runs left "running" by a process that is gone (a Brain killed mid-run): the Brain
   * calls this as it starts. Returns the ids resumed.
   */
  async resumeOrphans(): Promise<string[]> {
    const resumed: string[] = [];
    for (const run of await this.list({ status: ["running"], limit: 1_000 })) {
      if (this.runner.isExecuting(run.id)) continue;
      try {
        await this.runner.resume(this.catalog.forRun(run), run.id);
        resumed.push(run.id);
      } catch (error) {
        this.options.runtime.logger.warn({ err: error, runId: run.id }, "could not resume a workflow run");
      }
    }
    return resumed;
  }

  /** Forgets the checkpoints of runs finished more than `workflows.retention_days` ago. */
  async prune(): Promise<string[]> {
    const { runtime } = this.options;
    const before = this.now() - runtime.config.workflows.retention_days * 86_400_000;
    const ids = await runtime.stores.runs.pruneFinished(before);
    const checkpointer = await runtime.stores.checkpointer();
    for (const id of ids) await checkpointer.deleteThread(id);
    return ids;
  }

  /** Prunes once a day from now on (the Brain). */
  pruneDaily(): void {
    this.pruneTimer = setInterval(() => {
      this.prune().catch((error: unknown) =>
        this.options.runtime.logger.warn({ err: error }, "pruning finished workflow runs failed"),
      );
    }, 86_400_000);
    this.pruneTimer.unref();
  }

  /** Stops what runs here (each stays resumable), the pruning and the spare tool servers. */
  async close(): Promise<void> {
    clearInterval(this.pruneTimer);
    await this.runner.close();
    await this.spares.close();
  }

  private async decide(runId: string, decision: GateDecision): Promise<RunRecord> {
    const run = await this.requireRun(runId);
    return this.runner.decide(this.catalog.forRun(run), runId, decision);
  }

  private async requireRun(runId: string): Promise<RunRecord> {
    const run = await this.options.runtime.stores.runs.getRun(runId);
    if (!run) throw new SwitchyardError("not-found", `No run ${runId}; switchyard runs lists them`);
    return run;
  }
}
