/**
 * One attempt's walk up its routing plan: for each rung, reserve its worst case (or, at a cap,
 * take the plan's budget stand-in, or refuse), take a lease on a server for it (the Engine fleet
 * may queue), send the request, and wait for the first event. A rung that fails before that first
 * event — unreachable, 5xx, 429, busy — hands over to the next rung; after it, the answer belongs
 * to this rung. The attempt records what happened; the spine writes it to the ledger.
 */
import type { Backend, ModelOptions } from "../backends/backend.js";
import { type BackendAdmission, type BackendLease, directAdmission } from "../backends/backend-admission.js";
import { budgetExceededError, budgetExceededMessage } from "../budget/budget-denial.js";
import type { BudgetGuard } from "../budget/budget-guard.js";
import type { RouteStep } from "../config/alias-steps.js";
import type { SwitchyardConfig } from "../config/config-schema.js";
import { SwitchyardError, toSwitchyardError } from "../errors/switchyard-error.js";
import type { CancelSignal } from "../protocol/cancel-signal.js";
import type { ChatEvent, ChatRequest } from "../protocol/chat-types.js";
import type { FallbackHop } from "../store/ledger-store.js";
import type { Attempt } from "./attempt.js";
import { attemptStream } from "./attempt-stream.js";
import { RungBudget, type RungBudgetLogger } from "./rung-budget.js";

export interface AttemptInput {
  /** The request as this attempt sends it (an escalation carries the earlier findings). */
  request: ChatRequest;
  /** Aborted when the caller goes away; the upstream request is aborted with it. */
  signal: CancelSignal;
  /** The caller asked not to be downgraded at a budget cap (escalations and judges never are). */
  forbidDowngrade: boolean;
  /** Extra upstream headers for a given concrete model (anthropic-beta for Anthropic models). */
  forwardHeaders?: ((model: string) => Record<string, string> | undefined) | undefined;
}

export interface AttemptDispatcherOptions {
  config: SwitchyardConfig;
  backends: ReadonlyMap<string, Backend>;
  /** Budget enforcement; without one, nothing is reserved (tests of routing alone). */
  budget?: BudgetGuard | undefined;
  /** Who answers a rung and when (the Engine fleet); default: the configured back end at once. */
  admission?: BackendAdmission | undefined;
  logger?: RungBudgetLogger | undefined;
}

export class AttemptDispatcher {
  private readonly modelOptions = new Map<string, ModelOptions>();
  private readonly admission: BackendAdmission;
  private readonly budget: RungBudget;

  constructor(private readonly options: AttemptDispatcherOptions) {
    const { config } = options;
    this.admission = options.admission ?? directAdmission(options.backends);
    this.budget = new RungBudget(config, options.budget, options.logger);
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
    for (let index = 0; index < ladder.length; index++) {
      const step = ladder[index]!;
      attempt.step = step;
      attempt.local = this.budget.isLocal(step);
      const decision = await this.budget.reserve(step, input.request);
      if (decision.kind === "denied") {
        const standIn =
          this.options.config.budget.on_exhausted === "downgrade" && !input.forbidDowngrade
            ? route.downgrades.find((candidate) => !wasTried(attempt.hops, candidate.alias))
            : undefined;
        if (!standIn) {
          const error = budgetExceededError(decision.denial);
          attempt.budgetAction = "rejected";
          attempt.end("error", error);
          throw error;
        }
        const reason = `budget: ${budgetExceededMessage(decision.denial)}`;
        attempt.hops.push({ fromAlias: step.alias, toAlias: standIn.alias, reason });
        attempt.downgrade = { fromAlias: step.alias, toAlias: standIn.alias, reason };
        attempt.budgetAction = "downgraded";
        // The stand-in becomes the last rung: a downgraded request never climbs back to paid models.
        ladder = [...ladder.slice(0, index + 1), standIn];
        continue;
      }
      const reservation = decision.kind === "reserved" ? decision.reservation : undefined;
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
          signal: input.signal,
        });
      } catch (thrown) {
        await this.budget.release(reservation);
        const error = toSwitchyardError(thrown);
        lease?.release({ ok: !error.retryable });
        const next = ladder[index + 1];
        const canFallBack =
          this.options.config.routing.fallback &&
          error.retryable &&
          next !== undefined &&
          !input.signal.aborted;
        if (!canFallBack) {
          const failure = withHops(error, attempt.hops);
          attempt.end(input.signal.aborted ? "aborted" : "error", error);
          throw failure;
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

  private callOptions(step: RouteStep, input: AttemptInput): ModelOptions {
    const options = this.modelOptions.get(step.alias) ?? {};
    const headers = input.forwardHeaders?.(step.model);
    return headers ? { ...options, headers: { ...options.headers, ...headers } } : options;
  }
}

function wasTried(hops: readonly FallbackHop[], alias: string): boolean {
  return hops.some((hop) => hop.fromAlias === alias);
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

function describeHops(hops: readonly FallbackHop[]): string {
  return hops.map((hop) => `${hop.fromAlias} → ${hop.toAlias} (${hop.reason})`).join("; ");
}
