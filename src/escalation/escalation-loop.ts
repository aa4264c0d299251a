/**
 * The escalation loop, for answers that are gated before they are returned (every non-streamed
 * answer; streams when `escalation.buffer_streams` is on): run an attempt, gate its answer, and on
 * a failed gate climb one rung of the plan with the findings — until an answer passes, the ladder
 * ends, `escalation.max_hops` is reached, or the budget refuses the next rung. Then the best
 * answer so far is returned, with a note saying why climbing stopped.
 *
 * The loop decides only where to go next. Running an attempt, gating an answer and writing the
 * attempt's ledger row (once, with its verdict) are the spine's, handed in as `EscalationSteps`.
 */
import type { SwitchyardConfig } from "../config/config-schema.js";
import type { Attempt } from "../dispatch/attempt.js";
import type { AttemptThrottle } from "../dispatch/attempt-dispatcher.js";
import { toSwitchyardError } from "../errors/switchyard-error.js";
import type { CancelSignal } from "../protocol/cancel-signal.js";
import type { ChatRequest, ChatResult } from "../protocol/chat-types.js";
import type { OpusShareGuard } from "../routing/opus-share.js";
import type { Route } from "../routing/task-router.js";
import {
  describeFindings,
  type RejectedAttempt,
  requestWithFeedback,
  routeAbove,
} from "./escalation-feedback.js";
import { type GateInput, type GateOutcome, outcomeRank } from "./quality-gate.js";

export type StopReason = "budget" | "max-hops" | "top" | "error";

/** How one attempt of the loop is linked to the ones before it. */
export interface AttemptLink {
  /** 1 for the first attempt, 2 for the first escalation, … */
  number: number;
  /** The first attempt's id; undefined for the first attempt itself. */
  chainId: string | undefined;
  /** performance.now() when this attempt began. */
  arrivedAt: number;
  /** Escalations are never downgraded: at a cap the climb stops instead. */
  forbidDowngrade: boolean;
}

export interface EscalationSteps {
  /**
   * Runs one attempt and collects its answer. Rejects when no rung answered (the attempt is
   * recorded by then).
   */
  run(
    request: ChatRequest,
    route: Route,
    link: AttemptLink,
  ): Promise<{ attempt: Attempt; result: ChatResult }>;
  /** The gates' verdict on one answer; undefined when the task has no gates. */
  gate(input: GateInput): GateOutcome | undefined | Promise<GateOutcome | undefined>;
  /** Writes the attempt's ledger row with its verdict. */
  record(attempt: Attempt, outcome: GateOutcome | undefined): void;
}

export interface EscalationInput {
  request: ChatRequest;
  route: Route;
  signal: CancelSignal;
  arrivedAt: number;
  forbidDowngrade: boolean;
  /** Commands the caller named in x-switchyard-check (already allowed by config). */
  checkCommands: readonly string[];
  /** The caller's throttle, handed to the gates (a judge's call waits for it). */
  throttle?: AttemptThrottle | undefined;
}

export interface EscalatedAnswer {
  result: ChatResult;
  /** The attempt whose answer is returned. */
  attempt: Attempt;
  /** How many times the request moved up after a failed gate. */
  escalations: number;
  /** The alias that answered each attempt, in order. */
  path: string[];
  verdict?: "pass" | "fail";
  /** Why climbing stopped with an answer that did not pass. */
  stopped?: { reason: StopReason; message: string };
}

export interface EscalationLogger {
  info?(object: Record<string, unknown>, message: string): void;
}

interface Candidate {
  result: ChatResult;
  attempt: Attempt;
  outcome: GateOutcome | undefined;
}

export class EscalationLoop {
  constructor(
    private readonly config: SwitchyardConfig,
    private readonly opusShare: OpusShareGuard,
    private readonly logger?: EscalationLogger,
  ) {}

  async answer(input: EscalationInput, steps: EscalationSteps): Promise<EscalatedAnswer> {
    const settings = this.config.escalation;
    let route = input.route;
    let request = input.request;
    const rejected: RejectedAttempt[] = [];
    const path: string[] = [];
    let best: Candidate | undefined;
    let chainId: string | undefined;
    let sonnetRetried = false;
    const finish = (chosen: Candidate, stopped?: EscalatedAnswer["stopped"]): EscalatedAnswer => ({
      result: chosen.result,
      attempt: chosen.attempt,
      escalations: path.length - 1,
      path,
      ...(chosen.outcome ? { verdict: chosen.outcome.verdict } : {}),
      ...(stopped && chosen.outcome?.verdict === "fail" ? { stopped } : {}),
    });

    for (let number = 1; ; number++) {
      let attempt: Attempt;
      let result: ChatResult;
      try {
        ({ attempt, result } = await steps.run(request, route, {
          number,
          chainId,
          // Each attempt's latency is its own, so calibration can tell what a failed rung cost.
          arrivedAt: number === 1 ? input.arrivedAt : performance.now(),
          // A later attempt at a budget cap stops; downgrading it would re-ask a rung that failed.
          forbidDowngrade: number === 1 ? input.forbidDowngrade : true,
        }));
      } catch (thrown) {
        const error = toSwitchyardError(thrown);
        if (!best || error.code === "aborted" || input.signal.aborted) throw error;
        return finish(best, {
          reason: error.code === "budget-exceeded" ? "budget" : "error",
          message: error.message,
        });
      }
      chainId ??= attempt.id;
      path.push(attempt.step.alias);
      const gated = steps.gate({
        request: input.request,
        result,
        route,
        step: attempt.step,
        attemptId: attempt.id,
        chainId,
        attempt: number,
        checkCommands: input.checkCommands,
        signal: input.signal,
        throttle: input.throttle,
      });
      const outcome = gated instanceof Promise ? await gated : gated;
      steps.record(attempt, outcome);
      const current: Candidate = { result, attempt, outcome };
      // Ties go to the later attempt: it came from a stronger model.
      if (!best || outcomeRank(outcome) >= outcomeRank(best.outcome)) best = current;
      if (!outcome || outcome.verdict === "pass" || !settings.enabled) return finish(current);

      if (attempt.downgrade) {
        return finish(best, { reason: "budget", message: `budget: ${attempt.downgrade.reason}` });
      }
      if (number > settings.max_hops) {
        return finish(best, {
          reason: "max-hops",
          message: `escalation.max_hops (${settings.max_hops}) reached`,
        });
      }
      const findings = describeFindings(outcome.findings);
      const above = routeAbove(route, attempt.step.alias, findings.slice(0, 200));
      if (!above) return finish(best, { reason: "top", message: `no rung above ${attempt.step.alias}` });
      const next = this.opusShare.adjustEscalation(above, attempt.step.alias, sonnetRetried);
      if (next !== above) this.logGuard(next, attempt.id);
      if (next.ladder[0]?.alias === attempt.step.alias) sonnetRetried = true;
      rejected.push({ attempt: number, alias: attempt.step.alias, findings: outcome.findings, result });
      request = requestWithFeedback(input.request, rejected, settings.feedback_answer_chars);
      route = next;
    }
  }

  /** The guard's decision is a route signal; the log is where it outlives the request. */
  private logGuard(route: Route, requestId: string): void {
    this.logger?.info?.({ task: route.task, requestId, signal: route.signals().at(-1) }, "opus-share guard");
  }
}
