/**
 * The budget step for one rung: before a paid rung is asked, reserve its worst case (free for
 * local rungs and without a budget); once its answer ends, settle the reservation to what the
 * answer cost — known at once for the ledger row, booked in the background — or release it when
 * the rung failed before answering.
 */
import type { BudgetDecision, BudgetGuard, Reservation } from "../budget/budget-guard.js";
import type { RouteStep } from "../config/alias-steps.js";
import type { SwitchyardConfig } from "../config/config-schema.js";
import type { ChatRequest, Usage } from "../protocol/chat-types.js";
import { chatRequestTokenBound } from "../protocol/token-estimate.js";
import type { AttemptCost } from "./attempt.js";

export interface RungBudgetLogger {
  warn(object: Record<string, unknown>, message: string): void;
}

const FREE: BudgetDecision = { kind: "free" };

/** Whether the request marks prompt-cache breakpoints (only Anthropic-shaped callers do). */
function hasCacheMarks(request: ChatRequest): boolean {
  return request.messages.some(
    (message) =>
      ("cache" in message && message.cache !== undefined) ||
      (message.role === "user" &&
        typeof message.content !== "string" &&
        message.content.some((part) => part.cache)),
  );
}

/** A model's reported cost may disagree with the catalog on every request (prompt caching): say so hourly. */
const COST_WARNING_INTERVAL_MS = 3_600_000;

export class RungBudget {
  private readonly localBackends = new Set<string>();
  private readonly lastCostWarning = new Map<string, number>();

  constructor(
    private readonly config: SwitchyardConfig,
    private readonly budget: BudgetGuard | undefined,
    private readonly logger?: RungBudgetLogger,
    private readonly now: () => number = Date.now,
  ) {
    for (const [id, backend] of Object.entries(config.backends)) {
      if (backend.type === "ollama") this.localBackends.add(id);
    }
  }

  /** Whether the rung runs on a local back end (never reserved, never capped). */
  isLocal(step: RouteStep): boolean {
    return this.localBackends.has(step.backend);
  }

  async reserve(step: RouteStep, request: ChatRequest): Promise<BudgetDecision> {
    if (!this.budget || this.isLocal(step)) return FREE;
    return this.budget.reserve({
      alias: step.alias,
      model: step.model,
      local: false,
      // A bound, not an estimate: a provider whose tokenizer counts more must not settle past a cap.
      promptTokens: chatRequestTokenBound(request),
      maxOutputTokens: request.maxTokens ?? this.config.aliases[step.alias]?.max_output_tokens,
      cacheWrites: hasCacheMarks(request),
    });
  }

  /** The rung failed before answering: nothing was spent. */
  async release(reservation: Reservation | undefined): Promise<void> {
    if (reservation) await this.budget?.release(reservation);
  }

  /** What the answer cost (a release when nothing was reported), booked in the background. */
  settle(reservation: Reservation | undefined, usage: Usage | undefined): AttemptCost | undefined {
    if (!reservation || !this.budget) return undefined;
    const settled = this.budget.settleLater(reservation, usage);
    if (settled.warning) this.warnOnce(reservation.model, settled.warning);
    return settled;
  }

  /** What an answer cost by its usage, without settling anything (the reservation stays held). */
  estimate(reservation: Reservation, usage: Usage): AttemptCost {
    if (!this.budget) return { costUsd: 0, catalogCostUsd: null, reportedCostUsd: null, reservedUsd: 0 };
    return this.budget.costOf(reservation, usage);
  }

  private warnOnce(model: string, warning: string): void {
    const now = this.now();
    const last = this.lastCostWarning.get(model);
    if (last !== undefined && now - last < COST_WARNING_INTERVAL_MS) return;
    this.lastCostWarning.set(model, now);
    this.logger?.warn({ model }, `${warning} (said at most once an hour per model)`);
  }
}
