/**
 * The offline task classifier: reads a conversation and decides which of the 15 task kinds it is,
 * with the signals that decided it. Deterministic and cheap by construction — no model, no network,
 * one pass over the lines for structure and one word scan against the phrase table in
 * `classifier-rules.ts` — because it runs on the gateway's hot path for every request.
 *
 * Decision rule: highest score wins, but when unsure prefer the lower tier (cheaper model; the
 * escalation ladder can still climb). The exception is architecture and conflict resolution, which
 * are never kept local once their signals are clearly present.
 */

import type { ChatMessage } from "../protocol/chat-types.js";
import {
  CLASSIFIER_LIMITS,
  CLEAR_TOP_TIER_RATIO,
  CLEAR_TOP_TIER_SCORE,
  CODE_WORD_FACTOR,
  KEYWORD_RULES,
  MINIMUM_DECISIVE_SCORE,
  NARROW_WIN_RATIO,
  SOURCE_WEIGHTS,
  STRUCTURE_WEIGHTS,
} from "./classifier-rules.js";
import { DEFAULT_ALIAS_TIER, DEFAULT_TASK_START, TASK_KINDS, type TaskKind } from "./task-kinds.js";

/** One piece of evidence for a task kind; `switchyard route` prints these to explain a decision. */
export interface ClassifierSignal {
  /** Which rule fired, e.g. `structure:merge-conflict-markers` or `review-request`. */
  name: string;
  /** The task kind the signal votes for. */
  task: TaskKind;
  /** Its contribution to that task's score, after source weighting and repetition. */
  weight: number;
  /** What was matched, short (the words as written, or a description of the structure). */
  evidence: string;
}

export interface Classification {
  task: TaskKind;
  /** 0..1: how strong and how unambiguous the winning evidence was; 0 when nothing fired. */
  confidence: number;
  /** Every signal that fired, strongest first. */
  signals: ClassifierSignal[];
  /** Total score per task kind, only for kinds that scored. */
  scores: Partial<Record<TaskKind, number>>;
}

export interface ClassifierHints {
  /** The request offers tools: an agent loop (Claude Code, an IDE), which is usually coding. */
  hasTools?: boolean;
  /** A system prompt given outside the messages (Anthropic `system`). */
  system?: string;
}

const TASK_ORDER = new Map<TaskKind, number>(TASK_KINDS.map((task, index) => [task, index]));

export function classifyText(text: string): Classification {
  return classifyMessages([{ role: "user", content: text }]);
}

export function classifyMessages(messages: ChatMessage[], hints: ClassifierHints = {}): Classification {
  const collector = new SignalCollector();
  let sawCode = false;

  const lastUserIndex = findLastUserIndex(messages);
  if (lastUserIndex >= 0) {
    sawCode = scanText(collector, messageText(messages[lastUserIndex]!), "last-user") || sawCode;
  }
  let earlierTurns = 0;
  for (let index = lastUserIndex - 1; index >= 0 && earlierTurns < CLASSIFIER_LIMITS.earlierTurns; index--) {
    const message = messages[index]!;
    if (message.role !== "user") continue;
    earlierTurns++;
    scanText(collector, messageText(message), "earlier-user");
  }
  for (const message of messages) {
    if (message.role === "system") scanText(collector, message.content, "system");
  }
  if (hints.system) scanText(collector, hints.system, "system");
  if (hints.hasTools) {
    collector.add(
      "hint:tools-offered",
      "code-generation",
      STRUCTURE_WEIGHTS.toolsOffered,
      "request offers tools",
    );
  }
  return decide(collector, sawCode);
}

// ---------------------------------------------------------------------------------------------
// Reading the conversation

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

type Source = keyof typeof SOURCE_WEIGHTS;

/** Scores one message's text into the collector; returns whether it contained code. */
function scanText(collector: SignalCollector, text: string, source: Source): boolean {
  if (!text) return false;
  const sourceWeight = SOURCE_WEIGHTS[source];
  const layout = splitProseAndCode(text);
  // Structure only counts where the request itself is: a stack trace in the system prompt is not
  // the user asking about a crash.
  if (source !== "system") addStructureSignals(collector, layout.structure, sourceWeight);
  scanWords(collector, capText(layout.prose, CLASSIFIER_LIMITS.proseHead, CLASSIFIER_LIMITS.proseTail), {
    weight: sourceWeight,
    source,
  });
  if (layout.code) {
    scanWords(collector, capText(layout.code, CLASSIFIER_LIMITS.codeHead, CLASSIFIER_LIMITS.codeTail), {
      weight: sourceWeight * CODE_WORD_FACTOR,
      source,
    });
  }
  return layout.structure.codeLines >= 2 || layout.structure.fences >= 1;
}

/** Long pastes are mostly code or logs; the request is at the start or the end, so read those. */
function capText(text: string, head: number, tail: number): string {
  if (text.length <= head + tail) return text;
  return text.slice(0, head) + "\n" + text.slice(text.length - tail);
}

interface Structure {
  fences: number;
  codeLines: number;
  diffHeaders: number;
  plusLines: number;
  conflictOpen: number;
  conflictMiddle: number;
  conflictClose: number;
  traceFrames: number;
  traceHeaders: number;
  errorHeadlines: number;
  testOutputLines: number;
  lintOutputLines: number;
}

interface Layout {
  prose: string;
  code: string;
  structure: Structure;
}

const TRACE_FRAME =
  /^\s+(at [\w$.<>[\]/ -]*\(?.*:\d+|File ".*", line \d+|\d+: 0x[0-9a-f]+|#\d+\s+0x[0-9a-f]+)/;
const TRACE_HEADER =
  /^(Traceback \(most recent call last\)|Exception in thread|panic:|thread '.*' panicked|Caused by:|Segmentation fault|fatal error:)/;
const ERROR_HEADLINE = /^(Uncaught )?[\w.]*(Error|Exception)(: |$)/;
const TEST_OUTPUT =
  /^\s*(✓|✗|×|√|✔|✘|(PASS|FAIL|ok|not ok)\s|---\s(PASS|FAIL):|Tests?:?\s+\d+|Test (Files|Suites):?\s+\d+|=+ .*\d+ (passed|failed)|\d+ (passing|failing)$)/;
const LINT_OUTPUT = /^(\.?[\w./-]+\.\w+):\d+(:\d+)?:?\s+\S|^\s*\d+:\d+\s+(error|warning)\s/;
const CODE_LINE_END = /[;{}]\s*$/;
/**
 * Trace, test and lint lines are short. Longer lines (minified code, one-line JSON) skip the
 * detectors above, some of which could otherwise backtrack quadratically on one huge line.
 */
const LONGEST_STRUCTURE_LINE = 400;

/**
 * One pass over the lines: fenced blocks, diff lines, traces and indented blocks go to `code`
 * (their words count for little — pasted code is full of "error", "test", "merge"), the rest to
 * `prose`; structural counts are taken on the way.
 */
function splitProseAndCode(text: string): Layout {
  const structure: Structure = {
    fences: 0,
    codeLines: 0,
    diffHeaders: 0,
    plusLines: 0,
    conflictOpen: 0,
    conflictMiddle: 0,
    conflictClose: 0,
    traceFrames: 0,
    traceHeaders: 0,
    errorHeadlines: 0,
    testOutputLines: 0,
    lintOutputLines: 0,
  };
  const prose: string[] = [];
  const code: string[] = [];
  let inFence = false;
  for (const line of text.split("\n")) {
    if (line.startsWith("```") || line.startsWith("~~~")) {
      if (!inFence) structure.fences++;
      inFence = !inFence;
      continue;
    }
    if (classifyLine(line, structure) || inFence) {
      structure.codeLines++;
      code.push(line);
    } else {
      prose.push(line);
    }
  }
  return { prose: prose.join("\n"), code: code.join("\n"), structure };
}

/** Counts what the line shows; returns true when it is code rather than prose. */
function classifyLine(line: string, structure: Structure): boolean {
  const first = line.charAt(0);
  switch (first) {
    case "<":
      if (line.startsWith("<<<<<<<")) {
        structure.conflictOpen++;
        return true;
      }
      break;
    case "=":
      if (line.startsWith("=======") && line.trimEnd().length === 7) {
        structure.conflictMiddle++;
        return true;
      }
      break;
    case ">":
      if (line.startsWith(">>>>>>>")) {
        structure.conflictClose++;
        return true;
      }
      break;
    case "|":
      if (line.startsWith("|||||||")) return true;
      break;
    case "d":
      if (line.startsWith("diff --git ")) {
        structure.diffHeaders++;
        return true;
      }
      break;
    case "@":
      if (line.startsWith("@@ ")) {
        structure.diffHeaders++;
        return true;
      }
      break;
    case "+":
      if (line.startsWith("+++ ")) structure.diffHeaders++;
      else structure.plusLines++;
      return true;
    case "-":
      if (line.startsWith("--- a/") || line.startsWith("--- ")) {
        if (/^--- (a\/|\S+\.\w+)/.test(line)) structure.diffHeaders++;
        return true;
      }
      // "- item" is a markdown bullet; "-    code" or "-code" is a removed diff line.
      if (line.length > 1 && !(line.charAt(1) === " " && line.charAt(2) !== " ")) return true;
      break;
  }
  if (line.length > LONGEST_STRUCTURE_LINE) return true;
  if (TEST_OUTPUT.test(line)) {
    structure.testOutputLines++;
    return true;
  }
  if (first === " " || first === "\t") {
    if (TRACE_FRAME.test(line)) structure.traceFrames++;
    if (first === "\t" || line.startsWith("    ")) return true;
  }
  if (TRACE_HEADER.test(line)) {
    structure.traceHeaders++;
    return true;
  }
  if (ERROR_HEADLINE.test(line)) {
    structure.errorHeadlines++;
    return true;
  }
  if (LINT_OUTPUT.test(line)) {
    structure.lintOutputLines++;
    return true;
  }
  return CODE_LINE_END.test(line);
}

function addStructureSignals(collector: SignalCollector, structure: Structure, sourceWeight: number): void {
  const weights = STRUCTURE_WEIGHTS;
  const add = (name: string, task: TaskKind, weight: number, evidence: string) =>
    collector.add(`structure:${name}`, task, weight * sourceWeight, evidence);

  if (structure.conflictOpen > 0 && structure.conflictMiddle + structure.conflictClose > 0) {
    const markers = structure.conflictOpen + structure.conflictMiddle + structure.conflictClose;
    add(
      "merge-conflict-markers",
      "conflict-resolution",
      weights.conflictMarkers,
      `<<<<<<< … >>>>>>> (${markers} markers)`,
    );
  }
  const hasDiff = structure.diffHeaders > 0 || structure.plusLines >= 2;
  if (hasDiff) {
    const evidence = `diff (${structure.diffHeaders} headers, ${structure.plusLines} added lines)`;
    add("diff", "code-review", weights.diffForReview, evidence);
    add("diff", "commit-message", weights.diffForCommit, evidence);
  }
  const hasTrace = structure.traceHeaders > 0 || structure.traceFrames >= 2;
  if (hasTrace) {
    add("stack-trace", "bug-hunting", weights.stackTrace, `${structure.traceFrames} frames`);
  } else if (structure.errorHeadlines > 0 && structure.testOutputLines === 0) {
    add("error-message", "bug-hunting", weights.errorHeadline, "an error line");
  }
  if (structure.testOutputLines >= 2) {
    add(
      "test-run-output",
      "qa-verification",
      weights.testOutput,
      `${structure.testOutputLines} test result lines`,
    );
  }
  if (structure.lintOutputLines >= 1 && !hasTrace) {
    add("linter-output", "lint", weights.lintOutput, `${structure.lintOutputLines} file:line diagnostics`);
  }
  if (structure.codeLines >= 3 || structure.fences > 0) {
    add("code-present", "code-generation", weights.codePresent, `${structure.codeLines} code lines`);
  }
}

// ---------------------------------------------------------------------------------------------
// The phrase scan

interface PhraseEntry {
  /** Dense index, so the collector can key signals by number instead of building strings. */
  id: number;
  ruleName: string;
  task: TaskKind;
  weight: number;
}

interface PhraseTable {
  /** Stemmed phrase ("user stori") → the rules it belongs to. */
  phrases: Map<string, PhraseEntry[]>;
  /** Every proper prefix of a multi-word phrase, so a scan stops extending as soon as it can. */
  prefixes: Set<string>;
}

/**
 * Light suffix stripping so "tests", "testing" and "tested" meet "test". Not linguistics: the
 * same function is applied to the table and to the text, so only consistency matters.
 */
export function stemWord(word: string): string {
  let stem = word;
  if (stem.length <= 3) return stem;
  if (stem.endsWith("ies") && stem.length > 4) stem = stem.slice(0, -3) + "y";
  else if (stem.endsWith("ing") && stem.length > 5) stem = stem.slice(0, -3);
  else if (stem.endsWith("ed") && stem.length > 4) stem = stem.slice(0, -2);
  else if (stem.endsWith("es") && stem.length > 4) stem = stem.slice(0, -2);
  else if (stem.endsWith("s") && !stem.endsWith("ss") && stem.length > 3) stem = stem.slice(0, -1);
  if (stem.endsWith("e") && stem.length > 4) stem = stem.slice(0, -1);
  return stem;
}

/** Most words repeat within and across requests; a bounded cache saves the slicing. */
const stemCache = new Map<string, string>();
const STEM_CACHE_SIZE = 20_000;

function cachedStem(word: string): string {
  let stem = stemCache.get(word);
  if (stem === undefined) {
    if (stemCache.size >= STEM_CACHE_SIZE) stemCache.clear();
    stem = stemWord(word);
    stemCache.set(word, stem);
  }
  return stem;
}

const WORD = /[a-z0-9]+/g;

function buildPhraseTable(): PhraseTable {
  const phrases = new Map<string, PhraseEntry[]>();
  const prefixes = new Set<string>();
  let nextId = 0;
  for (const rule of KEYWORD_RULES) {
    for (const phrase of rule.phrases) {
      const stems = (phrase.toLowerCase().match(WORD) ?? []).map(stemWord);
      if (stems.length === 0 || stems.length > CLASSIFIER_LIMITS.longestPhrase) {
        throw new Error(
          `classifier phrase "${phrase}" must have 1..${CLASSIFIER_LIMITS.longestPhrase} words`,
        );
      }
      const key = stems.join(" ");
      const entries = phrases.get(key) ?? [];
      // Two spellings of one stem in the same task ("conflict", "conflicts") must count once.
      const sameTask = entries.find((entry) => entry.task === rule.task);
      if (!sameTask)
        entries.push({ id: nextId++, ruleName: rule.name, task: rule.task, weight: rule.weight });
      else if (sameTask.weight < rule.weight)
        Object.assign(sameTask, { ruleName: rule.name, weight: rule.weight });
      phrases.set(key, entries);
      for (let length = 1; length < stems.length; length++) prefixes.add(stems.slice(0, length).join(" "));
    }
  }
  return { phrases, prefixes };
}

const PHRASE_TABLE = buildPhraseTable();

/** Greedy longest match over the words, so "code review" counts once, not also as "review". */
function scanWords(
  collector: SignalCollector,
  text: string,
  context: { weight: number; source: Source },
): void {
  if (!text) return;
  const words = text.toLowerCase().match(WORD);
  if (!words) return;
  const stems = words.map(cachedStem);
  const { phrases, prefixes } = PHRASE_TABLE;
  for (let index = 0; index < stems.length; ) {
    let key = stems[index]!;
    let entries = phrases.get(key);
    let matchedLength = entries ? 1 : 0;
    // Extend while the words so far begin some phrase; remember the longest complete match.
    for (let length = 2; prefixes.has(key) && index + length <= stems.length; length++) {
      key += " " + stems[index + length - 1];
      const longer = phrases.get(key);
      if (longer) {
        entries = longer;
        matchedLength = length;
      }
    }
    if (entries && matchedLength > 0) {
      for (const entry of entries) {
        collector.addPhrase(entry, context, words, index, matchedLength);
      }
      index += matchedLength;
    } else {
      index++;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Collecting and deciding

const SOURCE_INDEX: Record<Source, number> = { "last-user": 0, "earlier-user": 1, system: 2 };

class SignalCollector {
  private readonly signals = new Map<string | number, ClassifierSignal & { count: number }>();

  add(name: string, task: TaskKind, weight: number, evidence: string): void {
    this.signals.set(`${name}\u0000${task}\u0000${this.signals.size}`, {
      name,
      task,
      weight,
      evidence,
      count: 1,
    });
  }

  /**
   * Repeats of the same phrase add less each time: a ticket that says "test" ten times is not ten
   * times more about tests than one that says it once. Keyed by the phrase entry, not the words as
   * written, so "NFR" and "NFRs" are one signal.
   */
  addPhrase(
    entry: PhraseEntry,
    context: { weight: number; source: Source },
    words: string[],
    index: number,
    length: number,
  ): void {
    const key = entry.id * 3 + SOURCE_INDEX[context.source];
    const weight = entry.weight * context.weight;
    const existing = this.signals.get(key);
    if (!existing) {
      const name = context.source === "last-user" ? entry.ruleName : `${entry.ruleName} (${context.source})`;
      const evidence = words.slice(index, index + length).join(" ");
      this.signals.set(key, { name, task: entry.task, weight, evidence, count: 1 });
      return;
    }
    existing.count++;
    if (existing.count <= CLASSIFIER_LIMITS.repeatsCounted) {
      existing.weight += weight * CLASSIFIER_LIMITS.repeatFactor;
    }
  }

  list(): ClassifierSignal[] {
    return [...this.signals.values()]
      .map(({ name, task, weight, evidence }) => ({ name, task, weight: round(weight), evidence }))
      .sort((a, b) => b.weight - a.weight || compareTasks(a.task, b.task) || a.name.localeCompare(b.name));
  }
}

function decide(collector: SignalCollector, sawCode: boolean): Classification {
  const signals = collector.list();
  const totals = new Map<TaskKind, number>();
  for (const signal of signals) totals.set(signal.task, (totals.get(signal.task) ?? 0) + signal.weight);

  const scores: Partial<Record<TaskKind, number>> = {};
  for (const task of TASK_KINDS) {
    const total = totals.get(task);
    if (total !== undefined && total > 0) scores[task] = round(total);
  }
  const ranked = [...totals.entries()]
    .filter(([, score]) => score > 0)
    .sort(([taskA, a], [taskB, b]) => b - a || compareTasks(taskA, taskB));
  const best = ranked[0];
  if (!best || best[1] < MINIMUM_DECISIVE_SCORE) {
    // Nothing decisive: the cheapest sensible worker for what the text looks like.
    return { task: sawCode ? "code-generation" : "elaboration", confidence: 0, signals, scores };
  }

  const chosen = preferLowerTier(ranked);
  const total = ranked.reduce((sum, [, score]) => sum + score, 0);
  const runnerUp = ranked.find(([task]) => task !== chosen[0])?.[1] ?? 0;
  const strength = 1 - Math.exp(-chosen[1] / 4);
  const share = chosen[1] / total;
  const margin = Math.max(0, chosen[1] - runnerUp) / chosen[1];
  const confidence = round(strength * (0.5 * share + 0.5 * margin));
  return { task: chosen[0], confidence, signals, scores };
}

/**
 * A higher tier costs real money, so it must win clearly. The best-scoring cheaper candidate is
 * taken instead when it comes close — except against architecture and conflict resolution with
 * clear evidence, which a local model should never be asked to settle.
 */
function preferLowerTier(ranked: Array<[TaskKind, number]>): [TaskKind, number] {
  const winner = ranked[0]!;
  const clearTopTier = ranked.find(
    ([task, score]) =>
      tierOf(task) === 3 && score >= CLEAR_TOP_TIER_SCORE && score >= winner[1] * CLEAR_TOP_TIER_RATIO,
  );
  if (clearTopTier) return clearTopTier;
  const winnerTier = tierOf(winner[0]);
  for (const candidate of ranked.slice(1)) {
    if (tierOf(candidate[0]) < winnerTier && candidate[1] >= winner[1] * NARROW_WIN_RATIO) return candidate;
  }
  return winner;
}

function tierOf(task: TaskKind): 1 | 2 | 3 {
  return DEFAULT_ALIAS_TIER[DEFAULT_TASK_START[task]];
}

/** Exact ties go to the lower tier, then to the earlier kind in TASK_KINDS: deterministic. */
function compareTasks(a: TaskKind, b: TaskKind): number {
  return tierOf(a) - tierOf(b) || TASK_ORDER.get(a)! - TASK_ORDER.get(b)!;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
