/**
 * What Switchyard's MCP tools call: one interface, two implementations — in-process on a running
 * Switchyard (`/mcp` on the gateway, or `switchyard mcp` on a single machine; mcp-local-service.ts)
 * and remote over the Brain's HTTP API (`switchyard mcp --url`; mcp-remote-service.ts). The tool
 * catalogue (mcp-tools.ts) knows only this, so both transports serve the same tools.
 */
import { randomUUID } from "node:crypto";
import type { TaskKind } from "../config/task-kinds.js";
import type { RouteExplanation } from "../routing/route-explanation.js";
import type { RequestRecord } from "../store/ledger-store.js";

/** A JSON object as the admin API answers it (dates as ISO strings). */
export type JsonObject = Record<string, unknown>;

export interface RouteQuestion {
  prompt: string;
  /** Run as this task kind instead of letting the classifier decide. */
  task?: TaskKind | undefined;
  system?: string | undefined;
}

export interface AskQuestion extends RouteQuestion {
  /** Upper bound on the answer's length in tokens. */
  maxTokens?: number | undefined;
}

export interface AskOutcome {
  /** The answer's text. */
  answer: string;
  /** The answering attempt's ledger id (`x-switchyard-request-id`). */
  requestId: string;
  task: string;
  tier: number;
  alias: string;
  model: string;
  /** The answering attempt's tokens. */
  inputTokens: number;
  outputTokens: number;
  /**
   * USD for the whole request — every turn of a tool loop, any escalations and judge calls — from
   * the ledger; null when the ledger had not recorded it in time (remote only).
   */
  costUsd: number | null;
  /** True while part of that cost is an estimate (a paid answer cut short). */
  costEstimated: boolean;
  /** Ledger rows behind the answer: attempts plus judge calls. */
  attempts: number;
  /** How many times a failed quality gate moved the request up the ladder. */
  escalations: number;
}

/**
 * Workflow runs, once Switchyard has workflows: the tools `run_workflow`, `run_status` and
 * `approve` are offered only when a service has this (mcp-workflow-tools.ts).
 */
export interface WorkflowRuns {
  /** The workflows that can be started, for the tool's description and its argument's choices. */
  workflows(): ReadonlyArray<{ name: string; description: string }>;
  /** Starts a run; answers with its id and where it stands. */
  start(input: { workflow: string; input: JsonObject }, signal: AbortSignal): Promise<JsonObject>;
  /** Where a run stands: its steps, what it waits for, its spend. */
  status(runId: string, signal: AbortSignal): Promise<JsonObject>;
  /** Answers a run's human gate. */
  approve(
    input: { runId: string; approved: boolean; comment?: string | undefined },
    signal: AbortSignal,
  ): Promise<JsonObject>;
}

export interface SwitchyardService {
  /** Where the tools run, for the server's instructions: "in-process" or the Brain's URL. */
  readonly where: string;
  /** The routing plan for a prompt; nothing is sent to a model. */
  route(question: RouteQuestion, signal: AbortSignal): Promise<RouteExplanation>;
  /** Runs the prompt through the one request path (route, budget, dispatch, gates, ledger). */
  ask(question: AskQuestion, signal: AbortSignal): Promise<AskOutcome>;
  /** This budget period's spend, as `GET /admin/costs` answers it. */
  costs(signal: AbortSignal): Promise<JsonObject>;
  /** Where each budget stands and the alerts fired, as `GET /admin/budgets` answers it. */
  budgetStatus(signal: AbortSignal): Promise<JsonObject>;
  /** The Engine fleet, as `GET /admin/engines` answers it. */
  engineStatus(signal: AbortSignal): Promise<JsonObject>;
  /** Workflow runs, when there are workflows. */
  readonly runs?: WorkflowRuns | undefined;
  /** Releases what the service holds (a runtime it started, connections). */
  close(): Promise<void>;
}

/** The `caller` an `ask` records on its ledger rows, so its rows can be told from everyone else's. */
export function askCallerTag(): string {
  return `mcp-ask:${randomUUID()}`;
}

type RowLink = Pick<RequestRecord, "id" | "parentId" | "caller">;

/**
 * The ledger rows of one `ask`, among `rows`: those carrying its caller tag — every attempt of
 * every turn (a tool loop's turns are requests of their own, linked by nothing else) — and the
 * judge calls that graded them (a judge's row carries no caller, only its link to the attempt).
 */
export function askRows<Row extends RowLink>(rows: readonly Row[], callerTag: string): Row[] {
  const tagged = rows.filter((row) => row.caller === callerTag);
  const chains = new Set(tagged.map((row) => row.parentId ?? row.id));
  const judged = rows.filter(
    (row) => row.caller !== callerTag && row.parentId !== null && chains.has(row.parentId),
  );
  return [...tagged, ...judged];
}

/** What a request's rows cost in all. */
export function requestCost(rows: ReadonlyArray<Pick<RequestRecord, "costUsd" | "costEstimated">>): {
  costUsd: number;
  costEstimated: boolean;
  attempts: number;
} {
  return {
    // Rounded far below any price so a sum of a few rows carries no floating-point dust.
    costUsd: Math.round(rows.reduce((sum, row) => sum + row.costUsd, 0) * 1e12) / 1e12,
    costEstimated: rows.some((row) => row.costEstimated),
    attempts: rows.length,
  };
}
