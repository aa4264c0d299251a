/**
 * The offline task classifier: reads a conversation and decides which of the 15 task kinds it is,
 * with the signals that decided it. Deterministic and cheap by construction — no network, no
 * model server: one pass over the lines for structure, one word scan shared by the hand-written
 * phrase table (`classifier-rules.ts`) and the learned linear model (`classifier-model.ts`,
 * weights generated offline by `scripts/train-classifier.ts`), because it runs on the gateway's
 * hot path for every request.
 *
 * Why both: the phrase table and the structure rules are precise where they fire (a conflict
 * marker, "commit message"), but a table only knows the wordings it was written from; the model,
 * fitted on the labelled set, carries the many weak cues a new wording still shares with old ones.
 * Their votes are in the same units and add up.
 *
 * What is read (`classifier-reading.ts`, `classifier-conversation.ts`): the request's user turn —
 * or, for a weak follow-up ("continue", "fix it"), the turn it continues — earlier user turns
 * lightly, and the system prompt as context only: its votes are gated by what the request itself
 * supports, so a persona cannot make a small edit architecture work.
 *
 * Decision rule: tier first, then kind. The scores' softmax gives each tier the summed share of
 * its kinds; the tier of least expected cost is taken, sending work below its tier counting
 * `underRoutingCost` times sending it above; then the best-scoring kind of that tier. The
 * runner-up — the best other kind — comes with every decision, for `switchyard route`.
 */

import {
  DEFAULT_ALIAS_TIER,
  DEFAULT_TASK_START,
  TASK_INDEX,
  TASK_KINDS,
  type TaskKind,
} from "../config/task-kinds.js";
import type { ChatMessage } from "../protocol/chat-types.js";
import type { FeatureVector } from "./classifier-features.js";
import { type LearnedModel, parseLearnedWeights, scoreFeatures } from "./classifier-model.js";
import {
  type ClassifierHints,
  type ClassifierSignal,
  DEFAULT_READING,
  type ReadingOptions,
  type RequestReading,
  readRequest,
} from "./classifier-reading.js";
import { DECISION_POLICY, type DecisionPolicy } from "./classifier-rules.js";
import { LEARNED_WEIGHTS } from "./classifier-weights.js";

export type { ClassifierHints, ClassifierSignal, RequestReading } from "./classifier-reading.js";
export { readRequest } from "./classifier-reading.js";
export { stemWord } from "./classifier-text.js";

/** The decision alone: what the gateway needs on every request. */
export interface TaskDecision {
  task: TaskKind;
  /** 0..1: how strong and how unambiguous the winning evidence was; 0 when nothing fired. */
  confidence: number;
  /** The best-scoring other kind, when any other scored: what it would have been instead. */
  runnerUp: TaskKind | undefined;
  /** Each kind's total score, by index into TASK_KINDS (`scoresOf` names and rounds them). */
  totals: readonly number[];
}

export interface Classification {
  task: TaskKind;
  /** 0..1: how strong and how unambiguous the winning evidence was; 0 when nothing fired. */
  confidence: number;
  /** The best-scoring other kind, when any other scored. */
  runnerUp: TaskKind | undefined;
  /** Every signal that fired, strongest first; they add up to the scores (to rounding). */
  signals: ClassifierSignal[];
  /** Total score per task kind, only for kinds that scored. */
  scores: Partial<Record<TaskKind, number>>;
}

/** A decision whose explanation is built only when asked for. */
export interface ExplainableDecision extends TaskDecision {
  /** The signals that fired, strongest first: ranking and wording them costs more than deciding. */
  explain(): ClassifierSignal[];
}

const LEARNED_MODEL: LearnedModel = parseLearnedWeights(LEARNED_WEIGHTS);
/** The gateway reads only the word pairs its model has weights for. */
const GATEWAY_READING: ReadingOptions = { ...DEFAULT_READING, pairs: LEARNED_MODEL.pairs };
const TASK_COUNT = TASK_KINDS.length;
/** Each kind's default tier, by index into TASK_KINDS. */
const TASK_TIER: ReadonlyArray<1 | 2 | 3> = TASK_KINDS.map(
  (task) => DEFAULT_ALIAS_TIER[DEFAULT_TASK_START[task]],
);
/** The tie order of `compareTasks` as one number: lower tier first, then TASK_KINDS order. */
const TASK_RANK: readonly number[] = TASK_KINDS.map((_, index) => TASK_TIER[index]! * TASK_COUNT + index);
const LONGEST_EVIDENCE = 80;

export function classifyText(text: string): Classification {
  return classifyMessages([{ role: "user", content: text }]);
}

export function classifyMessages(messages: ChatMessage[], hints: ClassifierHints = {}): Classification {
  const { task, confidence, runnerUp, totals, explain } = classifyLazily(messages, hints);
  return { task, confidence, runnerUp, signals: explain(), scores: scoresOf(totals) };
}

/**
 * The gateway's way in: the decision at once, its signals only if someone reads them (`switchyard
 * route`, a log line). Deciding sums each kind's votes; explaining makes an object per vote and
 * sorts them, which on a short prompt took three times as long as everything else.
 */
export function classifyLazily(messages: ChatMessage[], hints: ClassifierHints = {}): ExplainableDecision {
  const reading = readRequest(messages, hints, GATEWAY_READING);
  const decision = decide(reading, LEARNED_MODEL, DECISION_POLICY);
  let signals: ClassifierSignal[] | undefined;
  return {
    ...decision,
    explain: () => (signals ??= explainReading(reading, LEARNED_MODEL, decision.task)),
  };
}

/**
 * Combines the rule signals with the model's votes and applies the decision rule. The votes are
 * summed per kind straight from the features; no signal objects are made.
 *
 * The system prompt's votes are added last, each kind's scaled by how much the request itself
 * supports that kind (its score over the request's best, `contextGates`): a system prompt may tip
 * a choice the request leaves open — a bare diff under "You write commit messages" — but cannot
 * make the request something it gives no evidence for: "bump the limit to 20" under "You are a
 * senior architect" stays a small code change.
 */
export function decide(reading: RequestReading, model: LearnedModel, policy: DecisionPolicy): TaskDecision {
  const totals = sumByTask(reading.ruleSignals);
  addLearnedVotes(totals, model, reading.features);
  if (reading.contextSignals.length > 0 || reading.contextFeatures.size > 0) {
    const gates = contextGates(totals);
    const context = sumByTask(reading.contextSignals);
    addLearnedVotes(context, model, reading.contextFeatures);
    for (let index = 0; index < TASK_COUNT; index++) totals[index]! += context[index]! * gates[index]!;
  }
  return decideFromTotals(totals, reading.sawCode, policy);
}

/** Per kind, the share of the system prompt's votes that counts: the request's support for it. */
function contextGates(requestTotals: readonly number[]): number[] {
  let best = 0;
  for (const total of requestTotals) best = Math.max(best, total);
  // A request with no evidence at all (an empty turn) leaves the system prompt to decide.
  return requestTotals.map((total) => (best > 0 ? Math.max(0, total) / best : 1));
}

/**
 * Every signal of a reading, strongest first, ties in a fixed order: the explanation. A follow-up
 * that inherited its task comes first, naming the task decided (`decided`) with weight 0: it moved
 * no score, it chose which turn the scores were read from.
 */
export function explainReading(
  reading: RequestReading,
  model: LearnedModel,
  decided?: TaskKind,
): ClassifierSignal[] {
  const signals: ClassifierSignal[] = [...reading.ruleSignals, ...scoreFeatures(model, reading.features)];
  if (reading.contextSignals.length > 0 || reading.contextFeatures.size > 0) {
    const requestTotals = sumByTask(reading.ruleSignals);
    addLearnedVotes(requestTotals, model, reading.features);
    const gates = contextGates(requestTotals);
    const context = [
      ...reading.contextSignals,
      ...scoreFeatures(model, reading.contextFeatures).map((signal) => ({
        ...signal,
        name: `${signal.name} (system)`,
      })),
    ];
    for (const signal of context) {
      const weight = round(signal.weight * gates[TASK_INDEX.get(signal.task)!]!);
      if (weight > 0) signals.push({ ...signal, weight });
    }
  }
  signals.sort(
    (a, b) =>
      b.weight - a.weight ||
      compareTasks(a.task, b.task) ||
      compareStrings(a.name, b.name) ||
      compareStrings(a.evidence, b.evidence),
  );
  const { followUp } = reading;
  if (followUp && decided) {
    const turns =
      followUp.turnsBack === 1 ? "the user turn before it" : `the user turn ${followUp.turnsBack} back`;
    signals.unshift({
      name: "follow-up:inherited",
      task: decided,
      weight: 0,
      evidence: `"${followUp.text}" continues ${turns}`.slice(0, LONGEST_EVIDENCE),
    });
  }
  return signals;
}

// ---------------------------------------------------------------------------------------------
// Deciding
//
// Per-kind totals are plain number arrays indexed like TASK_KINDS: on the gateway's hot path the
// decision makes no object per kind and sorts nothing.

/**
 * The decision from each kind's total score (rules and model, the system prompt gated in): what
 * `decide` returns, and what scripts/decision-rules.ts scores rules against.
 */
export function decideFromTotals(totals: number[], sawCode: boolean, policy: DecisionPolicy): TaskDecision {
  const best = strongest(totals, () => true);
  if (best === -1 || totals[best]! < policy.minimumDecisiveScore) {
    // Nothing decisive: the cheapest sensible worker for what the text looks like.
    const task = sawCode ? "code-generation" : "elaboration";
    const runnerUp = strongest(totals, (index) => TASK_KINDS[index] !== task);
    return { task, confidence: 0, runnerUp: TASK_KINDS[runnerUp], totals };
  }
  const tier = leastCostlyTier(tierShares(totals, policy.confidenceTemperature), policy.underRoutingCost);
  const ofTier = strongest(totals, (index) => TASK_TIER[index] === tier);
  // A tier can win on its kinds' many small shares with none of them scoring; then the best stands.
  const chosen = ofTier === -1 ? best : ofTier;
  const runnerUp = strongest(totals, (index) => index !== chosen);
  return {
    task: TASK_KINDS[chosen]!,
    confidence: confidenceOf(totals[chosen]!, totals, policy),
    runnerUp: TASK_KINDS[runnerUp],
    totals,
  };
}

/**
 * Each tier's probability, by tier number (index 0 unused): the summed softmax shares of its
 * kinds. Several kinds of one tier each a little behind the best are together evidence for that
 * tier, which comparing the best with one rival at a time missed. Exported for
 * scripts/decision-rules.ts, whose variants of the rule read the same probabilities.
 */
export function tierShares(totals: readonly number[], temperature: number): number[] {
  let largest = 0;
  for (const score of totals) largest = Math.max(largest, score);
  const shares = [0, 0, 0, 0];
  let sum = 0;
  for (let index = 0; index < TASK_COUNT; index++) {
    const share = Math.exp((totals[index]! - largest) / temperature);
    shares[TASK_TIER[index]!]! += share;
    sum += share;
  }
  return shares.map((share) => share / sum);
}

/**
 * The tier whose expected cost is least when a prompt sent above its tier costs 1 and one sent
 * below it costs `underRoutingCost`: a pricier tier costs more for sure, a cheaper one risks a
 * failed answer and a second call. Exact ties go to the cheaper tier.
 */
function leastCostlyTier(shares: number[], underRoutingCost: number): 1 | 2 | 3 {
  let chosen: 1 | 2 | 3 = 1;
  let least = Number.POSITIVE_INFINITY;
  for (const tier of [1, 2, 3] as const) {
    let cost = 0;
    for (let truth = 1; truth <= 3; truth++) {
      if (truth < tier) cost += shares[truth]!;
      else if (truth > tier) cost += shares[truth]! * underRoutingCost;
    }
    if (cost < least) {
      chosen = tier;
      least = cost;
    }
  }
  return chosen;
}

/**
 * The kind with the highest positive total among those `eligible`, exact ties to the lower tier
 * and then the earlier kind (`compareTasks`); -1 when none scored. Exported for
 * scripts/decision-rules.ts, which scores other rules built on it.
 */
export function strongest(totals: readonly number[], eligible: (index: number) => boolean): number {
  let best = -1;
  for (let index = 0; index < TASK_COUNT; index++) {
    const total = totals[index]!;
    if (total <= 0 || !eligible(index)) continue;
    if (
      best === -1 ||
      total > totals[best]! ||
      (total === totals[best]! && TASK_RANK[index]! < TASK_RANK[best]!)
    )
      best = index;
  }
  return best;
}

/**
 * The softmax share of the chosen kind's score over all 15 kinds, at a temperature fitted on
 * cross-validated predictions (scripts/train-classifier.ts): roughly the chance the choice is
 * right. A kind taken for its tier rather than its own score gets a low value, as it should.
 */
function confidenceOf(chosenScore: number, totals: number[], policy: DecisionPolicy): number {
  let largest = 0;
  for (const score of totals) largest = Math.max(largest, score);
  let sum = 0;
  for (const score of totals) sum += Math.exp((score - largest) / policy.confidenceTemperature);
  const share = Math.exp((chosenScore - largest) / policy.confidenceTemperature) / sum;
  return round(Math.min(policy.confidenceCeiling, share));
}

/** The scores as shown: rounded, only for kinds that scored. */
export function scoresOf(totals: readonly number[]): Partial<Record<TaskKind, number>> {
  const scores: Partial<Record<TaskKind, number>> = {};
  for (let index = 0; index < TASK_COUNT; index++) {
    if (totals[index]! > 0) scores[TASK_KINDS[index]!] = round(totals[index]!);
  }
  return scores;
}

function zeroTotals(): number[] {
  return new Array<number>(TASK_COUNT).fill(0);
}

/** Each kind's total score, by index into TASK_KINDS (0 where nothing voted for it). */
function sumByTask(signals: ClassifierSignal[]): number[] {
  const totals = zeroTotals();
  for (const signal of signals) totals[TASK_INDEX.get(signal.task)!]! += signal.weight;
  return totals;
}

/** The learned model's votes, added into `totals` by kind. */
function addLearnedVotes(totals: number[], model: LearnedModel, features: FeatureVector): void {
  for (const [feature, hit] of features) {
    const votes = model.weights.get(feature);
    if (!votes) continue;
    for (let vote = 0; vote < votes.tasks.length; vote++) {
      totals[votes.tasks[vote]!]! += votes.weights[vote]! * hit.value;
    }
  }
}

/** Exact ties go to the lower tier, then to the earlier kind in TASK_KINDS: deterministic. */
function compareTasks(a: TaskKind, b: TaskKind): number {
  return TASK_RANK[TASK_INDEX.get(a)!]! - TASK_RANK[TASK_INDEX.get(b)!]!;
}

/** Code-unit order: deterministic and far cheaper than `localeCompare`, which needs ICU. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
