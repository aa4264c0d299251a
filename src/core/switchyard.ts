/**
 * The spine: the one way any door — HTTP, CLI, MCP, a workflow node, a judge — reaches a model.
 * `chat(request, caller)` plans the route once, then either gates the answer before returning it
 * (climbing the ladder when a gate fails) or, for a stream that is not buffered, passes the answer
 * through as it comes and gates it afterwards. Every attempt is dispatched up its plan (admitted
 * rung by rung by the caller's throttle, when it has one), settled against the budget, and written
 * to the ledger once, after its verdict.
 */
import type { SwitchyardConfig } from "../config/config-schema.js";
import type { Attempt } from "../dispatch/attempt.js";
import type { AttemptDispatcher, AttemptInput } from "../dispatch/attempt-dispatcher.js";
import { SwitchyardError, toSwitchyardError } from "../errors/switchyard-error.js";
import { type EscalationInput, EscalationLoop, type EscalationSteps } from "../escalation/escalation-loop.js";
import { GateRunner } from "../escalation/gate-runner.js";
import type { JudgeCall } from "../escalation/judge-gate.js";
import type { GateInput, GateOutcome } from "../escalation/quality-gate.js";
import { resultEvents } from "../escalation/result-events.js";
import { Cancellation } from "../protocol/cancel-signal.js";
import { type ChatEvent, type ChatRequest, collectChatEvents } from "../protocol/chat-types.js";
import type { RoutePlanner } from "../routing/route-planner.js";
import type { Route } from "../routing/task-router.js";
import type { LedgerStore } from "../store/ledger-store.js";
import { newRequestId } from "../store/request-id.js";
import type { ToolHub } from "../tools/tool-hub.js";
import { Admission } from "./admission.js";
import { AttemptRecorder, type RowListener } from "./attempt-recorder.js";
import type { ChatAnswer, ChatCall, ChatCaller } from "./chat-call.js";
import { answeredLine, failedLine } from "./request-log.js";
import { ToolLoop } from "./tool-loop.js";

export interface SwitchyardLogger {
  warn(object: Record<string, unknown>, message: string): void;
  info?(object: Record<string, unknown>, message: string): void;
}

export interface SwitchyardOptions {
  config: SwitchyardConfig;
  planner: RoutePlanner;
  dispatcher: AttemptDispatcher;
  ledger: LedgerStore;
  /** The MCP servers a request's agent loop may call; without it, naming tools is refused. */
  tools?: ToolHub | undefined;
  logger?: SwitchyardLogger | undefined;
  now?: () => number;
}

export class Switchyard {
  readonly planner: RoutePlanner;
  readonly gates: GateRunner;
  private readonly loop: EscalationLoop;
  private readonly attempts: AttemptRecorder;
  /** Gating after a passed-through stream, still running. */
  private readonly background = new Set<Promise<void>>();

  constructor(private readonly options: SwitchyardOptions) {
    this.planner = options.planner;
    this.gates = new GateRunner({ config: options.config, askJudge: (call) => this.askJudge(call) });
    this.loop = new EscalationLoop(options.config, options.planner.opusShare, options.logger);
    this.attempts = new AttemptRecorder(options.ledger);
    this.attempts.onRecord((row) => {
      if (!isEvaluation(row)) options.planner.opusShare.counter.add(row);
    });
  }

  /** Seeds the Opus share from the ledger's recent rows. */
  async start(): Promise<void> {
    const now = (this.options.now ?? Date.now)();
    const opusShare = this.planner.opusShare;
    const rows = await this.options.ledger.between(now - opusShare.windowMs(), now + 1);
    for (const row of rows) if (!isEvaluation(row)) opusShare.counter.add(row);
  }

  /**
   * One request, whichever door it came through. Plans at once (throwing `model-not-found`,
   * `invalid-request` or `context-too-long` before anything is sent); the answer follows.
   */
  chat(request: ChatRequest, caller: ChatCaller): ChatCall {
    const plan = this.planFor(request, caller);
    const tools = caller.tools?.length ? caller.tools : this.options.config.tools.tasks[plan.task];
    if (tools && tools.length > 0) return this.chatWithTools(request, caller, plan, tools);
    return this.turn(request, caller, plan);
  }

  private planFor(request: ChatRequest, caller: ChatCaller): Route {
    const planned = this.planner.plan({ request, taskHint: caller.taskHint });
    return caller.singleRung ? firstRungOnly(planned) : planned;
  }

  /** One turn: planned (unless the plan is given), answered, recorded; no tool loop. */
  private turn(request: ChatRequest, caller: ChatCaller, given?: Route, firstId?: string): ChatCall {
    const plan = given ?? this.planFor(request, caller);
    const checkCommands = this.allowedChecks(caller.checkCommands);
    const arrivedAt = caller.arrivedAt ?? performance.now();
    const first = this.newAttempt(caller.frontDoor, plan, request.stream, arrivedAt, caller.caller, {
      parentId: null,
      number: 1,
      id: firstId,
    });
    const gated = !request.stream || this.options.config.escalation.buffer_streams;
    const admission = new Admission();
    const answer = gated
      ? this.answerGated(first, request, caller, checkCommands, admission)
      : this.answerStreaming(first, request, caller, checkCommands, admission);
    answer.then(admission.admit, (error: unknown) => {
      admission.refuse(error);
      this.logFailure(first, toSwitchyardError(error));
    });
    return {
      id: first.id,
      plan,
      answer,
      get admitted() {
        return admission.promise;
      },
    };
  }

  /** A request that may call MCP tools: the agent loop, each of its turns through `turn`. */
  private chatWithTools(
    request: ChatRequest,
    caller: ChatCaller,
    plan: Route,
    patterns: readonly string[],
  ): ChatCall {
    const hub = this.options.tools;
    if (!hub) {
      throw new SwitchyardError(
        "invalid-request",
        `This request names MCP tools (${patterns.join(", ")}) but no MCP server is configured: add one under tools.servers in switchyard.yaml`,
      );
    }
    const { loop } = this.options.config.tools;
    const toolLoop = new ToolLoop(hub, {
      maxSteps: loop.max_steps,
      timeoutMs: loop.timeout_ms,
      callTimeoutMs: this.options.config.tools.call_timeout_ms,
    });
    const id = newRequestId();
    const admission = new Admission();
    const answer = toolLoop.run({
      request,
      caller,
      patterns,
      task: plan.task,
      turn: (turnRequest, turnCaller, firstId) => this.turn(turnRequest, turnCaller, undefined, firstId),
      firstId: id,
      onAdmitted: admission.admit,
    });
    answer.then(admission.admit, admission.refuse);
    return {
      id,
      plan,
      answer,
      get admitted() {
        return admission.promise;
      },
    };
  }

  /** Listens to every ledger row as it is written (metrics, live views, log lines). */
  onRecord(listener: RowListener): void {
    this.attempts.onRecord(listener);
  }

  /** Attempts in flight: started and not yet in the ledger. */
  get inFlight(): number {
    return this.attempts.inFlight;
  }

  /**
   * Resolves true once every attempt in flight has ended and been recorded, or false after
   * `timeoutMs` (a caller that never consumed its answer holds its attempt forever).
   */
  drained(timeoutMs: number): Promise<boolean> {
    return this.attempts.drained(timeoutMs);
  }

  /**
   * Resolves when gating after streams, and the rows it writes, are done, and cut-short answers
   * waiting for the provider's figure are settled (tests, shutdown).
   */
  async idle(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
    await this.options.dispatcher.idle();
  }

  /** Rewrites a recorded attempt's row whose cost was confirmed later. */
  correct(attempt: Attempt): void {
    this.attempts.correct(attempt);
  }

  private async answerGated(
    first: Attempt,
    request: ChatRequest,
    caller: ChatCaller,
    checkCommands: readonly string[],
    admission: Admission,
  ): Promise<ChatAnswer> {
    const input: EscalationInput = {
      request,
      route: first.origin.route,
      signal: caller.signal,
      arrivedAt: first.origin.arrivedAt,
      forbidDowngrade: caller.forbidDowngrade ?? false,
      checkCommands,
      throttle: caller.throttle,
    };
    const steps: EscalationSteps = {
      run: async (attemptRequest, route, link) => {
        const attempt =
          link.number === 1
            ? first
            : this.newAttempt(caller.frontDoor, route, request.stream, link.arrivedAt, caller.caller, {
                parentId: link.chainId ?? null,
                number: link.number,
              });
        const events = await this.dispatch(attempt, {
          request: attemptRequest,
          signal: caller.signal,
          forbidDowngrade: link.forbidDowngrade,
          forwardHeaders: caller.forwardHeaders,
          onAdmitted: admission.admit,
          throttle: caller.throttle,
        });
        try {
          return { attempt, result: await collectChatEvents(events) };
        } catch (error) {
          this.record(attempt);
          throw error;
        }
      },
      gate: (gateInput) => this.gate(gateInput),
      record: (attempt, outcome) => this.record(attempt, outcome),
    };
    const answer = await this.loop.answer(input, steps);
    const { attempt } = answer;
    this.logRequest(answeredLine(attempt, answer));
    return {
      id: attempt.id,
      route: attempt.origin.route,
      step: attempt.step,
      hops: attempt.hops,
      downgrade: attempt.downgrade,
      events: resultEvents(answer.result),
      gated: {
        result: answer.result,
        escalations: answer.escalations,
        path: answer.path,
        ...(answer.verdict ? { verdict: answer.verdict } : {}),
        ...(answer.stopped ? { stopped: answer.stopped } : {}),
      },
    };
  }

  /** A stream that is not buffered: sent as it comes, gated after it ends (nothing can be re-asked). */
  private async answerStreaming(
    attempt: Attempt,
    request: ChatRequest,
    caller: ChatCaller,
    checkCommands: readonly string[],
    admission: Admission,
  ): Promise<ChatAnswer> {
    const events = await this.dispatch(attempt, {
      request,
      signal: caller.signal,
      forbidDowngrade: caller.forbidDowngrade ?? false,
      forwardHeaders: caller.forwardHeaders,
      onAdmitted: admission.admit,
      throttle: caller.throttle,
    });
    return {
      id: attempt.id,
      route: attempt.origin.route,
      step: attempt.step,
      hops: attempt.hops,
      downgrade: attempt.downgrade,
      events: this.passThrough(attempt, events, { request, checkCommands, throttle: caller.throttle }),
    };
  }

  private async *passThrough(
    attempt: Attempt,
    events: AsyncIterable<ChatEvent>,
    gating: StreamGating,
  ): AsyncGenerator<ChatEvent> {
    const route = attempt.origin.route;
    const collected: ChatEvent[] | undefined = this.gates.applies(route.task, gating.checkCommands)
      ? []
      : undefined;
    let complete = false;
    try {
      for await (const event of events) {
        collected?.push(event);
        yield event;
      }
      complete = true;
    } finally {
      if (complete && collected && attempt.status === "ok") {
        this.inBackground(this.gateAfterStream(attempt, collected, gating));
      } else {
        this.record(attempt);
      }
      this.logRequest(answeredLine(attempt));
    }
  }

  private async gateAfterStream(
    attempt: Attempt,
    events: readonly ChatEvent[],
    { request, checkCommands, throttle }: StreamGating,
  ): Promise<void> {
    try {
      const result = await collectChatEvents(replay(events));
      const gated = this.gate({
        request,
        result,
        route: attempt.origin.route,
        step: attempt.step,
        attemptId: attempt.id,
        chainId: attempt.id,
        attempt: attempt.origin.number,
        checkCommands,
        throttle,
        // The caller has its answer; its disconnect must not cut the checks short.
        signal: new Cancellation(),
      });
      this.record(attempt, gated instanceof Promise ? await gated : gated);
    } catch (error) {
      this.options.logger?.warn({ err: error, requestId: attempt.id }, "escalation: gating a stream failed");
      this.record(attempt);
    }
  }

  /** A judge's grading call: one attempt on the judge's rung, never downgraded, linked to the graded one. */
  private async askJudge(call: JudgeCall): Promise<{ id: string; text: string }> {
    const route: Route = {
      task: call.route.task,
      selector: call.route.selector,
      confidence: call.route.confidence,
      ladder: [call.step],
      downgrades: [],
      signals: () => ["judge"],
    };
    const attempt = this.newAttempt("judge", route, call.request.stream, performance.now(), undefined, {
      parentId: call.chainId,
      number: call.attempt,
    });
    const events = await this.dispatch(attempt, {
      request: call.request,
      signal: call.signal,
      forbidDowngrade: true,
      throttle: call.throttle,
    });
    try {
      return { id: attempt.id, text: (await collectChatEvents(events)).text };
    } finally {
      this.record(attempt);
    }
  }

  /** Dispatches an attempt; one that never found a rung is recorded before the error is thrown. */
  private async dispatch(attempt: Attempt, input: AttemptInput): Promise<AsyncIterable<ChatEvent>> {
    try {
      return await this.options.dispatcher.dispatch(attempt, input);
    } catch (error) {
      this.record(attempt);
      throw error;
    }
  }

  /**
   * The gates' verdict. A gate that breaks (a full disk, a bug) must not cost the caller an answer:
   * no verdict then. Structural-only tasks (the default) are judged synchronously.
   */
  private gate(input: GateInput): GateOutcome | undefined | Promise<GateOutcome | undefined> {
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

  private newAttempt(
    frontDoor: string,
    route: Route,
    stream: boolean,
    arrivedAt: number,
    caller: string | undefined,
    link: { parentId: string | null; number: number; id?: string | undefined } = {
      parentId: null,
      number: 1,
    },
  ): Attempt {
    return this.attempts.start({
      id: link.id,
      frontDoor,
      route,
      stream,
      arrivedAt,
      caller: caller ?? null,
      parentId: link.parentId,
      number: link.number,
    });
  }

  private record(attempt: Attempt, outcome?: GateOutcome): void {
    this.attempts.record(attempt, outcome);
  }

  private logRequest(line: Record<string, unknown>): void {
    this.options.logger?.info?.(line, "request");
  }

  /** A request that never got an answer; answered ones are logged where their answer ends. */
  private logFailure(first: Attempt, error: SwitchyardError): void {
    const { origin } = first;
    this.logRequest(failedLine(first.id, origin.frontDoor, origin.route, error, origin.arrivedAt));
  }

  private allowedChecks(commands: readonly string[] | undefined): readonly string[] {
    if (!commands || commands.length === 0) return NO_COMMANDS;
    if (!this.options.config.escalation.allow_check_header) {
      throw new SwitchyardError(
        "invalid-request",
        "x-switchyard-check runs commands on the Brain and is off; set escalation.allow_check_header: true in the config to allow it, or name the commands in gates.<task>.executable.commands",
      );
    }
    return commands;
  }

  private inBackground(work: Promise<void>): void {
    this.background.add(work);
    void work.finally(() => this.background.delete(work));
  }
}

const NO_COMMANDS: readonly string[] = [];

/** What gating a passed-through stream after it ends needs of its request. */
interface StreamGating {
  request: ChatRequest;
  checkCommands: readonly string[];
  /** The caller's throttle, for a judge's grading call. */
  throttle: ChatCaller["throttle"];
}

/** The plan cut to its first rung: nowhere to fall back, escalate or downgrade to. */
function firstRungOnly(route: Route): Route {
  return {
    ...route,
    ladder: route.ladder.slice(0, 1),
    downgrades: [],
    signals: () => [...route.signals(), "the caller measures this rung alone"],
  };
}

/**
 * `switchyard eval` traffic (front doors "eval" and "eval-judge") measures models on purpose: a run
 * pinned to Opus must not make the Opus share guard push real work to Sonnet.
 */
function isEvaluation(row: { frontDoor: string }): boolean {
  return row.frontDoor === "eval" || row.frontDoor === "eval-judge";
}

async function* replay(events: readonly ChatEvent[]): AsyncGenerator<ChatEvent> {
  yield* events;
}
