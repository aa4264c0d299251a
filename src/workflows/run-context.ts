/**
 * What a workflow's nodes work with while a process runs a run: the spine (the one way to a
 * model), the run's journal, its tools, the shared fan-out limiter, prompts and settings, and the
 * run's cancellation. Graphs are compiled once per process and shared by every run, so a node
 * finds its run's context by the thread id LangGraph hands it (`RunContexts.of(config)`); nothing
 * of this is ever checkpointed.
 */
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { SwitchyardConfig } from "../config/config-schema.js";
import type { WorkflowsConfig } from "../config/workflows-schema.js";
import type { Switchyard } from "../core/switchyard.js";
import { SwitchyardError } from "../errors/switchyard-error.js";
import type { CancelSignal } from "../protocol/cancel-signal.js";
import type { RunRecord } from "../store/runs-store.js";
import type { FanOutLimiter } from "./fan-out-limiter.js";
import type { LedgerWatch } from "./ledger-watch.js";
import type { RunEvent } from "./run-events.js";
import type { RunJournal } from "./run-journal.js";
import type { RunTools } from "./run-tools.js";

export interface RunContext {
  run: RunRecord;
  config: SwitchyardConfig;
  settings: WorkflowsConfig;
  switchyard: Switchyard;
  journal: RunJournal;
  limiter: FanOutLimiter;
  ledger: LedgerWatch;
  /** The worst case of a request on an alias, USD (0 on a local alias): what the fan-out's budget bound counts. */
  worstCaseUsd(alias: string, promptChars: number, maxTokens: number): number;
  tools: RunTools;
  signal: CancelSignal;
  /** Where the journal's events go while a node runs: the graph's "custom" stream. */
  setWriter(writer: ((event: RunEvent) => void) | undefined): void;
}

export class RunContexts {
  private readonly contexts = new Map<string, RunContext>();

  set(context: RunContext): void {
    this.contexts.set(context.run.id, context);
  }

  delete(runId: string): void {
    this.contexts.delete(runId);
  }

  /** The context of the run a node is running for. */
  of(config: LangGraphRunnableConfig | undefined): RunContext {
    const threadId = config?.configurable?.thread_id;
    const context = typeof threadId === "string" ? this.contexts.get(threadId) : undefined;
    if (!context)
      throw new SwitchyardError(
        "internal",
        `No run context for thread ${String(threadId)}: run it through the runner`,
      );
    if (context.signal.aborted) throw new SwitchyardError("aborted", `Run ${context.run.id} was cancelled`);
    // Every node's writer feeds the same stream, so whichever node asked last will do.
    if (config?.writer) context.setWriter(config.writer as (event: RunEvent) => void);
    return context;
  }
}
