/**
 * The spine's last steps before and after a back end: reserve the worst-case cost of a paid rung
 * (or, at a cap, downgrade to a local model or refuse), send the routed request to its rung, move
 * up the ladder when a rung fails before the first byte (unreachable, 5xx, 429, busy), and once the
 * stream ends — however it ends — settle the reservation and record the outcome in the ledger.
 * Every front door calls this; there is no second way to call a model.
 */
import type { Backend, ModelOptions } from "../backends/backend.js";
import { type BackendAdmission, type BackendLease, directAdmission } from "../backends/backend-admission.js";
import { budgetExceededError, budgetExceededMessage } from "../budget/budget-denial.js";
import type { BudgetGuard, Reservation } from "../budget/budget-guard.js";
import type { RouteStep } from "../config/alias-steps.js";
import type { SwitchyardConfig } from "../config/config-schema.js";
import { SwitchyardError, toSwitchyardError } from "../errors/switchyard-error.js";
import type { CancelSignal } from "../protocol/cancel-signal.js";
import type { ChatEvent, ChatRequest, Usage } from "../protocol/chat-types.js";
import { estimateChatRequestTokens } from "../protocol/token-estimate.js";
import type { Route } from "../routing/task-router.js";
import type { FallbackHop, LedgerStore, RequestRecord, RequestStatus } from "../store/ledger-store.js";
import { newRequestId } from "../store/request-id.js";
import { downgradeStep } from "./budget-downgrade.js";

export interface DispatchInput {
  request: ChatRequest;
  route: Route;
  /** "openai", "anthropic", "cli": recorded in the ledger. */
  frontDoor: string;
  /** Aborted when the caller goes away; the upstream request is aborted with it. */
  signal: CancelSignal;
  /** performance.now() when the request arrived, for latency and time to first token. */
  arrivedAt: number;
  caller?: string | undefined;
  /** The caller asked not to be downgraded at a budget cap (x-switchyard-no-downgrade). */
  forbidDowngrade?: boolean;
  /** Extra upstream headers for a given concrete model (anthropic-beta for Anthropic models). */
  forwardHeaders?: (model: string) => Record<string, string> | undefined;
  /** For an escalation: the first attempt's id, and this attempt's number (2, 3, …). */
  parentId?: string | undefined;
  attempt?: number | undefined;
}

/** Set when a budget cap moved the request from a paid rung to a local one. */
export interface Downgrade {
  fromAlias: string;
  toAlias: string;
  reason: string;
}

export interface Dispatch {
  /** The ledger id of this request; also used as the response id. */
  id: string;
  route: Route;
  /** The rung that is answering. */
  step: RouteStep;
  /** Rungs that failed (or were over budget) before this one, and why. */
  hops: FallbackHop[];
  downgrade?: Downgrade;
  /**
   * The answer. Iterate it to the end (or call `return()`); the reservation is settled and the
   * ledger row written when it ends. Errors thrown from it are SwitchyardErrors.
   */
  events: AsyncIterable<ChatEvent>;
  /**
   * Resolves with the ledger row once the stream has ended and the row is queued. A gate can
   * amend it (`ledger.record` with the same id replaces the row).
   */
  completed: Promise<RequestRecord>;
}

export interface DispatchLogger {
  warn(object: Record<string, unknown>, message: string): void;
}

export interface ChatDispatcherOptions {
  config: SwitchyardConfig;
  backends: ReadonlyMap<string, Backend>;
  ledger: LedgerStore;
  /** Budget enforcement; without one, nothing is reserved (tests of routing alone). */
  budget?: BudgetGuard;
  /** Who answers a rung and when (the Engine fleet); default: the configured back end at once. */
  admission?: BackendAdmission;
  logger?: DispatchLogger;
}

/** What one request carries through its attempts, for its ledger row. */
interface Attempt {
  id: string;
  startedAt: number;
  input: DispatchInput;
  hops: FallbackHop[];
  downgrade?: Downgrade;
  budgetAction: RequestRecord["budgetAction"];
  queuedMs: number | null;
  /** The server that answered, when a fleet chose among several for the rung. */
  backendId: string | null;
  /** Its ledger row is written (once per request, whichever way it ended). */
  recorded: boolean;
  /** Resolves the `completed` promise of the rung that answered. */
  complete: (row: RequestRecord) => void;
}

export class ChatDispatcher {
  private readonly modelOptions = new Map<string, ModelOptions>();
  private readonly localBackends = new Set<string>();
  private readonly admission: BackendAdmission;
  /** Dispatches started and not yet written to the ledger. */
  private active = 0;

  constructor(private readonly options: ChatDispatcherOptions) {
    const { config } = options;
    this.admission = options.admission ?? directAdmission(options.backends);
    for (const [id, backend] of Object.entries(config.backends)) {
      if (backend.type === "ollama") this.localBackends.add(id);
    }
    for (const [alias, entry] of Object.entries(config.aliases)) {
      const modelOptions: ModelOptions = {};
      if (this.localBackends.has(entry.backend) && entry.context_window)
        modelOptions.numCtx = entry.context_window;
      if (entry.keep_alive !== undefined) modelOptions.keepAlive = entry.keep_alive;
      if (entry.think !== undefined) modelOptions.think = entry.think;
      if (entry.max_output_tokens !== undefined) modelOptions.maxOutputTokens = entry.max_output_tokens;
      this.modelOptions.set(alias, modelOptions);
    }
  }

  /** Requests in flight: dispatched and not yet in the ledger. */
  get inFlight(): number {
    return this.active;
  }

  /**
   * Resolves true once every request in flight has ended and been written to the ledger, or
   * false after `timeoutMs` (a caller that never consumed its answer holds its count forever).
   */
  async drained(timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (this.active > 0) {
      if (performance.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return true;
  }

  async dispatch(input: DispatchInput): Promise<Dispatch> {
    let complete: (row: RequestRecord) => void = () => {};
    const completed = new Promise<RequestRecord>((resolve) => {
      complete = resolve;
    });
    const attempt: Attempt = {
      id: newRequestId(),
      startedAt: Date.now() - (performance.now() - input.arrivedAt),
      input,
      hops: [],
      budgetAction: null,
      queuedMs: null,
      backendId: null,
      recorded: false,
      complete,
    };
    this.active++;
    try {
      return await this.climb(attempt, completed);
    } catch (error) {
      // The paths that end a request write its row, which counts it out; this is for the rest.
      if (!attempt.recorded) this.active--;
      throw error;
    }
  }

  private async climb(attempt: Attempt, completed: Promise<RequestRecord>): Promise<Dispatch> {
    const { input } = attempt;
    let ladder = input.route.ladder;
    for (let index = 0; index < ladder.length; index++) {
      const step = ladder[index]!;
      const decision = await this.reserve(step, input);
      if (decision.kind === "denied") {
        const tried = new Set(attempt.hops.map((hop) => hop.fromAlias));
        const local =
          this.options.config.budget.on_exhausted === "downgrade" && !input.forbidDowngrade
            ? downgradeStep(this.options.config, input.route.task, input.route.ladder, tried)
            : undefined;
        if (!local) {
          const error = budgetExceededError(decision.denial);
          attempt.budgetAction = "rejected";
          this.writeRow(attempt, step, "error", error, undefined, null, undefined);
          throw error;
        }
        const reason = `budget: ${budgetExceededMessage(decision.denial)}`;
        attempt.hops.push({ fromAlias: step.alias, toAlias: local.alias, reason });
        attempt.downgrade = { fromAlias: step.alias, toAlias: local.alias, reason };
        attempt.budgetAction = "downgraded";
        // The local rung becomes the last: a downgraded request never climbs back to paid models.
        ladder = [...ladder.slice(0, index + 1), local];
        continue;
      }
      const reservation = decision.kind === "reserved" ? decision.reservation : undefined;
      let lease: BackendLease | undefined;
      try {
        lease = await this.admission.acquire(step, input.signal);
        attempt.queuedMs = lease.queuedMs;
        attempt.backendId = lease.backend.id;
        const stream = await lease.backend.chat({
          request: input.request,
          model: step.model,
          options: this.callOptions(step, input),
          signal: input.signal,
        });
        const iterator = stream[Symbol.asyncIterator]();
        // Pull the first event before answering the caller: a failure here is still "before the
        // first byte" and may move up the ladder; after it, the answer is committed to this rung.
        const first = await iterator.next();
        const events = this.track(first, iterator, attempt, step, reservation, lease);
        return {
          id: attempt.id,
          route: input.route,
          step,
          hops: attempt.hops,
          ...(attempt.downgrade ? { downgrade: attempt.downgrade } : {}),
          events,
          completed,
        };
      } catch (thrown) {
        if (reservation) await this.options.budget?.release(reservation);
        const error = toSwitchyardError(thrown);
        lease?.release({ ok: !isBackendFailure(error) });
        const next = ladder[index + 1];
        const canFallBack =
          this.options.config.routing.fallback &&
          error.retryable &&
          next !== undefined &&
          !input.signal.aborted;
        if (!canFallBack) {
          const status = input.signal.aborted ? "aborted" : "error";
          this.writeRow(attempt, step, status, error, undefined, null, undefined);
          throw withHops(error, attempt.hops);
        }
        attempt.hops.push({
          fromAlias: step.alias,
          toAlias: next.alias,
          reason: `${error.code}: ${error.message}`,
        });
      }
    }
    throw new SwitchyardError("internal", `Route for ${input.route.task} has an empty ladder`);
  }

  private async reserve(step: RouteStep, input: DispatchInput) {
    const budget = this.options.budget;
    if (!budget || this.localBackends.has(step.backend)) return { kind: "free" as const };
    return budget.reserve({
      alias: step.alias,
      model: step.model,
      local: false,
      promptTokens: estimateChatRequestTokens(input.request),
      maxOutputTokens: input.request.maxTokens ?? this.options.config.aliases[step.alias]?.max_output_tokens,
    });
  }

  private callOptions(step: RouteStep, input: DispatchInput): ModelOptions {
    const options = this.modelOptions.get(step.alias) ?? {};
    const headers = input.forwardHeaders?.(step.model);
    return headers ? { ...options, headers: { ...options.headers, ...headers } } : options;
  }

  private async *track(
    first: IteratorResult<ChatEvent>,
    iterator: AsyncIterator<ChatEvent>,
    attempt: Attempt,
    step: RouteStep,
    reservation: Reservation | undefined,
    lease: BackendLease,
  ): AsyncGenerator<ChatEvent> {
    let usage: Usage | undefined;
    let firstTokenAt: number | null = null;
    let status: RequestStatus = "aborted";
    let failure: SwitchyardError | undefined;
    try {
      let current = first;
      while (!current.done) {
        const event = current.value;
        if (firstTokenAt === null && isTokenEvent(event)) firstTokenAt = performance.now();
        if (event.type === "usage") usage = usage ? { ...usage, ...event.usage } : event.usage;
        yield event;
        current = await iterator.next();
      }
      status = "ok";
    } catch (thrown) {
      failure = toSwitchyardError(thrown);
      status = failure.code === "aborted" || attempt.input.signal.aborted ? "aborted" : "error";
      throw failure;
    } finally {
      if (status === "aborted") await iterator.return?.();
      lease.release({ ok: status !== "error" || !isBackendFailure(failure), loadMs: usage?.loadMs });
      const ttft = firstTokenAt === null ? null : firstTokenAt - attempt.input.arrivedAt;
      const cost = this.settle(reservation, usage);
      this.writeRow(attempt, step, status, failure, usage, ttft, cost);
    }
  }

  /**
   * A paid request's real cost (a release when nothing was reported), known at once for its ledger
   * row; the budget books it in the background, so the caller's last byte never waits on a write.
   */
  private settle(reservation: Reservation | undefined, usage: Usage | undefined): RowCost | undefined {
    const budget = this.options.budget;
    if (!reservation || !budget) return undefined;
    const settled = budget.settleLater(reservation, usage);
    if (settled.warning) this.options.logger?.warn({ model: reservation.model }, settled.warning);
    return settled;
  }

  private writeRow(
    attempt: Attempt,
    step: RouteStep,
    status: RequestStatus,
    error: SwitchyardError | undefined,
    usage: Usage | undefined,
    ttftMs: number | null,
    cost: RowCost | undefined,
  ): void {
    const { input } = attempt;
    const row: RequestRecord = {
      id: attempt.id,
      startedAt: Math.round(attempt.startedAt),
      frontDoor: input.frontDoor,
      task: input.route.task,
      selector: input.route.selector,
      tier: step.tier,
      alias: step.alias,
      model: step.model,
      backend: attempt.backendId ?? step.backend,
      stream: input.request.stream,
      inputTokens: usage?.inputTokens ?? 0,
      outputTokens: usage?.outputTokens ?? 0,
      costUsd: cost?.costUsd ?? usage?.costUsd ?? 0,
      ttftMs,
      latencyMs: performance.now() - input.arrivedAt,
      status,
      errorCode: error?.code ?? null,
      errorMessage: error?.message ?? null,
      fallbackHops: attempt.hops,
      tokensPerSecond: usage?.tokensPerSecond ?? null,
      caller: input.caller ?? null,
      catalogCostUsd: cost ? cost.catalogCostUsd : this.localBackends.has(step.backend) ? 0 : null,
      reportedCostUsd: cost ? cost.reportedCostUsd : (usage?.costUsd ?? null),
      reservedUsd: cost?.reservedUsd ?? null,
      budgetAction: attempt.budgetAction,
      loadMs: usage?.loadMs ?? null,
      parentId: input.parentId ?? null,
      attempt: input.attempt ?? 1,
      gateVerdict: null,
      gateDetail: null,
      queueMs: attempt.queuedMs,
    };
    this.options.ledger.record(row);
    if (!attempt.recorded) this.active--;
    attempt.recorded = true;
    attempt.complete(row);
  }
}

interface RowCost {
  costUsd: number;
  catalogCostUsd: number | null;
  reportedCostUsd: number | null;
  reservedUsd: number;
}

/** Failures that say the server is unwell (as opposed to the caller's request being wrong). */
function isBackendFailure(error: SwitchyardError | undefined): boolean {
  return error?.retryable === true;
}

function isTokenEvent(event: ChatEvent): boolean {
  return event.type === "text-delta" || event.type === "reasoning-delta" || event.type === "tool-call-start";
}

/** The last rung's error, with the earlier rungs' failures in its message and details. */
function withHops(error: SwitchyardError, hops: FallbackHop[]): SwitchyardError {
  if (hops.length === 0) return error;
  return new SwitchyardError(error.code, `${error.message} (after falling back: ${describeHops(hops)})`, {
    ...(error.backend ? { backend: error.backend } : {}),
    ...(error.upstreamStatus ? { upstreamStatus: error.upstreamStatus } : {}),
    ...(error.retryAfterSeconds ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
    details: { ...error.details, fallback: hops },
    cause: error,
  });
}

export function describeHops(hops: FallbackHop[]): string {
  return hops.map((hop) => `${hop.fromAlias} → ${hop.toAlias} (${hop.reason})`).join("; ");
}
