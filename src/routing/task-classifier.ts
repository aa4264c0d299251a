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
 * Decision rule: highest score wins, but when unsure prefer the lower tier (cheaper model; the
 * escalation ladder can still climb). The exception is architecture and conflict resolution, which
 * are never kept local once their signals are clearly present.
 */

import {
  DEFAULT_ALIAS_TIER,
  DEFAULT_TASK_START,
  TASK_INDEX,
  TASK_KINDS,
  type TaskKind,
} from "../config/task-kinds.js";
import type { ChatMessage } from "../protocol/chat-types.js";
import { addSegmentFeatures, type FeatureVector } from "./classifier-features.js";
import { type LearnedModel, parseLearnedWeights, scoreFeatures } from "./classifier-model.js";
import { type PhraseEntry, scanPhrases } from "./classifier-phrases.js";
import {
  CLASSIFIER_LIMITS,
  CODE_WORD_FACTOR,
  DECISION_POLICY,
  type DecisionPolicy,
  SOURCE_WEIGHTS,
  STRUCTURE_WEIGHTS,
} from "./classifier-rules.js";
import { hasCode, splitProseAndCode, structureFindings } from "./classifier-structure.js";
import { capText, readWords, type Words } from "./classifier-text.js";
import { LEARNED_WEIGHTS } from "./classifier-weights.js";

export { stemWord } from "./classifier-text.js";

/** One piece of evidence for a task kind; `switchyard route` prints these to explain a decision. */
export interface ClassifierSignal {
  /**
   * Which rule fired, e.g. `structure:merge-conflict-markers` or `review-request`; for the
   * learned model `learned:word`, `learned:phrase`, `learned:opening` or `learned:structure`.
   */
  name: string;
  /** The task kind the signal votes for. */
  task: TaskKind;
  /** Its contribution to that task's score, after source weighting and repetition. */
  weight: number;
  /** What was matched, short (the words as written, or a description of the structure). */
  evidence: string;
}

/** The decision alone: what the gateway needs on every request. */
export interface TaskDecision {
  task: TaskKind;
  /** 0..1: how strong and how unambiguous the winning evidence was; 0 when nothing fired. */
  confidence: number;
  /** Each kind's total score, by index into TASK_KINDS (`scoresOf` names and rounds them). */
  totals: readonly number[];
}

export interface Classification {
  task: TaskKind;
  /** 0..1: how strong and how unambiguous the winning evidence was; 0 when nothing fired. */
  confidence: number;
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

export interface ClassifierHints {
  /** The request offers tools: an agent loop (Claude Code, an IDE), which is usually coding. */
  hasTools?: boolean;
  /** A system prompt given outside the messages (Anthropic `system`). */
  system?: string;
}

/** What reading a request yields before any learned weight is applied (the trainer's input). */
export interface RequestReading {
  /** Signals of the hand-written rules: phrases and structure. */
  ruleSignals: ClassifierSignal[];
  /** Features for the learned model. */
  features: FeatureVector;
  /** Whether the last user message contains code: decides the fallback when nothing fires. */
  sawCode: boolean;
}

const LEARNED_MODEL: LearnedModel = parseLearnedWeights(LEARNED_WEIGHTS);
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
  const { task, confidence, totals, explain } = classifyLazily(messages, hints);
  return { task, confidence, signals: explain(), scores: scoresOf(totals) };
}

/**
 * The gateway's way in: the decision at once, its signals only if someone reads them (`switchyard
 * route`, a log line). Deciding sums each kind's votes; explaining makes an object per vote and
 * sorts them, which on a short prompt took three times as long as everything else.
 */
export function classifyLazily(messages: ChatMessage[], hints: ClassifierHints = {}): ExplainableDecision {
  const reading = readRequest(messages, hints);
  const decision = decide(reading, LEARNED_MODEL, DECISION_POLICY);
  let signals: ClassifierSignal[] | undefined;
  return {
    task: decision.task,
    confidence: decision.confidence,
    totals: decision.totals,
    explain: () => (signals ??= explainReading(reading, LEARNED_MODEL)),
  };
}

/**
 * Combines the rule signals with the model's votes and applies the decision rule. The votes are
 * summed per kind straight from the features; no signal objects are made.
 */
export function decide(reading: RequestReading, model: LearnedModel, policy: DecisionPolicy): TaskDecision {
  const ruleTotals = sumByTask(reading.ruleSignals);
  const totals = ruleTotals.slice();
  addLearnedVotes(totals, model, reading.features);
  return decideFromTotals(totals, ruleTotals, reading.sawCode, policy);
}

/** Every signal of a reading, strongest first, ties in a fixed order: the explanation. */
export function explainReading(reading: RequestReading, model: LearnedModel): ClassifierSignal[] {
  const signals: ClassifierSignal[] = [...reading.ruleSignals, ...scoreFeatures(model, reading.features)];
  return signals.sort(
    (a, b) =>
      b.weight - a.weight ||
      compareTasks(a.task, b.task) ||
      compareStrings(a.name, b.name) ||
      compareStrings(a.evidence, b.evidence),
  );
}

// ---------------------------------------------------------------------------------------------
// Reading the conversation

type Source = keyof typeof SOURCE_WEIGHTS;

export function readRequest(messages: ChatMessage[], hints: ClassifierHints = {}): RequestReading {
  const collector = new SignalCollector();
  const features: FeatureVector = new Map();
  let sawCode = false;

  const lastUserIndex = findLastUserIndex(messages);
  if (lastUserIndex >= 0) {
    sawCode = scanText(collector, features, messageText(messages[lastUserIndex]!), "last-user");
  }
  let earlierTurns = 0;
  for (let index = lastUserIndex - 1; index >= 0 && earlierTurns < CLASSIFIER_LIMITS.earlierTurns; index--) {
    const message = messages[index]!;
    if (message.role !== "user") continue;
    earlierTurns++;
    scanText(collector, features, messageText(message), "earlier-user");
  }
  for (const message of messages) {
    if (message.role === "system") scanText(collector, features, message.content, "system");
  }
  if (hints.system) scanText(collector, features, hints.system, "system");
  if (hints.hasTools) {
    collector.add(
      "hint:tools-offered",
      "code-generation",
      STRUCTURE_WEIGHTS.toolsOffered,
      "request offers tools",
    );
  }
  return { ruleSignals: collector.list(), features, sawCode };
}

function findLastUserIndex(messages: ChatMessage[]): number {
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index]!;
    if (message.role === "user" && messageText(message).trim() !== "") return index;
  }
  return -1;
}

function messageText(message: ChatMessage): string {
  if (message.role === "user") {
    if (typeof message.content === "string") return message.content;
    let text = "";
    for (const part of message.content) if (part.type === "text") text += (text ? "\n" : "") + part.text;
    return text;
  }
  return message.content ?? "";
}

/** Scores one message's text into the collector and the features; returns whether it held code. */
function scanText(
  collector: SignalCollector,
  features: FeatureVector,
  text: string,
  source: Source,
): boolean {
  if (!text) return false;
  const sourceWeight = SOURCE_WEIGHTS[source];
  const layout = splitProseAndCode(text);
  // Structure only counts where the request itself is: a stack trace in the system prompt is not
  // the user asking about a crash.
  const isRequest = source !== "system";
  if (isRequest) {
    for (const finding of structureFindings(layout.structure)) {
      collector.add(finding.name, finding.task, finding.weight * sourceWeight, finding.evidence);
    }
  }
  const prose = readWords(capText(layout.prose, CLASSIFIER_LIMITS.proseHead, CLASSIFIER_LIMITS.proseTail));
  collector.scan(prose, sourceWeight, source);
  addSegmentFeatures(features, {
    prose,
    structure: layout.structure,
    weight: sourceWeight,
    isRequest: source === "last-user",
  });
  if (layout.code) {
    const code = readWords(capText(layout.code, CLASSIFIER_LIMITS.codeHead, CLASSIFIER_LIMITS.codeTail));
    collector.scan(code, sourceWeight * CODE_WORD_FACTOR, source);
  }
  return hasCode(layout.structure);
}

// ---------------------------------------------------------------------------------------------
// Collecting rule signals

const SOURCE_INDEX: Record<Source, number> = { "last-user": 0, "earlier-user": 1, system: 2 };

class SignalCollector {
  private readonly signals = new Map<string | number, ClassifierSignal & { count: number }>();

  add(name: string, task: TaskKind, weight: number, evidence: string): void {
    this.signals.set(`${name}\u0000${task}\u0000${this.signals.size}`, {
      name,
      task,
      weight,
      evidence: evidence.slice(0, LONGEST_EVIDENCE),
      count: 1,
    });
  }

  scan(text: Words, weight: number, source: Source): void {
    scanPhrases(text, (entry, index, length) =>
      this.addPhrase(entry, weight, source, text.words, index, length),
    );
  }

  /**
   * Repeats of the same phrase add less each time: a ticket that says "test" ten times is not ten
   * times more about tests than one that says it once. Keyed by the phrase entry, not the words as
   * written, so "NFR" and "NFRs" are one signal.
   */
  private addPhrase(
    entry: PhraseEntry,
    sourceWeight: number,
    source: Source,
    words: string[],
    index: number,
    length: number,
  ): void {
    const key = entry.id * 3 + SOURCE_INDEX[source];
    const weight = entry.weight * sourceWeight;
    const existing = this.signals.get(key);
    if (!existing) {
      const name = source === "last-user" ? entry.ruleName : `${entry.ruleName} (${source})`;
      const evidence = words
        .slice(index, index + length)
        .join(" ")
        .slice(0, LONGEST_EVIDENCE);
      this.signals.set(key, { name, task: entry.task, weight, evidence, count: 1 });
      return;
    }
    existing.count++;
    if (existing.count <= CLASSIFIER_LIMITS.repeatsCounted) {
      existing.weight += weight * CLASSIFIER_LIMITS.repeatFactor;
    }
  }

  list(): ClassifierSignal[] {
    return [...this.signals.values()].map(({ name, task, weight, evidence }) => ({
      name,
      task,
      weight: round(weight),
      evidence,
    }));
  }
}

// ---------------------------------------------------------------------------------------------
// Deciding
//
// Per-kind totals are plain number arrays indexed like TASK_KINDS: on the gateway's hot path the
// decision makes no object per kind and sorts nothing.

function decideFromTotals(
  totals: number[],
  ruleTotals: number[],
  sawCode: boolean,
  policy: DecisionPolicy,
): TaskDecision {
  const winner = strongest(totals, () => true);
  if (winner === -1 || totals[winner]! < policy.minimumDecisiveScore) {
    // Nothing decisive: the cheapest sensible worker for what the text looks like.
    return { task: sawCode ? "code-generation" : "elaboration", confidence: 0, totals };
  }
  const chosen = applyTierRules(winner, totals, ruleTotals, policy);
  return { task: TASK_KINDS[chosen]!, confidence: confidenceOf(totals[chosen]!, totals, policy), totals };
}

/**
 * A higher tier costs real money, so it must win clearly: the best-scoring cheaper candidate is
 * taken instead when it comes close. But architecture and conflict resolution are never kept
 * local once clearly present — the hand-written rules name them outright (conflict markers,
 * "architecture", "merge conflict"…) and the combined score is close to the best.
 */
function applyTierRules(
  winner: number,
  totals: number[],
  ruleTotals: number[],
  policy: DecisionPolicy,
): number {
  const winnerTier = TASK_TIER[winner]!;
  const winnerScore = totals[winner]!;
  const cheaper = strongest(
    totals,
    (index) => TASK_TIER[index]! < winnerTier && totals[index]! >= winnerScore * policy.narrowWinRatio,
  );
  const chosen = cheaper === -1 ? winner : cheaper;
  if (TASK_TIER[chosen] === 3) return chosen;
  const clearTopTier = strongest(
    totals,
    (index) =>
      TASK_TIER[index] === 3 &&
      ruleTotals[index]! >= policy.clearTopTierRuleScore &&
      totals[index]! >= winnerScore * policy.clearTopTierRatio,
  );
  return clearTopTier === -1 ? chosen : clearTopTier;
}

/**
 * The kind with the highest positive total among those `eligible`, exact ties to the lower tier
 * and then the earlier kind (`compareTasks`); -1 when none scored.
 */
function strongest(totals: number[], eligible: (index: number) => boolean): number {
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
 * right. A cheaper kind taken because it came close gets a low value, as it should.
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
