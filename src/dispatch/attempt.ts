/**
 * One attempt at answering a request: one dispatch up its ladder (moving past rungs that fail
 * before answering) and the answer it streamed. The attempt gathers, as it runs, everything its
 * ledger row is made of — which rung answered and after which hops, what the budget did, the
 * tokens, the cost, the timings, and finally the quality gates' verdict — and becomes that row
 * once, when the spine records it.
 */
import type { RouteStep } from "../config/alias-steps.js";
import type { SwitchyardError } from "../errors/switchyard-error.js";
import type { Usage } from "../protocol/chat-types.js";
import type { Route } from "../routing/task-router.js";
import type { FallbackHop, RequestRecord, RequestStatus } from "../store/ledger-store.js";
import { newRequestId } from "../store/request-id.js";

/** Set when a budget cap moved the request from a paid rung to a cheaper one. */
export interface Downgrade {
  fromAlias: string;
  toAlias: string;
  reason: string;
}

/** What the caller's side fixes before the attempt starts. */
export interface AttemptOrigin {
  /** The id to take instead of a new one (a request whose id was handed out before its first turn). */
  id?: string | undefined;
  /** "openai", "anthropic", "cli", "mcp", "workflow", "judge": recorded in the ledger. */
  frontDoor: string;
  route: Route;
  /** Whether the caller asked for a stream. */
  stream: boolean;
  /** performance.now() when this attempt began (the request's arrival, for the first). */
  arrivedAt: number;
  caller: string | null;
  /** The first attempt's id, for an escalation or a judge call; null for a first attempt. */
  parentId: string | null;
  /** 1 for the first attempt, 2 for the first escalation, … */
  number: number;
}

/** The budget's side of a settled paid attempt, as the row records it. */
export interface AttemptCost {
  costUsd: number;
  catalogCostUsd: number | null;
  reportedCostUsd: number | null;
  reservedUsd: number;
  /** What the prompt-cache reads and writes cost, when there were any (part of costUsd). */
  cacheReadCostUsd?: number | undefined;
  cacheWriteCostUsd?: number | undefined;
}

export class Attempt {
  readonly id: string;
  /** Epoch milliseconds when the attempt began. */
  readonly startedAt: number;
  /** The rung asked last: the one that answered, or the one whose failure ended the attempt. */
  step: RouteStep;
  /** The server that answered, when a fleet chose among several for the rung. */
  backendId: string | null = null;
  readonly hops: FallbackHop[] = [];
  downgrade: Downgrade | undefined;
  budgetAction: RequestRecord["budgetAction"] = null;
  queueMs: number | null = null;
  /** Local rungs cost nothing: the catalog figure is 0 rather than unknown. */
  local = false;

  status: RequestStatus = "aborted";
  error: SwitchyardError | undefined;
  usage: Usage | undefined;
  cost: AttemptCost | undefined;
  /** The cost is estimated from what was streamed (an answer cut short), until confirmed. */
  costEstimated = false;
  /** Its ledger row has been written (a later correction rewrites it). */
  recorded = false;
  /** performance.now() of the first token (text, reasoning or tool call), of the end. */
  firstTokenAt: number | null = null;
  endedAt: number | null = null;
  gateVerdict: RequestRecord["gateVerdict"] = null;
  gateDetail: string | null = null;

  constructor(readonly origin: AttemptOrigin) {
    this.id = origin.id ?? newRequestId();
    this.startedAt = Date.now() - (performance.now() - origin.arrivedAt);
    this.step = origin.route.ladder[0]!;
  }

  /** The attempt ended (answered in full, broke off, or never found a rung). */
  end(status: RequestStatus, error?: SwitchyardError): void {
    this.status = status;
    this.error = error;
    this.endedAt = performance.now();
  }

  /** The ledger row: written once, after the verdict. */
  toRow(): RequestRecord {
    const { origin, usage, cost } = this;
    return {
      id: this.id,
      startedAt: Math.round(this.startedAt),
      frontDoor: origin.frontDoor,
      task: origin.route.task,
      selector: origin.route.selector,
      tier: this.step.tier,
      alias: this.step.alias,
      model: this.step.model,
      backend: this.backendId ?? this.step.backend,
      stream: origin.stream,
      inputTokens: usage?.inputTokens ?? 0,
      outputTokens: usage?.outputTokens ?? 0,
      costUsd: cost?.costUsd ?? usage?.costUsd ?? 0,
      ttftMs: this.firstTokenAt === null ? null : this.firstTokenAt - origin.arrivedAt,
      latencyMs: (this.endedAt ?? performance.now()) - origin.arrivedAt,
      status: this.status,
      errorCode: this.error?.code ?? null,
      errorMessage: this.error?.message ?? null,
      fallbackHops: this.hops,
      tokensPerSecond: usage?.tokensPerSecond ?? null,
      caller: origin.caller,
      catalogCostUsd: cost ? cost.catalogCostUsd : this.local ? 0 : null,
      reportedCostUsd: cost ? cost.reportedCostUsd : (usage?.costUsd ?? null),
      reservedUsd: cost?.reservedUsd ?? null,
      budgetAction: this.budgetAction,
      loadMs: usage?.loadMs ?? null,
      parentId: origin.parentId,
      attempt: origin.number,
      gateVerdict: this.gateVerdict,
      gateDetail: this.gateDetail,
      queueMs: this.queueMs,
      costEstimated: this.costEstimated,
      cacheReadTokens: usage?.cacheReadTokens ?? null,
      cacheWriteTokens: usage?.cacheWriteTokens ?? null,
      cacheReadCostUsd: cost?.cacheReadCostUsd ?? null,
      cacheWriteCostUsd: cost?.cacheWriteCostUsd ?? null,
    };
  }
}
