/**
 * Evaluation results summarised: per task kind and target, the pass rate with a 95% Wilson
 * interval, the cost per accepted answer, tokens and latency; per target over all kinds; and the
 * ladder beside each paid alias run flat (all-Sonnet, all-Opus) on the tasks every one of them
 * answered — quality and cost side by side, with the share of calls per tier. Pure: results and
 * config in, report out. Results without a verdict ("error") are counted, never rated.
 */
import type { SwitchyardConfig } from "../../config/config-schema.js";
import { TASK_KINDS, type TaskKind } from "../../config/task-kinds.js";
import type { EvalResultRecord } from "../../store/eval-store.js";
import { type RateInterval, wilsonInterval } from "../wilson-interval.js";
import { isPaidAlias, LADDER } from "./eval-request.js";

export interface EvalCell {
  /** A task kind, or "all". */
  taskKind: string;
  target: string;
  /** Results, with or without a verdict. */
  tasks: number;
  /** Results with a verdict (pass or fail). */
  judged: number;
  passed: number;
  /** Results without a verdict: no answer, or no judge's score. */
  errors: number;
  passRate: RateInterval;
  /** Spent on the answers (attempts and the gates' judges), not on the eval's own judge. */
  costUsd: number;
  /** costUsd ÷ passed: what each accepted answer cost when the failed ones are paid for too. */
  costPerAcceptedUsd: number | null;
  meanInputTokens: number;
  meanOutputTokens: number;
  medianLatencyMs: number | null;
  /** What the eval's own judge cost for these results. */
  judgeCostUsd: number;
}

export interface StrategyLine {
  target: string;
  /** "ladder", or "all <alias>". */
  label: string;
  cell: EvalCell;
  /** Model calls per task (attempts; escalations count). */
  callsPerTask: number;
  /** Share of attempts that ran on each tier. */
  tierShare: Record<1 | 2 | 3, number>;
}

export interface EvalComparison {
  /** Task ids every compared target answered. */
  tasks: number;
  lines: StrategyLine[];
}

export interface EvalReport {
  suiteVersion: string | null;
  runIds: string[];
  results: number;
  cells: EvalCell[];
  totals: EvalCell[];
  /** Present when the ladder and at least one paid alias were measured. */
  comparison: EvalComparison | undefined;
  judgeCostUsd: number;
}

export function evalReport(results: readonly EvalResultRecord[], config: SwitchyardConfig): EvalReport {
  const targets = [...new Set(results.map((result) => result.target))].sort(
    (a, b) => targetRank(config, a) - targetRank(config, b) || a.localeCompare(b),
  );
  const cells: EvalCell[] = [];
  for (const kind of TASK_KINDS) {
    for (const target of targets) {
      const group = results.filter((result) => result.taskKind === kind && result.target === target);
      if (group.length > 0) cells.push(cell(kind, target, group));
    }
  }
  const totals = targets.map((target) =>
    cell(
      "all",
      target,
      results.filter((result) => result.target === target),
    ),
  );
  return {
    suiteVersion: [...new Set(results.map((result) => result.suiteVersion))].join(", ") || null,
    runIds: [...new Set(results.map((result) => result.runId))],
    results: results.length,
    cells,
    totals,
    comparison: compare(results, targets, config),
    judgeCostUsd: results.reduce((sum, result) => sum + result.judgeCostUsd, 0),
  };
}

function cell(taskKind: TaskKind | "all", target: string, group: readonly EvalResultRecord[]): EvalCell {
  const judged = group.filter((result) => result.verdict !== "error");
  const passed = judged.filter((result) => result.verdict === "pass").length;
  const costUsd = group.reduce((sum, result) => sum + result.costUsd, 0);
  const answered = group.filter((result) => result.answerAlias !== null);
  const mean = (pick: (result: EvalResultRecord) => number) =>
    answered.length === 0 ? 0 : answered.reduce((sum, result) => sum + pick(result), 0) / answered.length;
  return {
    taskKind,
    target,
    tasks: group.length,
    judged: judged.length,
    passed,
    errors: group.length - judged.length,
    passRate: wilsonInterval(passed, judged.length),
    costUsd,
    costPerAcceptedUsd: passed === 0 ? null : costUsd / passed,
    meanInputTokens: mean((result) => result.inputTokens),
    meanOutputTokens: mean((result) => result.outputTokens),
    medianLatencyMs: median(answered.map((result) => result.latencyMs)),
    judgeCostUsd: group.reduce((sum, result) => sum + result.judgeCostUsd, 0),
  };
}

/** The ladder beside every paid alias run flat, on the tasks each of them answered with a verdict. */
function compare(
  results: readonly EvalResultRecord[],
  targets: readonly string[],
  config: SwitchyardConfig,
): EvalComparison | undefined {
  const flat = targets.filter((target) => target !== LADDER && isPaidAlias(config, target));
  if (!targets.includes(LADDER) || flat.length === 0) return undefined;
  const compared = [LADDER, ...flat];
  const judgedIds = (target: string) =>
    new Set(
      results
        .filter((result) => result.target === target && result.verdict !== "error")
        .map((result) => result.taskId),
    );
  const sets = compared.map(judgedIds);
  const common = [...sets[0]!].filter((id) => sets.every((set) => set.has(id)));
  const inCommon = new Set(common);
  const lines = compared.map((target): StrategyLine => {
    const group = results.filter((result) => result.target === target && inCommon.has(result.taskId));
    const attempts = group.flatMap((result) => result.path);
    const tierShare: Record<1 | 2 | 3, number> = { 1: 0, 2: 0, 3: 0 };
    for (const alias of attempts) {
      const tier = config.aliases[alias]?.tier;
      if (tier) tierShare[tier] += 1 / attempts.length;
    }
    return {
      target,
      label: target === LADDER ? "ladder" : `all ${target}`,
      cell: cell("all", target, group),
      callsPerTask: group.length === 0 ? 0 : attempts.length / group.length,
      tierShare,
    };
  });
  return { tasks: common.length, lines };
}

/** Aliases by tier, then the ladder. */
function targetRank(config: SwitchyardConfig, target: string): number {
  return target === LADDER ? 10 : (config.aliases[target]?.tier ?? 9);
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
