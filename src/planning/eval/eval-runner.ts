/**
 * Runs the evaluation suite through targets — each alias measured alone, and the ladder — as a
 * door of the one request path: every task is a `Switchyard.chat` call with front door "eval"
 * (pinned to one rung for an alias, `switchyard/<task>` for the ladder), costed, budgeted and in
 * the ledger like any request, and its answer is checked by the task's checker (judge calls go
 * through the spine too, as "eval-judge"). Targets run one after another; a target's tasks run
 * in parallel within the Engine's free slots, and each call's worst case is held against
 * `--max-usd` while it is in flight, so the cap holds. A target whose calls keep failing, or that
 * the budget refuses, stops early with the reason.
 */
import type { ModelCatalog } from "../../budget/model-catalog.js";
import type { SwitchyardConfig } from "../../config/config-schema.js";
import type { ChatAnswer, ChatCaller } from "../../core/chat-call.js";
import type { Switchyard } from "../../core/switchyard.js";
import type { FleetSnapshot } from "../../engines/engine-status.js";
import { toSwitchyardError } from "../../errors/switchyard-error.js";
import { Cancellation, type CancelSignal } from "../../protocol/cancel-signal.js";
import { collectChatEvents } from "../../protocol/chat-types.js";
import type { EvalResultRecord, EvalStore } from "../../store/eval-store.js";
import type { RequestRecord } from "../../store/ledger-store.js";
import { newRequestId } from "../../store/request-id.js";
import { type AnswerChecker, type AskEvalJudge, answerChecker, evidenceOf } from "./answer-check.js";
import type { EvalToolchains } from "./code-check.js";
import { worstCaseCallUsd } from "./eval-estimate.js";
import { evalRequest, isPaidAlias, LADDER } from "./eval-request.js";
import { SUITE_VERSION } from "./eval-suite.js";
import type { EvalTask } from "./eval-task.js";

/** Calls at once to a paid alias (or the ladder) when `--parallel` does not say. */
export const DEFAULT_PARALLEL = 4;
/** A target stops after this many calls in a row got no answer at all. */
const FAILURES_IN_A_ROW = 3;

export interface EvalRunnerOptions {
  switchyard: Switchyard;
  config: SwitchyardConfig;
  catalog: () => ModelCatalog;
  /** The Engine fleet, for its free slots; absent: DEFAULT_PARALLEL. */
  engines?: { snapshot(): FleetSnapshot } | undefined;
  toolchains: EvalToolchains;
  /** The alias that judges text tasks. */
  judgeAlias: string;
  /** Where results are written, a target at a time. */
  store?: EvalStore | undefined;
  /** Wraps the checker (the bench memoises the verdicts of identical answers). */
  wrapChecker?: (checker: AnswerChecker) => AnswerChecker;
  now?: () => number;
}

export interface EvalRun {
  tasks: readonly EvalTask[];
  /** Alias names and/or "ladder", in the order to run them. */
  targets: readonly string[];
  /** Money the run may spend at most, USD. */
  maxUsd: number;
  /** Calls at once per target; default: the Engine's free slots (local aliases) or DEFAULT_PARALLEL. */
  parallel?: number | undefined;
  signal?: CancelSignal;
  /** Called as each task's result is known. */
  onResult?: (result: EvalResultRecord, done: number, total: number) => void;
}

export interface EvalRunOutcome {
  runId: string;
  results: EvalResultRecord[];
  /** Tasks that were not sent, per target, and why. */
  skipped: Array<{ target: string; count: number; reason: string }>;
  spentUsd: number;
}

export class EvalRunner {
  private readonly watched = new Map<string, RequestRecord[]>();
  private readonly checker: AnswerChecker;
  private readonly now: () => number;
  private signal: CancelSignal = new Cancellation();

  constructor(private readonly options: EvalRunnerOptions) {
    this.now = options.now ?? Date.now;
    options.switchyard.onRecord((row) => this.watched.get(row.parentId ?? row.id)?.push(row));
    const judgeAlias = options.judgeAlias;
    const checker = answerChecker({
      toolchains: options.toolchains,
      askJudge: this.askJudge,
      judge: { model: judgeAlias, paid: isPaidAlias(options.config, judgeAlias) },
    });
    this.checker = options.wrapChecker ? options.wrapChecker(checker) : checker;
  }

  async run(run: EvalRun): Promise<EvalRunOutcome> {
    const runId = newRequestId(this.now());
    this.signal = run.signal ?? new Cancellation();
    const allowance = new Allowance(run.maxUsd);
    const outcome: EvalRunOutcome = { runId, results: [], skipped: [], spentUsd: 0 };
    const total = run.tasks.length * run.targets.length;
    for (const target of run.targets) {
      if (this.signal.aborted) break;
      const results: EvalResultRecord[] = [];
      const stop = new TargetStop();
      const { config, judgeAlias } = this.options;
      const costs = { config, catalog: this.options.catalog(), judgeAlias };
      await runPool(run.tasks, run.parallel ?? this.parallelFor(target), async (task) => {
        if (stop.reason || this.signal.aborted) return stop.skip(stop.reason ?? "the run was stopped");
        const held = worstCaseCallUsd(task, target, costs);
        if (!allowance.hold(held)) return stop.skip(`--max-usd $${run.maxUsd.toFixed(2)} reached`);
        let done: TaskOutcome;
        try {
          done = await this.runTask(runId, task, target);
        } finally {
          allowance.release(held);
        }
        const { result } = done;
        allowance.spend(result.costUsd + result.judgeCostUsd);
        stop.observe(done);
        results.push(result);
        outcome.results.push(result);
        run.onResult?.(result, outcome.results.length, total);
      });
      if (stop.skipped > 0)
        outcome.skipped.push({ target, count: stop.skipped, reason: stop.reason ?? "stopped" });
      await this.options.store?.record(results);
    }
    outcome.spentUsd = allowance.spent;
    return outcome;
  }

  /** One task on one target: ask, check, and what it cost from its ledger rows. */
  private async runTask(runId: string, task: EvalTask, target: string): Promise<TaskOutcome> {
    const startedAt = this.now();
    const started = performance.now();
    const base = {
      id: newRequestId(startedAt),
      runId,
      startedAt,
      suiteVersion: SUITE_VERSION,
      taskId: task.id,
      taskKind: task.kind,
      target,
      evidence: evidenceOf(task),
      judgeRequestId: null,
      judgeScore: null,
      judgeCostUsd: 0,
    };
    const caller: ChatCaller = {
      frontDoor: "eval",
      signal: this.signal,
      taskHint: task.kind,
      forbidDowngrade: true,
      singleRung: target !== LADDER,
      caller: "switchyard eval",
    };
    const rows: RequestRecord[] = [];
    let requestId: string | null = null;
    let answer: ChatAnswer;
    let text: string;
    try {
      const call = this.options.switchyard.chat(evalRequest(task, target, this.options.config), caller);
      requestId = call.id;
      this.watched.set(call.id, rows);
      answer = await call.answer;
      text = answer.gated ? answer.gated.result.text : (await collectChatEvents(answer.events)).text;
    } catch (thrown) {
      const error = toSwitchyardError(thrown);
      const result: EvalResultRecord = {
        ...base,
        ...spent(rows),
        verdict: "error",
        detail: `no answer: ${error.message}`,
        requestId,
        answerAlias: null,
        answerTier: null,
        path: [],
        escalations: 0,
        latencyMs: performance.now() - started,
      };
      return { result, errorCode: error.code };
    } finally {
      if (requestId) this.watched.delete(requestId);
    }
    const latencyMs = performance.now() - started;
    const answered = {
      ...base,
      ...spent(rows),
      requestId,
      answerAlias: answer.step.alias,
      answerTier: answer.step.tier,
      path: answer.gated ? [...answer.gated.path] : [answer.step.alias],
      escalations: answer.gated?.escalations ?? 0,
      latencyMs,
    };
    if (target !== LADDER && answer.step.alias !== target) {
      const detail = `${target} could not take this request; ${answer.step.alias} answered instead`;
      return { result: { ...answered, verdict: "error", detail }, answered: true };
    }
    const verdict = await this.checker(task, text);
    const result: EvalResultRecord = {
      ...answered,
      verdict: verdict.verdict,
      evidence: verdict.evidence,
      detail: verdict.findings.length > 0 ? verdict.findings.join("\n").slice(0, 4_000) : null,
      judgeRequestId: verdict.judge?.requestId ?? null,
      judgeScore: verdict.judge?.score ?? null,
      judgeCostUsd: verdict.judge?.costUsd ?? 0,
    };
    return { result, answered: true };
  }

  /** The eval's judge: one rung, no escalation, in the ledger as front door "eval-judge". */
  private readonly askJudge: AskEvalJudge = async (request, task) => {
    const rows: RequestRecord[] = [];
    const call = this.options.switchyard.chat(request, {
      frontDoor: "eval-judge",
      signal: this.signal,
      taskHint: task.kind,
      forbidDowngrade: true,
      singleRung: true,
      caller: "switchyard eval",
    });
    this.watched.set(call.id, rows);
    try {
      const answer = await call.answer;
      const text = answer.gated ? answer.gated.result.text : (await collectChatEvents(answer.events)).text;
      return { requestId: call.id, text, costUsd: spent(rows).costUsd };
    } finally {
      this.watched.delete(call.id);
    }
  };

  /** Calls at once: the Engine's free slots for a local alias, else DEFAULT_PARALLEL. */
  private parallelFor(target: string): number {
    const snapshot = this.options.engines?.snapshot();
    if (!snapshot) return DEFAULT_PARALLEL;
    const free = (alias: string) =>
      snapshot.engines
        .filter((engine) => engine.state !== "down")
        .flatMap((engine) => engine.models.filter((model) => model.aliases.includes(alias)))
        .reduce((sum, model) => sum + Math.max(0, model.slots - model.inFlight), 0);
    if (target !== LADDER) {
      return isPaidAlias(this.options.config, target) ? DEFAULT_PARALLEL : Math.max(1, free(target));
    }
    const local = Object.keys(this.options.config.aliases).filter(
      (alias) => !isPaidAlias(this.options.config, alias),
    );
    return Math.max(1, Math.min(DEFAULT_PARALLEL, ...local.map(free)));
  }
}

/** Cost, calls and tokens of a request's ledger rows (its attempts and its gates' judges). */
function spent(rows: readonly RequestRecord[]) {
  return {
    costUsd: rows.reduce((sum, row) => sum + row.costUsd, 0),
    inputTokens: rows.reduce((sum, row) => sum + row.inputTokens, 0),
    outputTokens: rows.reduce((sum, row) => sum + row.outputTokens, 0),
    calls: rows.filter((row) => row.status === "ok").length,
  };
}

/** A task's result, and (when no model answered) the error's code. */
interface TaskOutcome {
  result: EvalResultRecord;
  answered?: boolean;
  errorCode?: string;
}

/** `--max-usd`: spent plus what calls in flight could still cost stays within it. */
class Allowance {
  spent = 0;
  private held = 0;

  constructor(private readonly maxUsd: number) {}

  hold(amount: number): boolean {
    if (this.spent + this.held + amount > this.maxUsd) return false;
    this.held += amount;
    return true;
  }

  release(amount: number): void {
    this.held -= amount;
  }

  spend(amount: number): void {
    this.spent += amount;
  }
}

/** When a target stops sending: the budget refused, or calls keep getting no answer. */
class TargetStop {
  reason: string | undefined;
  skipped = 0;
  private failuresInARow = 0;

  skip(reason: string): void {
    this.reason ??= reason;
    this.skipped++;
  }

  observe(outcome: TaskOutcome): void {
    if (outcome.answered) {
      this.failuresInARow = 0;
      return;
    }
    this.failuresInARow++;
    const detail = outcome.result.detail;
    if (outcome.errorCode === "budget-exceeded") this.reason ??= `the budget refused: ${detail}`;
    else if (this.failuresInARow >= FAILURES_IN_A_ROW)
      this.reason ??= `${FAILURES_IN_A_ROW} calls in a row got no answer; the last: ${detail}`;
  }
}

/** Runs `work` over `items`, at most `size` at a time, in order of start. */
async function runPool<Item>(
  items: readonly Item[],
  size: number,
  work: (item: Item) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(size, items.length)) }, worker));
}
