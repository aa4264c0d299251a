/**
 * A paid answer that ends without the provider's usage — the caller went away mid-stream, the
 * upstream broke off, or it simply sent none — is still billed for what was generated. It is
 * settled from what was streamed (the prompt's estimate and the tokens of the text that came),
 * priced from the catalog, and its row is marked estimated. Where the provider can say later what
 * it billed (OpenRouter's `GET /generation?id=`), the reservation is kept — the cap stays covered —
 * until it answers; then the exact figure is settled and the row corrected. If it never answers,
 * the estimate stands.
 */
import type { GenerationStats } from "../backends/openai-compatible/openrouter-api.js";
import type { Reservation } from "../budget/budget-guard.js";
import { estimateTextTokens } from "../protocol/anthropic/text-token-estimate.js";
import type { ChatRequest, Usage } from "../protocol/chat-types.js";
import { estimateChatRequestTokens } from "../protocol/token-estimate.js";
import type { Attempt, AttemptCost } from "./attempt.js";
import type { RungBudget } from "./rung-budget.js";

/** Looks up what a provider billed for one answer, by the response id it gave. */
export interface GenerationLookup {
  /** Whether answers from this back end can be looked up later. */
  supports(backendId: string): boolean;
  /** The billed figures, or undefined while the provider has not recorded them yet. */
  lookup(backendId: string, responseId: string): Promise<GenerationStats | undefined>;
}

export interface CutShortOptions {
  budget: RungBudget;
  lookup?: GenerationLookup | undefined;
  /** Waits before each look-up; OpenRouter records a generation a few seconds after it ends. */
  retryDelaysMs?: readonly number[] | undefined;
  /** The attempt's cost was confirmed after its row was written: write it again. */
  onCorrected?: ((attempt: Attempt) => void) | undefined;
}

export interface CutShortAnswer {
  attempt: Attempt;
  reservation: Reservation;
  request: ChatRequest;
  /** Everything the answer streamed: text, reasoning and tool-call arguments. */
  streamed: string;
  /** The provider's id for the answer (`gen-…` on OpenRouter), when it gave one. */
  responseId: string | undefined;
}

const DEFAULT_RETRY_DELAYS_MS = [2_000, 5_000, 15_000, 45_000] as const;

interface Pending {
  finish: () => void;
  done: Promise<void>;
}

export class CutShortSettlement {
  private readonly pending = new Set<Pending>();
  private closed = false;

  constructor(private readonly options: CutShortOptions) {}

  /** The cost the attempt's row records now: settled, or held for the provider's figure. */
  settle(answer: CutShortAnswer): AttemptCost {
    const { attempt, reservation, request } = answer;
    const estimate: Usage = {
      inputTokens: estimateChatRequestTokens(request),
      outputTokens: answer.streamed === "" ? 0 : estimateTextTokens(answer.streamed),
    };
    attempt.usage = estimate;
    attempt.costEstimated = true;
    const backendId = attempt.backendId ?? attempt.step.backend;
    const { lookup } = this.options;
    if (this.closed || !lookup || !answer.responseId || !lookup.supports(backendId)) {
      return this.options.budget.settle(reservation, estimate) ?? zeroCost(reservation);
    }
    this.reconcile(answer, estimate, lookup, backendId, answer.responseId);
    return this.options.budget.estimate(reservation, estimate);
  }

  /** Resolves when every answer waiting for the provider's figure is settled. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending].map((entry) => entry.done));
  }

  /** Shutting down: whatever still waits for the provider settles on its estimate now. */
  async close(): Promise<void> {
    this.closed = true;
    for (const entry of this.pending) entry.finish();
    await this.idle();
  }

  private reconcile(
    answer: CutShortAnswer,
    estimate: Usage,
    lookup: GenerationLookup,
    backendId: string,
    responseId: string,
  ): void {
    let timer: NodeJS.Timeout | undefined;
    let wake: () => void = () => {};
    let stopped = false;
    const entry: Pending = {
      finish: () => {
        stopped = true;
        clearTimeout(timer);
        wake();
      },
      done: Promise.resolve(),
    };
    const run = async () => {
      for (const delay of this.options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, delay);
          timer.unref();
        });
        if (stopped) break;
        const stats = await lookup.lookup(backendId, responseId).catch(() => undefined);
        if (stats) return this.confirm(answer, estimate, stats);
      }
      answer.attempt.cost =
        this.options.budget.settle(answer.reservation, estimate) ?? zeroCost(answer.reservation);
    };
    entry.done = run().finally(() => this.pending.delete(entry));
    this.pending.add(entry);
  }

  private confirm(answer: CutShortAnswer, estimate: Usage, stats: GenerationStats): void {
    const { attempt } = answer;
    const usage: Usage = {
      inputTokens: stats.promptTokens ?? estimate.inputTokens,
      outputTokens: stats.completionTokens ?? estimate.outputTokens,
      costUsd: stats.totalCostUsd,
    };
    attempt.usage = usage;
    attempt.cost = this.options.budget.settle(answer.reservation, usage) ?? zeroCost(answer.reservation);
    attempt.costEstimated = false;
    this.options.onCorrected?.(attempt);
  }
}

function zeroCost(reservation: Reservation): AttemptCost {
  return { costUsd: 0, catalogCostUsd: null, reportedCostUsd: null, reservedUsd: reservation.reservedUsd };
}
