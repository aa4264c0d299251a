/**
 * Runs workflows: makes a run (after its input and repository pass their checks), executes its
 * graph with checkpoints written durably at every step (`durability: "sync"`), and keeps the run's
 * row true to what happened — running, paused at a human gate or a budget cap, failed (resumable
 * from its last completed step), done, rejected or cancelled. Approvals, rejections and edits
 * resume the gate with a LangGraph `Command`; `resume` continues a paused, failed or orphaned run
 * from its last checkpoint. One process runs a run at a time: it claims the run's row first.
 * Progress reaches watchers through the graph's "updates" and "custom" streams.
 */
import { setMaxListeners } from "node:events";
import { Command, type CompiledStateGraph } from "@langchain/langgraph";
import type { SwitchyardConfig } from "../config/config-schema.js";
import type { Switchyard } from "../core/switchyard.js";
import { SwitchyardError } from "../errors/switchyard-error.js";
import type { Checkpointer } from "../store/open-stores.js";
import { newRequestId } from "../store/request-id.js";
import type { RunGate, RunRecord, RunsStore } from "../store/runs-store.js";
import type { ToolServerSpares } from "../tools/tool-server-spares.js";
import type { BuiltinLauncher } from "../tools/tool-server-specs.js";
import { declinePretenuring } from "./collector-tuning.js";
import type { FanOutLimiter } from "./fan-out-limiter.js";
import type { GateDecision } from "./human-gate.js";
import { LedgerWatch } from "./ledger-watch.js";
import { installLightRunContext } from "./light-run-context.js";
import { StepFailure } from "./model-step.js";
import { type RunContext, RunContexts } from "./run-context.js";
import type { RunEvent, RunEventListener } from "./run-events.js";
import { RunJournal } from "./run-journal.js";
import { ownerAlive, thisOwner } from "./run-owner.js";
import { RunTools } from "./run-tools.js";
import type { RunResult, WorkflowDefinition } from "./workflow-definition.js";

export interface WorkflowRunnerOptions {
  config: SwitchyardConfig;
  switchyard: Switchyard;
  store: RunsStore;
  checkpointer: Checkpointer;
  limiter: FanOutLimiter;
  /** A request's worst case on an alias, USD (what the fan-out's budget bound counts). */
  worstCaseUsd(alias: string, promptChars: number, maxTokens: number): number;
  /** How to start the built-in MCP servers (this program, `mcp-server <kind>`). */
  launcher: BuiltinLauncher;
  /** Warm spare built-in servers a run's hub takes before spawning one. */
  spares?: ToolServerSpares;
  logger?: { warn(object: Record<string, unknown>, message: string): void };
  now?: () => number;
  /**
   * What this process is, for the reason a run stopped by its closing records: a Brain resumes
   * such runs as it starts; a command (`switchyard run`) leaves them for `switchyard resume`.
   */
  host?: "brain" | "command";
}

/** The abort reason `close` gives the runs it stops, told apart from a person's cancel. */
const CLOSING = "This process is stopping";

export interface StartOptions {
  /** Where relative paths in the input are resolved from. */
  cwd: string;
}

/** A run this process is executing: what stops it, and when it halts. */
interface Execution {
  controller: AbortController;
  done: Promise<RunRecord>;
}

/** Supersteps one execution of a run may take (see `drive`). */
const RECURSION_LIMIT = 10_000;

// biome-ignore lint/suspicious/noExplicitAny: graphs of different workflows have different states.
type AnyGraph = CompiledStateGraph<any, any, any, any, any, any>;

export class WorkflowRunner {
  /** `host:pid`: recorded as the owner of the runs this process executes. */
  readonly owner = thisOwner();
  private readonly contexts = new RunContexts();
  private readonly graphs = new Map<WorkflowDefinition, AnyGraph>();
  private readonly executions = new Map<string, Execution>();
  private readonly listeners = new Set<RunEventListener>();
  private readonly ledger: LedgerWatch;
  private readonly now: () => number;

  constructor(private readonly options: WorkflowRunnerOptions) {
    // Each node's config carried without a langsmith RunTree when nothing traces (light-run-context.ts).
    installLightRunContext();
    // Per-step objects kept out of the old generation, where they made scavenges slow (collector-tuning.ts).
    declinePretenuring();
    this.ledger = new LedgerWatch(options.switchyard);
    this.now = options.now ?? Date.now;
  }

  /** Hears every run's events; returns the function that stops it. */
  subscribe(listener: RunEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Checks the input (and, through the run's hub, the repository), then makes the run and starts
   * it. Resolves with the new run as soon as it exists; `halted(id)` waits for it to pause or end.
   * Bad input throws "invalid-request" before anything is made.
   */
  async start(
    definition: WorkflowDefinition,
    input: Record<string, unknown>,
    options: StartOptions,
  ): Promise<RunRecord> {
    const runId = newRequestId(this.now());
    const prepared = await definition.prepare(input, {
      config: this.options.config,
      runId,
      cwd: options.cwd,
    });
    // The hub that checks the repository goes on to serve the run (its servers are up already).
    const tools = this.toolsFor(prepared.tools);
    try {
      await definition.verify?.(tools, prepared);
    } catch (error) {
      await tools.close();
      throw error;
    }
    const now = this.now();
    const run: RunRecord = {
      id: runId,
      workflow: definition.name,
      status: "running",
      reason: null,
      gate: null,
      input: { ...prepared.input, tools: prepared.tools },
      repo: prepared.repository,
      branch: null,
      worktree: null,
      currentStep: null,
      owner: this.owner,
      createdAt: now,
      updatedAt: now,
      finishedAt: null,
      costUsd: 0,
      inputTokens: 0,
      outputTokens: 0,
      escalations: 0,
      tiers: [],
      outcome: null,
      checkpointsPruned: false,
    };
    await this.options.store.createRun(run);
    this.emit({ type: "run-started", runId, workflow: definition.name, resumed: false });
    this.execute(definition, run, prepared.state, tools);
    return run;
  }

  /** Resolves once the run pauses or ends in this process (at once when it is not running here). */
  async halted(runId: string): Promise<RunRecord> {
    const execution = this.executions.get(runId);
    if (execution) return execution.done;
    return this.requireRun(runId);
  }

  /** Resumes a run waiting at a human gate with the person's decision. */
  async decide(definition: WorkflowDefinition, runId: string, decision: GateDecision): Promise<RunRecord> {
    const run = await this.settledRun(runId);
    if (run.status !== "paused" || !run.gate)
      throw new SwitchyardError(
        "conflict",
        `Run ${runId} is not waiting for a decision (it is ${describeStatus(run)}); ${nextMove(run)}`,
      );
    await this.claim(run);
    this.execute(definition, run, new Command({ resume: decision }));
    return run;
  }

  /** Continues a run paused at a budget cap, failed, or left running by a process that died. */
  async resume(definition: WorkflowDefinition, runId: string): Promise<RunRecord> {
    const run = await this.settledRun(runId);
    if (run.status === "paused" && run.gate)
      throw new SwitchyardError(
        "conflict",
        `Run ${runId} is waiting at ${run.gate.step} for a person: switchyard approve ${runId}, or switchyard reject ${runId} --reason "…"`,
      );
    if (run.status === "done" || run.status === "rejected" || run.status === "cancelled")
      throw new SwitchyardError("conflict", `Run ${runId} has ended (${run.status}); nothing to resume`);
    if (run.checkpointsPruned)
      throw new SwitchyardError(
        "conflict",
        `Run ${runId}'s checkpoints were pruned (workflows.retention_days); it cannot be resumed`,
      );
    await this.claim(run);
    this.emit({ type: "run-started", runId, workflow: run.workflow, resumed: true });
    this.execute(definition, run, null);
    return run;
  }

  /** Cancels a run: one running here stops at once; a paused or failed one is marked cancelled. */
  async cancel(runId: string): Promise<RunRecord> {
    const run = await this.requireRun(runId);
    const execution = this.executions.get(runId);
    if (execution) {
      execution.controller.abort(new SwitchyardError("aborted", "Cancelled"));
      return execution.done;
    }
    if (run.status === "done" || run.status === "rejected" || run.status === "cancelled")
      throw new SwitchyardError("conflict", `Run ${runId} has already ended (${run.status})`);
    // Running in another process: it sees the status at its next step and stops there.
    return this.finish(run, { status: "cancelled", reason: "Cancelled", owner: null });
  }

  /** Whether this process is executing the run now. */
  isExecuting(runId: string): boolean {
    return this.executions.has(runId);
  }

  /** Waits for every run executing here to pause or end (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.executions.size > 0)
      await Promise.allSettled([...this.executions.values()].map((run) => run.done));
  }

  /** Cancels what runs here, then waits for it (a stopping Brain leaves its runs resumable). */
  async close(): Promise<void> {
    for (const execution of this.executions.values())
      execution.controller.abort(new SwitchyardError("aborted", CLOSING));
    await this.idle();
  }

  private execute(definition: WorkflowDefinition, run: RunRecord, input: unknown, tools?: RunTools): void {
    const controller = new AbortController();
    // Every step of the run listens to its signal, all of a fan-out's at once (a bug hunt over 21
    // modules: 21 explorers and their model calls), and each removes its listener when it ends; so
    // Node's warning past 10 listeners would only ever be a false alarm on the user's terminal.
    setMaxListeners(0, controller.signal);
    const done = this.drive(
      definition,
      run,
      input,
      controller,
      tools ?? this.toolsFor(run.input.tools),
    ).finally(() => this.executions.delete(run.id));
    this.executions.set(run.id, { controller, done });
    // Failures are recorded on the run; nobody need await this.
    done.catch(() => {});
  }

  private async drive(
    definition: WorkflowDefinition,
    run: RunRecord,
    input: unknown,
    controller: AbortController,
    tools: RunTools,
  ): Promise<RunRecord> {
    tools.prewarm();
    let writer: ((event: RunEvent) => void) | undefined;
    const context: RunContext = {
      run,
      config: this.options.config,
      settings: this.options.config.workflows,
      switchyard: this.options.switchyard,
      journal: new RunJournal({
        run,
        store: this.options.store,
        // Inside a node, events travel on the graph's "custom" stream; elsewhere straight out.
        emit: (event) => (writer ? writer(event) : this.emit(event)),
        now: this.now,
        isCancelled: async () => (await this.options.store.runStatus(run.id)) === "cancelled",
      }),
      limiter: this.options.limiter,
      ledger: this.ledger,
      worstCaseUsd: this.options.worstCaseUsd,
      tools,
      signal: controller.signal,
      setWriter: (next) => {
        writer = next;
      },
    };
    this.contexts.set(context);
    await this.options.store.updateRun(run.id, {
      status: "running",
      reason: null,
      gate: null,
      owner: this.owner,
      updatedAt: this.now(),
    });
    try {
      const graph = this.graphFor(definition);
      const config = { configurable: { thread_id: run.id } };
      const stream = await graph.stream(input as Parameters<AnyGraph["stream"]>[0], {
        ...config,
        streamMode: ["updates", "custom"],
        durability: "sync",
        // LangGraph stops a graph at 25 supersteps by default; the workflows bound their own loops
        // (fix rounds, conflict rounds, a YAML node's max_runs), so this only catches a runaway.
        recursionLimit: RECURSION_LIMIT,
        signal: controller.signal,
      });
      for await (const [mode, chunk] of stream as AsyncIterable<[string, unknown]>) {
        if (mode === "custom") this.emit(chunk as RunEvent);
        else if (mode === "updates")
          for (const node of Object.keys(chunk as object))
            if (!node.startsWith("__")) this.emit({ type: "node-finished", runId: run.id, node });
      }
      const snapshot = await graph.getState(config);
      const interrupt = snapshot.tasks.flatMap((task) => task.interrupts)[0];
      if (interrupt) {
        const gate = interrupt.value as RunGate;
        return await this.pause(run, `Waiting at ${gate.step}: ${gate.question}`, gate, { key: gate.step });
      }
      const result = (snapshot.values as { result?: RunResult | null }).result;
      if (snapshot.next.length > 0)
        return await this.pause(run, `Stopped before ${snapshot.next.join(", ")}; resume it`, null);
      return await this.finish(run, {
        status: result?.status ?? "done",
        reason: result?.reason ?? null,
        outcome: result?.outcome ?? definition.outcome?.(snapshot.values as Record<string, unknown>) ?? null,
        owner: null,
      });
    } catch (error) {
      return await this.halt(run, error, controller);
    } finally {
      this.contexts.delete(run.id);
      await tools.close().catch(() => {});
    }
  }

  /** A run that stopped on an error: paused at a budget cap, cancelled, or failed (resumable). */
  private async halt(run: RunRecord, error: unknown, controller: AbortController): Promise<RunRecord> {
    const cause = rootCause(error);
    if (cause instanceof SwitchyardError && cause.code === "budget-exceeded")
      return this.pause(
        run,
        `Budget: ${cause.message} Raise the cap, then switchyard resume ${run.id}`,
        null,
      );
    const current = await this.options.store.getRun(run.id);
    if (controller.signal.aborted || current?.status === "cancelled" || isAborted(cause)) {
      const reason =
        controller.signal.reason instanceof Error ? controller.signal.reason.message : "Cancelled";
      if (reason === CLOSING)
        return this.finish(run, {
          status: "running",
          reason:
            this.options.host === "command"
              ? `Stopped mid-step with the command that ran it; switchyard resume ${run.id} continues from the last completed step`
              : "The Brain stopped mid-step; it resumes this run on start",
          owner: null,
        });
      return this.finish(run, { status: "cancelled", reason, owner: null });
    }
    const message = cause instanceof Error ? cause.message : String(cause);
    const step = cause instanceof StepFailure ? cause.stepKey : (current?.currentStep ?? "a step");
    this.options.logger?.warn({ err: cause, runId: run.id }, "workflow run failed");
    return this.finish(run, {
      status: "failed",
      reason: `${step} failed: ${message}. Fix the cause, then switchyard resume ${run.id}`,
      owner: null,
    });
  }

  private async pause(
    run: RunRecord,
    reason: string,
    gate: RunGate | null,
    waiting?: { key: string },
  ): Promise<RunRecord> {
    const now = this.now();
    if (waiting) {
      const existing = await this.options.store.step(run.id, waiting.key);
      await this.options.store.putStep({
        ...(existing ?? emptyStep(run.id, waiting.key, now)),
        status: "waiting",
        detail: gate?.question ?? null,
      });
    }
    await this.options.store.updateRun(run.id, {
      status: "paused",
      reason,
      gate,
      owner: null,
      updatedAt: now,
    });
    this.emit({ type: "run-paused", runId: run.id, reason, gate });
    return this.requireRun(run.id);
  }

  private async finish(
    run: RunRecord,
    patch: Pick<RunRecord, "status" | "reason" | "owner"> & { outcome?: RunRecord["outcome"] },
  ): Promise<RunRecord> {
    const now = this.now();
    const ended = patch.status === "done" || patch.status === "rejected" || patch.status === "cancelled";
    await this.options.store.updateRun(run.id, {
      ...patch,
      gate: null,
      currentStep: ended ? null : undefined,
      updatedAt: now,
      ...(ended ? { finishedAt: now } : {}),
    });
    this.emit({ type: "run-ended", runId: run.id, status: patch.status, reason: patch.reason });
    return this.requireRun(run.id);
  }

  private async claim(run: RunRecord): Promise<void> {
    if (this.executions.has(run.id))
      throw new SwitchyardError("conflict", `Run ${run.id} is already running in this process`);
    if (run.owner && run.owner !== this.owner && ownerAlive(run.owner))
      throw new SwitchyardError(
        "conflict",
        `Run ${run.id} is being run by process ${run.owner}; wait for it, or cancel it there`,
      );
    if (!(await this.options.store.claimRun(run.id, this.owner, run.owner)))
      throw new SwitchyardError("conflict", `Run ${run.id} was just taken by another process`);
  }

  private graphFor(definition: WorkflowDefinition): AnyGraph {
    let graph = this.graphs.get(definition);
    if (!graph) {
      graph = definition
        .graph(this.contexts)
        .compile({ checkpointer: this.options.checkpointer }) as AnyGraph;
      this.graphs.set(definition, graph);
    }
    return graph;
  }

  private toolsFor(scope: unknown): RunTools {
    const settings = this.options.config.workflows;
    const tools = (scope ?? { fsRoot: { kind: "none" }, fsWrites: false }) as ConstructorParameters<
      typeof RunTools
    >[0];
    return new RunTools({
      ...tools,
      launcher: this.options.launcher,
      ...(this.options.spares ? { spares: this.options.spares } : {}),
      base: this.options.config.tools,
      worktreeDirectory: settings.worktree_directory,
      branchPrefix: settings.branch_prefix,
    });
  }

  /**
   * The run once this process has let go of it: a run that just paused here is still closing its
   * tools for a moment after its row says so.
   */
  private async settledRun(runId: string): Promise<RunRecord> {
    const run = await this.requireRun(runId);
    const execution = this.executions.get(runId);
    if (!execution || run.status === "running") return run;
    await execution.done.catch(() => {});
    return this.requireRun(runId);
  }

  private async requireRun(runId: string): Promise<RunRecord> {
    const run = await this.options.store.getRun(runId);
    if (!run) throw new SwitchyardError("not-found", `No run ${runId}; switchyard runs lists them`);
    return run;
  }

  private emit(event: RunEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.options.logger?.warn({ err: error }, "a run event listener failed");
      }
    }
  }
}

function emptyStep(runId: string, key: string, now: number) {
  return {
    runId,
    key,
    node: key,
    kind: "human" as const,
    task: null,
    status: "waiting" as const,
    alias: null,
    model: null,
    tier: null,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    escalations: 0,
    requestId: null,
    artefactId: null,
    detail: null,
    startedAt: now,
    endedAt: null,
  };
}

/** The error a node threw, under whatever LangGraph wrapped it in. */
function rootCause(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 5; depth++) {
    if (current instanceof SwitchyardError || current instanceof StepFailure) return current;
    const next = (current as { cause?: unknown } | null)?.cause;
    if (next === undefined) return current;
    current = next;
  }
  return current;
}

function isAborted(error: unknown): boolean {
  return (
    (error instanceof SwitchyardError && error.code === "aborted") ||
    (error instanceof Error && (error.name === "AbortError" || /abort/i.test(error.message)))
  );
}

export function describeStatus(run: RunRecord): string {
  return run.reason ? `${run.status}: ${run.reason}` : run.status;
}

/** What a person can do with a run next, in one clause. */
export function nextMove(run: RunRecord): string {
  switch (run.status) {
    case "paused":
      return run.gate
        ? `approve it with switchyard approve ${run.id}`
        : `raise the cap, then switchyard resume ${run.id}`;
    case "failed":
      return `switchyard resume ${run.id} continues it from its last completed step`;
    case "running":
      return "it is still running";
    default:
      return "it has ended";
  }
}
