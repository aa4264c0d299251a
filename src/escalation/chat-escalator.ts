/**
 * The escalation loop: dispatch, collect, gate, and on a failed gate climb one rung of the task's
 * ladder with the findings — until an answer passes, the ladder ends, `escalation.max_hops` is
 * reached, or the budget refuses the next rung (then the best answer so far is returned, with a
 * note). Every attempt is its own ledger row linked to the first (parentId, attempt 1, 2, 3) and
 * amended with its verdict. Streams that are not buffered are passed through untouched and gated
 * after they end, so the verdict is still recorded for calibration.
 */

import type { SwitchyardConfig } from "../config/config-schema.js";
import type { Dispatch, DispatchInput } from "../dispatch/chat-dispatcher.js";
import { toSwitchyardError } from "../errors/switchyard-error.js";
import { Cancellation } from "../protocol/cancel-signal.js";
import { type ChatEvent, type ChatResult, collectChatEvents } from "../protocol/chat-types.js";
import { OpusShareGuard } from "../routing/opus-share.js";
import type { Route } from "../routing/task-router.js";
import type { LedgerStore } from "../store/ledger-store.js";
import {
  describeFindings,
  type RejectedAttempt,
  requestWithFeedback,
  routeAbove,
} from "./escalation-feedback.js";
import { GateRunner } from "./gate-runner.js";
import type { DispatchFunction } from "./judge-gate.js";
import { type GateInput, type GateOutcome, gateDetailJson, outcomeRank } from "./quality-gate.js";

export type EscalationInput = Omit<DispatchInput, "parentId" | "attempt"> & {
  /** Commands the caller named in x-switchyard-check (already allowed by config). */
  checkCommands?: readonly string[];
};

export type StopReason = "budget" | "max-hops" | "top" | "error";

export interface EscalatedAnswer {
  result: ChatResult;
  /** The attempt whose answer is returned (its events are consumed). */
  dispatch: Dispatch;
  /** That attempt's route. */
  route: Route;
  /** How many times the request moved up after a failed gate. */
  escalations: number;
  /** The alias that answered each attempt, in order. */
  path: string[];
  verdict?: "pass" | "fail";
  /** Why climbing stopped with an answer that did not pass. */
  stopped?: { reason: StopReason; message: string };
}

export interface ChatEscalatorOptions {
  config: SwitchyardConfig;
  dispatch: DispatchFunction;
  ledger: LedgerStore;
  logger?: {
    warn(object: Record<string, unknown>, message: string): void;
    info?(object: Record<string, unknown>, message: string): void;
  };
  now?: () => number;
}

interface Candidate {
  result: ChatResult;
  dispatch: Dispatch;
  route: Route;
  outcome: GateOutcome | undefined;
}

export class ChatEscalator {
  readonly gates: GateRunner;
  readonly opusShare: OpusShareGuard;
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly options: ChatEscalatorOptions) {
    this.opusShare = new OpusShareGuard(options.config, options.now);
    this.gates = new GateRunner({
      config: options.config,
      dispatch: options.dispatch,
      onDispatch: (dispatch) => this.count(dispatch),
    });
  }

  /** Seeds the Opus share from the ledger's recent rows. */
  async start(): Promise<void> {
    const now = (this.options.now ?? Date.now)();
    const rows = await this.options.ledger.between(now - this.opusShare.windowMs(), now + 1);
    for (const row of rows) this.opusShare.counter.add(row);
  }

  /** Whether streamed requests are collected and gated before they are sent. */
  get buffersStreams(): boolean {
    return this.options.config.escalation.buffer_streams;
  }

  async answer(input: EscalationInput): Promise<EscalatedAnswer> {
    const settings = this.options.config.escalation;
    const checkCommands = input.checkCommands ?? [];
    let route = this.startRoute(input);
    let request = input.request;
    const rejected: RejectedAttempt[] = [];
    const path: string[] = [];
    let best: Candidate | undefined;
    let chainId: string | undefined;
    let sonnetRetried = false;
    const finish = (chosen: Candidate, stopped?: EscalatedAnswer["stopped"]): EscalatedAnswer => ({
      result: chosen.result,
      dispatch: chosen.dispatch,
      route: chosen.route,
      escalations: path.length - 1,
      path,
      ...(chosen.outcome ? { verdict: chosen.outcome.verdict } : {}),
      ...(stopped && chosen.outcome?.verdict === "fail" ? { stopped } : {}),
    });

    for (let attempt = 1; ; attempt++) {
      let dispatch: Dispatch;
      let result: ChatResult;
      try {
        dispatch = await this.options.dispatch({
          ...withoutChecks(input),
          request,
          route,
          // Each attempt's latency is its own, so calibration can tell what a failed rung cost.
          arrivedAt: attempt === 1 ? input.arrivedAt : performance.now(),
          parentId: chainId,
          attempt,
          // A later attempt at a budget cap stops; downgrading it would re-ask a rung that failed.
          forbidDowngrade: attempt === 1 ? input.forbidDowngrade : true,
        });
        this.count(dispatch);
        result = await collectChatEvents(dispatch.events);
      } catch (thrown) {
        const error = toSwitchyardError(thrown);
        if (!best || error.code === "aborted" || input.signal.aborted) throw error;
        return finish(best, {
          reason: error.code === "budget-exceeded" ? "budget" : "error",
          message: error.message,
        });
      }
      chainId ??= dispatch.id;
      path.push(dispatch.step.alias);
      const gated = this.runGates({
        request: input.request,
        result,
        route,
        step: dispatch.step,
        attemptId: dispatch.id,
        chainId,
        attempt,
        checkCommands,
        signal: input.signal,
      });
      const outcome = gated instanceof Promise ? await gated : gated;
      if (outcome) this.amend(dispatch, outcome);
      const current: Candidate = { result, dispatch, route, outcome };
      // Ties go to the later attempt: it came from a stronger model.
      if (!best || outcomeRank(outcome) >= outcomeRank(best.outcome)) best = current;
      if (!outcome || outcome.verdict === "pass" || !settings.enabled) return finish(current);

      const findings = describeFindings(outcome.findings);
      if (dispatch.downgrade) {
        return finish(best, { reason: "budget", message: `budget: ${dispatch.downgrade.reason}` });
      }
      if (attempt > settings.max_hops) {
        return finish(best, {
          reason: "max-hops",
          message: `escalation.max_hops (${settings.max_hops}) reached`,
        });
      }
      const above = routeAbove(route, dispatch.step.alias, findings.slice(0, 200));
      if (!above) return finish(best, { reason: "top", message: `no rung above ${dispatch.step.alias}` });
      const next = this.opusShare.adjustEscalation(above, dispatch.step.alias, sonnetRetried);
      if (next !== above) this.logGuard(next, dispatch.id);
      if (next.ladder[0]?.alias === dispatch.step.alias) sonnetRetried = true;
      rejected.push({ attempt, alias: dispatch.step.alias, findings: outcome.findings, result });
      request = requestWithFeedback(input.request, rejected, settings.feedback_answer_chars);
      route = next;
    }
  }

  /**
   * A streamed request that is not buffered: dispatched at once (on the Opus-share-adjusted route),
   * its events passed through as they come and gated after the stream ends.
   */
  async dispatchObserved(input: EscalationInput): Promise<Dispatch> {
    const route = this.startRoute(input);
    const dispatch = await this.options.dispatch({ ...withoutChecks(input), route });
    return { ...dispatch, events: this.observe(dispatch, input) };
  }

  /**
   * Passes a dispatch's events through unchanged and, once the stream has ended normally, gates
   * the answer in the background and records the verdict. Nothing can be re-asked: it was sent.
   */
  async *observe(dispatch: Dispatch, input: EscalationInput): AsyncGenerator<ChatEvent> {
    this.count(dispatch);
    const events: ChatEvent[] = [];
    for await (const event of dispatch.events) {
      events.push(event);
      yield event;
    }
    this.track(this.gateAfterStream(dispatch, input, events));
  }

  /** Resolves when background gating and ledger amendments so far are done (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private async gateAfterStream(
    dispatch: Dispatch,
    input: EscalationInput,
    events: ChatEvent[],
  ): Promise<void> {
    const result = await collectChatEvents(replay(events));
    // The caller has its answer; its disconnect must not cut the checks short.
    const outcome = await this.runGates({
      request: input.request,
      result,
      route: dispatch.route,
      step: dispatch.step,
      attemptId: dispatch.id,
      chainId: dispatch.id,
      attempt: 1,
      checkCommands: input.checkCommands ?? [],
      signal: new Cancellation(),
    });
    if (outcome) this.amend(dispatch, outcome);
  }

  /** Where a new request starts: its route, unless the Opus share guard moves it to Sonnet. */
  private startRoute(input: EscalationInput): Route {
    const route = this.opusShare.adjustStart(input.route, input.request);
    if (route !== input.route) this.logGuard(route);
    return route;
  }

  /** The guard's decision is a route signal; the log is where it outlives the request. */
  private logGuard(route: Route, requestId?: string): void {
    this.options.logger?.info?.(
      { task: route.task, requestId, signal: route.signals().at(-1) },
      "opus-share guard",
    );
  }

  /**
   * A gate that breaks (a full disk, a bug) must not cost the caller an answer: no verdict then.
   * Structural-only tasks (the default) get their verdict synchronously, with no promise per answer.
   */
  private runGates(input: GateInput): GateOutcome | undefined | Promise<GateOutcome | undefined> {
    const failedToRun = (error: unknown): undefined => {
      this.options.logger?.warn(
        { err: error, requestId: input.attemptId },
        "escalation: a quality gate failed to run",
      );
      return undefined;
    };
    try {
      const gated = this.gates.run(input);
      return gated instanceof Promise ? gated.catch(failedToRun) : gated;
    } catch (error) {
      return failedToRun(error);
    }
  }

  private amend(dispatch: Dispatch, outcome: GateOutcome): void {
    const gateDetail = gateDetailJson(outcome);
    this.track(
      dispatch.completed.then((row) =>
        this.options.ledger.record({ ...row, gateVerdict: outcome.verdict, gateDetail }),
      ),
    );
  }

  private count(dispatch: Dispatch): void {
    void dispatch.completed.then((row) => this.opusShare.counter.add(row));
  }

  private track(work: Promise<unknown>): void {
    const tracked = work.catch((error: unknown) =>
      this.options.logger?.warn({ err: error }, "escalation: gating or recording a verdict failed"),
    );
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }
}

function withoutChecks(input: EscalationInput): Omit<DispatchInput, "parentId" | "attempt"> {
  const { checkCommands: _checkCommands, ...rest } = input;
  return rest;
}

async function* replay(events: readonly ChatEvent[]): AsyncGenerator<ChatEvent> {
  yield* events;
}
