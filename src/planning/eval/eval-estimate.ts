/**
 * What an evaluation run will cost, from the price catalog and the tasks' sizes, before anything
 * is sent: the expected cost (answers about 1.5 times as long as the task's reference answer; the
 * ladder as if half its answers climbed one rung), which `--max-usd` is checked against up front,
 * and each call's worst case (every rung answering the full max_tokens, paid judges included),
 * which the run holds against `--max-usd` while the call is in flight, so the cap holds however
 * the answers turn out.
 */
import { type ModelCatalog, mostExpensiveBuiltInPrice, priceOf } from "../../budget/model-catalog.js";
import { aliasStep, type RouteStep } from "../../config/alias-steps.js";
import type { SwitchyardConfig } from "../../config/config-schema.js";
import { estimateTextTokens } from "../../protocol/anthropic/text-token-estimate.js";
import { estimateChatRequestTokens } from "../../protocol/token-estimate.js";
import { EVAL_JUDGE_MAX_TOKENS } from "./eval-judge.js";
import { evalRequest, isPaidAlias, LADDER, rungsFor } from "./eval-request.js";
import type { EvalTask } from "./eval-task.js";

/** What the judge prompt adds around the task and the answer: instructions and points. */
const JUDGE_PROMPT_OVERHEAD_TOKENS = 400;
/** A judge's expected reply: a score and a few reasons. */
const JUDGE_EXPECTED_OUTPUT_TOKENS = 150;
/** The findings and instructions an escalated attempt carries besides the rejected answer. */
const FEEDBACK_TOKENS = 300;
/** A gate's paid judge writes at most this (judge-gate.ts). */
const GATE_JUDGE_MAX_TOKENS = 800;

export interface CostContext {
  config: SwitchyardConfig;
  catalog: ModelCatalog;
  /** The alias that judges text tasks for the eval. */
  judgeAlias: string;
}

export interface RunEstimate {
  expectedUsd: number;
  /** Every call at its worst case: what the run could cost at most. */
  worstUsd: number;
  byTarget: Record<string, { expectedUsd: number; worstUsd: number }>;
}

export function estimateRun(
  tasks: readonly EvalTask[],
  targets: readonly string[],
  context: CostContext,
): RunEstimate {
  const estimate: RunEstimate = { expectedUsd: 0, worstUsd: 0, byTarget: {} };
  for (const target of targets) {
    const line = { expectedUsd: 0, worstUsd: 0 };
    for (const task of tasks) {
      line.expectedUsd += expectedCallUsd(task, target, context);
      line.worstUsd += worstCaseCallUsd(task, target, context);
    }
    estimate.byTarget[target] = line;
    estimate.expectedUsd += line.expectedUsd;
    estimate.worstUsd += line.worstUsd;
  }
  return estimate;
}

/** The expected cost of one task on one target, with the eval's judge. */
export function expectedCallUsd(task: EvalTask, target: string, context: CostContext): number {
  const { config } = context;
  const prompt = estimateChatRequestTokens(evalRequest(task, target, config));
  const answer = expectedAnswerTokens(task);
  const rungs = rungsFor(task, target, config);
  let usd = rungUsd(context, rungs[0], prompt, answer);
  // The ladder, as if half its answers climbed once: the next rung reads the rejected answer too.
  if (target === LADDER && rungs[1])
    usd += 0.5 * rungUsd(context, rungs[1], prompt + answer + FEEDBACK_TOKENS, answer);
  return usd + judgeUsd(task, context, answer, JUDGE_EXPECTED_OUTPUT_TOKENS);
}

/** The most one task on one target can cost: every rung at max_tokens, every paid judge. */
export function worstCaseCallUsd(task: EvalTask, target: string, context: CostContext): number {
  const { config } = context;
  const request = evalRequest(task, target, config);
  const prompt = estimateChatRequestTokens(request);
  const output = request.maxTokens ?? task.maxTokens;
  const rungs = rungsFor(task, target, config);
  let usd = 0;
  rungs.forEach((rung, index) => {
    const input = index === 0 ? prompt : prompt + output + FEEDBACK_TOKENS;
    usd += rungUsd(context, rung, input, output);
    const judge = gateJudge(config, task, rungs, index);
    if (judge)
      usd += rungUsd(context, judge, input + output + JUDGE_PROMPT_OVERHEAD_TOKENS, GATE_JUDGE_MAX_TOKENS);
  });
  return usd + judgeUsd(task, context, output, EVAL_JUDGE_MAX_TOKENS);
}

function expectedAnswerTokens(task: EvalTask): number {
  return Math.min(task.maxTokens, Math.ceil(1.5 * estimateTextTokens(task.reference)) + 50);
}

function judgeUsd(task: EvalTask, context: CostContext, answerTokens: number, outputTokens: number): number {
  if (task.check.type !== "text" || !task.check.judge) return 0;
  const prompt = estimateTextTokens(task.prompt) + answerTokens + JUDGE_PROMPT_OVERHEAD_TOKENS;
  const step = aliasStep(context.config, context.judgeAlias);
  return step ? rungUsd(context, step, prompt, outputTokens) : 0;
}

/** The paid rung of a gate's judge for the answer of rung `index`, if the task has one. */
function gateJudge(
  config: SwitchyardConfig,
  task: EvalTask,
  rungs: readonly RouteStep[],
  index: number,
): RouteStep | undefined {
  const judge = config.gates[task.kind]?.judge;
  if (!judge || judge.alias === "local") return undefined;
  if (judge.tiers.length > 0 && !judge.tiers.includes(rungs[index]!.tier)) return undefined;
  const step = judge.alias === "next" ? rungs[index + 1] : aliasStep(config, judge.alias);
  return step && isPaidAlias(config, step.alias) ? step : undefined;
}

function rungUsd(
  context: CostContext,
  step: RouteStep | undefined,
  inputTokens: number,
  outputTokens: number,
): number {
  if (!step || !isPaidAlias(context.config, step.alias)) return 0;
  // A paid model the catalog does not know is priced as the budget reserves it: at the dearest.
  const price = priceOf(context.catalog, step.model) ?? mostExpensiveBuiltInPrice();
  return inputTokens * price.inputUsdPerToken + outputTokens * price.outputUsdPerToken;
}
