/**
 * One attempt's walk up its routing plan: for each rung, wait for the caller's throttle when it
 * has one (a workflow's fan-out), reserve its worst case (or, at a cap, take the plan's budget
 * stand-in, or refuse), take a lease on a server for it (the Engine fleet may queue), send the
 * request, and wait for the first event. A rung that fails before that first event — unreachable,
 * 5xx, 429, busy — hands over to the next rung; after it, the answer belongs to this rung. The
 * attempt records what happened; the spine writes it to the ledger.
 */
import type { Backend, ModelOptions } from "../backends/backend.js";
import { type BackendAdmission, type BackendLease, directAdmission } from "../backends/backend-admission.js";
import { budgetExceededError, budgetExceededMessage } from "../budget/budget-denial.js";
import type { BudgetDecision, BudgetGuard } from "../budget/budget-guard.js";
import type { RouteStep } from "../config/alias-steps.js";
import type { SwitchyardConfig } from "../config/config-schema.js";
import { SwitchyardError, toSwitchyardError } from "../errors/switchyard-error.js";
import type { CancelSignal } from "../protocol/cancel-signal.js";
import type { ChatEvent, ChatRequest } from "../protocol/chat-types.js";
import type { FallbackHop } from "../store/ledger-store.js";
import type { Attempt } from "./attempt.js";
import { attemptStream } from "./attempt-stream.js";
import { CutShortSettlement, type GenerationLookup } from "./cut-short-settlement.js";
import { RungBudget, type RungBudgetLogger } from "./rung-budget.js";

/**
 * Admission of one rung of one attempt by a caller that shares capacity with others — a
 * workflow's fan-out is admitted per attempt on the rung it runs on, not per request. Resolves
 * with a release once the rung may be asked (rejects, "aborted", when `signal` fires first); the
 * dispatcher calls the release exactly once, when that rung is done: refused by the budget,
 * failed before its first event, or its answer's stream ended however it ended.
 */
export type AttemptThrottle = (
  step: RouteStep,
  request: ChatRequest,
  signal: CancelSignal,
) => Promise<() => void>;

export interface AttemptInput {
  /** The request as this attempt sends it (an escalation carries the earlier findings). */
  request: ChatRequest;
  /** Aborted when the caller goes away; the upstream request is aborted with it. */
  signal: CancelSignal;
  /** The caller asked not to be downgraded at a budget cap (escalations and judges never are). */
  forbidDowngrade: boolean;
  /** Extra upstream headers for a given concrete model (anthropic-beta for Anthropic models). */
  forwardHeaders?: ((model: string) => Record<string, string> | undefined) | undefined;
  /** Called once a rung has passed the budget step (reserved, or free), before it is asked. */
  onAdmitted?: (() => void) | undefined;
  /** Waited for before each rung's budget step, so its room does not count the rung's own reservation. */
  throttle?: AttemptThrottle | undefined;
}

export interface AttemptDispatcherOptions {
  config: SwitchyardConfig;
  backends: ReadonlyMap<string, Backend>;
  /** Budget enforcement; without one, nothing is reserved (tests of routing alone). */
  budget?: BudgetGuard | undefined;
  /** Who answers a rung and when (the Engine fleet); default: the configured back end at once. */
  admission?: BackendAdmission | undefined;
  logger?: RungBudgetLogger | undefined;
  /** The clock for throttled warnings; default Date.now. */
  now?: (() => number) | undefined;
  /** Where a cut-short paid answer's real cost can be looked up later (OpenRouter). */
  generations?: GenerationLookup | undefined;
  /** Waits before each of those look-ups (tests shorten them). */
  generationRetryDelaysMs?: readonly number[] | undefined;
  /** A cut-short answer's cost was confirmed after its row was written. */
  onCostCorrected?: ((attempt: Attempt) => void) | undefined;
}

export class AttemptDispatcher {
  private readonly modelOptions = new Map<string, ModelOptions>();
  private readonly admission: BackendAdmission;
  private readonly budget: RungBudget;
  private readonly cutShort: CutShortSettlement;

  constructor(private readonly options: AttemptDispatcherOptions) {
    const { config } = options;
    this.admission = options.admission ?? directAdmission(options.backends);
    this.budget = new RungBudget(config, options.budget, options.logger, options.now);
    this.cutShort = new CutShortSettlement({
      budget: this.budget,
      lookup: options.generations,
      retryDelaysMs: options.generationRetryDelaysMs,
      onCorrected: (attempt) => options.onCostCorrected?.(attempt),
    });
    for (const [alias, entry] of Object.entries(config.aliases)) {
      const modelOptions: ModelOptions = {};
      const local = config.backends[entry.backend]?.type === "ollama";
      if (local && entry.context_window) modelOptions.numCtx = entry.context_window;
      if (entry.keep_alive !== undefined) modelOptions.keepAlive = entry.keep_alive;
      if (entry.think !== undefined) modelOptions.think = entry.think;
      if (entry.max_output_tokens !== undefined) modelOptions.maxOutputTokens = entry.max_output_tokens;
      this.modelOptions.set(alias, modelOptions);
    }
  }

  /**
   * Resolves with the answer's events once a rung has produced its first one; iterate them to the
   * end (or `return()`), and the attempt is ended, settled and its lease freed. Rejects with a
   * SwitchyardError when no rung answered — the attempt is ended then too, with that error.
   */
  async dispatch(attempt: Attempt, input: AttemptInput): Promise<AsyncIterable<ChatEvent>> {
    const { route } = attempt.origin;
    let ladder: readonly RouteStep[] = route.ladder;
    /** Back ends that refused our account (no key, a bad key, no credits): every rung on them would too. */
    const refusedBackends = new Set<string>();
    const failures: SwitchyardError[] = [];
    for (let index = 0; index < ladder.length; index++) {
      const step = ladder[index]!;
      if (refusedBackends.has(step.backend)) continue;
      attempt.step = step;
      attempt.local = this.budget.isLocal(step);
      const releaseThrottle = await this.throttle(attempt, input, step);
      let decision: BudgetDecision;
      try {
        decision = await this.budget.reserve(step, input.request);
      } catch (error) {
        releaseThrottle();
        throw error;
      }
      if (decision.kind === "denied") {
        releaseThrottle();
        const reason = `budget: ${budgetExceededMessage(decision.denial)}`;
        const standIn = this.standIn(attempt, input, step, reason, refusedBackends);
        if (!standIn) {
          const error = budgetExceededError(decision.denial);
          attempt.budgetAction = "rejected";
          attempt.end("error", error);
          throw error;
        }
        // The stand-in becomes the last rung: a downgraded request never climbs back to dearer models.
        ladder = [...ladder.slice(0, index + 1), standIn];
        continue;
      }
      const reservation = decision.kind === "reserved" ? decision.reservation : undefined;
      input.onAdmitted?.();
      let lease: BackendLease | undefined;
      try {
        lease = await this.admission.acquire(step, input.signal);
        attempt.queueMs = lease.queuedMs;
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
        return attemptStream({
          first,
          iterator,
          attempt,
          lease,
          reservation,
          budget: this.budget,
          cutShort: this.cutShort,
          request: input.request,
          signal: input.signal,
          releaseThrottle,
        });
      } catch (thrown) {
        releaseThrottle();
        await this.budget.release(reservation);
        const error = toSwitchyardError(thrown);
        lease?.release({ ok: !error.retryable });
        if (input.signal.aborted) {
          attempt.end("aborted", error);
          throw error;
        }
        failures.push(error);
        if (isAccountRefusal(error)) refusedBackends.add(step.backend);
        // Out of credits or over the key's limit is a budget of its own: the same key cannot pay for
        // another model, so the request goes where a budget denial would.
        if (error.code === "upstream-payment-required") {
          const standIn = this.standIn(
            attempt,
            input,
            step,
            `${step.backend}: ${error.message}`,
            refusedBackends,
          );
          if (standIn) {
            ladder = [...ladder.slice(0, index + 1), standIn];
            continue;
          }
        }
        const next = ladder.slice(index + 1).find((rung) => !refusedBackends.has(rung.backend));
        const canFallBack = this.options.config.routing.fallback && error.retryable && next !== undefined;
        if (!canFallBack) {
          attempt.end("error", error);
          throw failureAfter(error, attempt.hops, failures);
        }
        attempt.hops.push({
          fromAlias: step.alias,
          toAlias: next.alias,
          reason: `${error.code}: ${error.message}`,
        });
      }
    }
    const error = new SwitchyardError("internal", `Route for ${route.task} has an empty ladder`);
    attempt.end("error", error);
    throw error;
  }

  /**
   * Waits for the caller's throttle, when there is one, and hands back a release that acts once.
   * A wait cut short ends the attempt (aborted when the caller went away) before the error goes on.
   */
  private async throttle(attempt: Attempt, input: AttemptInput, step: RouteStep): Promise<() => void> {
    if (!input.throttle) return NOTHING_HELD;
    let release: () => void;
    try {
      release = await input.throttle(step, input.request, input.signal);
    } catch (thrown) {
      const error = toSwitchyardError(thrown);
      attempt.end(input.signal.aborted || error.code === "aborted" ? "aborted" : "error", error);
      throw error;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release();
    };
  }

  /**
   * Where a request goes when a rung cannot be paid for (a budget cap, or the provider's own credit):
   * the plan's next cheaper stand-in not yet tried, on a back end that has not refused us — unless
   * the config rejects instead or the caller forbade it. Records the move on the attempt.
   */
  private standIn(
    attempt: Attempt,
    input: AttemptInput,
    step: RouteStep,
    reason: string,
    refusedBackends: ReadonlySet<string>,
  ): RouteStep | undefined {
    if (this.options.config.budget.on_exhausted !== "downgrade" || input.forbidDowngrade) return undefined;
    const standIn = attempt.origin.route.downgrades.find(
      (candidate) =>
        candidate.tier < step.tier &&
        !refusedBackends.has(candidate.backend) &&
        !attempt.hops.some((hop) => hop.fromAlias === candidate.alias),
    );
    if (!standIn) return undefined;
    attempt.hops.push({ fromAlias: step.alias, toAlias: standIn.alias, reason });
    attempt.downgrade = {
      fromAlias: attempt.downgrade?.fromAlias ?? step.alias,
      toAlias: standIn.alias,
      reason,
    };
    attempt.budgetAction = "downgraded";
    return standIn;
  }

  /** Resolves when cut-short answers waiting for the provider's figure are settled. */
  idle(): Promise<void> {
    return this.cutShort.idle();
  }

  /** Settles whatever still waits for a provider's figure on its estimate. */
  close(): Promise<void> {
    return this.cutShort.close();
  }

  private callOptions(step: RouteStep, input: AttemptInput): ModelOptions {
    const options = this.modelOptions.get(step.alias) ?? {};
    const headers = input.forwardHeaders?.(step.model);
    return headers ? { ...options, headers: { ...options.headers, ...headers } } : options;
  }
}

const NOTHING_HELD = (): void => {};

/** The provider refused the account rather than the request: no key, a bad key, no credits. */
function isAccountRefusal(error: SwitchyardError): boolean {
  return error.code === "upstream-authentication" || error.code === "upstream-payment-required";
}

/**
 * The error a caller gets when no rung answered: the last rung's, saying first what each back end
 * that failed needs (one line each: "the Engine at … is not answering", "no OpenRouter key"), and
 * keeping the hops in its details.
 */
function failureAfter(
  error: SwitchyardError,
  hops: readonly FallbackHop[],
  failures: readonly SwitchyardError[],
): SwitchyardError {
  if (hops.length === 0) return error;
  const byBackend = new Map<string, string>();
  for (const failure of failures) byBackend.set(failure.backend ?? failure.code, failure.message);
  const message =
    byBackend.size > 1
      ? [...byBackend.values()].join("\n")
      : `${error.message} (after falling back: ${hops.map((hop) => `${hop.fromAlias} → ${hop.toAlias} (${hop.reason})`).join("; ")})`;
  return new SwitchyardError(error.code, message, {
    ...(error.backend ? { backend: error.backend } : {}),
    ...(error.upstreamStatus ? { upstreamStatus: error.upstreamStatus } : {}),
    ...(error.retryAfterSeconds ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
    details: { ...error.details, fallback: hops },
    cause: error,
  });
}
