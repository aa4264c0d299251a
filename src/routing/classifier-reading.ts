/**
 * Reading a request: the conversation (`classifier-conversation.ts` picks the turns and their
 * weights) turned into what the decision adds up — the hand-written rules' signals (phrases and
 * structure) and the learned model's features. The request's own turns and the system prompt are
 * kept apart, because they do not count alike: the system prompt is context that may tip a choice
 * the request leaves open, never evidence of its own (`task-classifier.ts`).
 *
 * The training script reads its labelled prompts through the same function, so the model is fitted
 * on exactly what the gateway reads.
 */

import type { TaskKind } from "../config/task-kinds.js";
import type { ChatMessage } from "../protocol/chat-types.js";
import { type FollowUp, readConversation } from "./classifier-conversation.js";
import {
  addSegmentFeatures,
  type FeatureSet,
  type FeatureVector,
  type PairVocabulary,
} from "./classifier-features.js";
import { type PhraseEntry, scanPhrases } from "./classifier-phrases.js";
import {
  CLASSIFIER_LIMITS,
  CODE_WORD_FACTOR,
  READING_WEIGHTS,
  SOURCE_WEIGHTS,
  STRUCTURE_WEIGHTS,
} from "./classifier-rules.js";
import { hasCode, splitProseAndCode, structureFindings } from "./classifier-structure.js";
import { capText, readWords, type Words } from "./classifier-text.js";

/** One piece of evidence for a task kind; `switchyard route` prints these to explain a decision. */
export interface ClassifierSignal {
  /**
   * Which rule fired, e.g. `structure:merge-conflict-markers` or `review-request`; for the
   * learned model `learned:word`, `learned:negated` (a word in a negation's scope),
   * `learned:opening`, `learned:pair`, `learned:structure` or `learned:other-words`; `(system)`,
   * `(earlier-user)` or `(inherited)` after the name when it was not found in the last user turn;
   * `follow-up:inherited` when a weak follow-up took its task from an earlier turn.
   */
  name: string;
  /** The task kind the signal votes for. */
  task: TaskKind;
  /** Its contribution to that task's score, after source weighting and repetition. */
  weight: number;
  /** What was matched, short (the words as written, or a description of the structure). */
  evidence: string;
}

export interface ClassifierHints {
  /** The request offers tools: an agent loop (Claude Code, an IDE), which is usually coding. */
  hasTools?: boolean;
  /** A system prompt given outside the messages (Anthropic `system`). */
  system?: string;
}

/** What reading a request yields before any learned weight is applied (the trainer's input). */
export interface RequestReading {
  /** Signals of the hand-written rules in the user's turns: phrases and structure. */
  ruleSignals: ClassifierSignal[];
  /** Features of the user's turns for the learned model. */
  features: FeatureVector;
  /** Signals of the hand-written rules in the system prompt. */
  contextSignals: ClassifierSignal[];
  /** Features of the system prompt, read with the same weights as the request's. */
  contextFeatures: FeatureVector;
  /** Whether the request's user turn contains code: decides the fallback when nothing fires. */
  sawCode: boolean;
  /** Set when the last user turn was a weak follow-up that inherited an earlier turn's task. */
  followUp?: FollowUp;
}

/**
 * How a request is read. The gateway reads with `READING_WEIGHTS` and its model's pairs; the
 * trainer reads with every pair (to learn which matter) and, when searching, other weights.
 */
export interface ReadingOptions {
  /** The share of a phrase's table weight that counts (structure counts in full). */
  phraseScale: number;
  /** The share of the structure rules' weights that counts (conflict markers, traces, diffs…). */
  structureScale: number;
  /** The source weight of user turns before the request. */
  earlierWeight: number;
  /**
   * A request of fewer prose words than this leans on the user turn before it, whose weight rises
   * towards `shortTurnCarry` as the request gets shorter; 0 turns this off.
   */
  shortTurnWords: number;
  shortTurnCarry: number;
  /** Which optional features to make (`FeatureSet`). */
  featureSet: FeatureSet;
  /** The word pairs to read: the model's at the gateway, every pair when absent. */
  pairs?: PairVocabulary;
}

type Source = keyof typeof SOURCE_WEIGHTS;

const LONGEST_EVIDENCE = 80;

export const DEFAULT_READING: ReadingOptions = {
  phraseScale: READING_WEIGHTS.phraseScale,
  structureScale: READING_WEIGHTS.structureScale,
  earlierWeight: READING_WEIGHTS.earlierWeight,
  shortTurnWords: READING_WEIGHTS.shortTurnWords,
  shortTurnCarry: READING_WEIGHTS.shortTurnCarry,
  featureSet: READING_WEIGHTS.featureSet,
};

export function readRequest(
  messages: ChatMessage[],
  hints: ClassifierHints = {},
  options: ReadingOptions = DEFAULT_READING,
): RequestReading {
  const collector = new SignalCollector(options.phraseScale);
  const features: FeatureVector = new Map();
  const context = new SignalCollector(options.phraseScale);
  const contextFeatures: FeatureVector = new Map();
  const conversation = readConversation(messages, hints.system);
  let request: TextRead = { sawCode: false, proseWords: 0 };
  if (conversation.request !== undefined) {
    const source: Source = conversation.followUp ? "inherited" : "last-user";
    request = scanText(collector, features, { text: conversation.request, source, factor: 1 }, options);
  }
  conversation.earlier.forEach((text, index) => {
    // A short request that is not a plain follow-up ("now as a decorator too") still leans on
    // the turn before it: the fewer its words, the more that turn counts.
    const shortness =
      index === 0 && !conversation.followUp && options.shortTurnWords > 0
        ? Math.max(0, 1 - request.proseWords / options.shortTurnWords)
        : 0;
    const weight = options.earlierWeight + (options.shortTurnCarry - options.earlierWeight) * shortness;
    const factor = Math.max(weight, options.earlierWeight) / SOURCE_WEIGHTS["earlier-user"];
    scanText(collector, features, { text, source: "earlier-user", factor }, options);
  });
  const sawCode = request.sawCode;
  for (const { text, factor } of conversation.systems) {
    scanText(context, contextFeatures, { text, source: "system", factor }, options);
  }
  if (hints.hasTools) {
    collector.add(
      "hint:tools-offered",
      "code-generation",
      STRUCTURE_WEIGHTS.toolsOffered,
      "request offers tools",
    );
  }
  const reading: RequestReading = {
    ruleSignals: collector.list(),
    features,
    contextSignals: context.list(),
    contextFeatures,
    sawCode,
  };
  if (conversation.followUp) reading.followUp = conversation.followUp;
  return reading;
}

/** One message to read: its text, where it was found, and a factor on that source's weight. */
interface MessageText {
  text: string;
  source: Source;
  factor: number;
}

/** What reading one message found out about it. */
interface TextRead {
  /** Whether it held code: decides the fallback when nothing fires. */
  sawCode: boolean;
  /** Words of its prose. */
  proseWords: number;
}

/** Scores one message's text into the collector and the features. */
function scanText(
  collector: SignalCollector,
  features: FeatureVector,
  { text, source, factor }: MessageText,
  options: ReadingOptions,
): TextRead {
  if (!text) return { sawCode: false, proseWords: 0 };
  const sourceWeight = SOURCE_WEIGHTS[source] * factor;
  const layout = splitProseAndCode(text);
  // Structure only counts where the request itself is: a stack trace in the system prompt is not
  // the user asking about a crash.
  if (source !== "system") {
    for (const finding of structureFindings(layout.structure)) {
      const weight = finding.weight * sourceWeight * options.structureScale;
      collector.add(finding.name, finding.task, weight, finding.evidence);
    }
  }
  const prose = readWords(capText(layout.prose, CLASSIFIER_LIMITS.proseHead, CLASSIFIER_LIMITS.proseTail));
  collector.scan(prose, sourceWeight, source, options.featureSet.negation);
  addSegmentFeatures(features, {
    prose,
    structure: layout.structure,
    weight: sourceWeight,
    isRequest: source === "last-user" || source === "inherited",
    featureSet: options.featureSet,
    ...(options.pairs === undefined ? {} : { pairs: options.pairs }),
  });
  if (layout.code) {
    const code = readWords(capText(layout.code, CLASSIFIER_LIMITS.codeHead, CLASSIFIER_LIMITS.codeTail));
    collector.scan(code, sourceWeight * CODE_WORD_FACTOR, source);
  }
  return { sawCode: hasCode(layout.structure), proseWords: prose.stems.length };
}

const SOURCE_INDEX: Record<Source, number> = { "last-user": 0, inherited: 1, "earlier-user": 2, system: 3 };
const SOURCE_COUNT = 4;

class SignalCollector {
  private readonly signals = new Map<string | number, ClassifierSignal & { count: number }>();

  constructor(private readonly phraseScale: number) {}

  add(name: string, task: TaskKind, weight: number, evidence: string): void {
    this.signals.set(`${name}\u0000${task}\u0000${this.signals.size}`, {
      name,
      task,
      weight,
      evidence: evidence.slice(0, LONGEST_EVIDENCE),
      count: 1,
    });
  }

  /** With `negation`, a phrase that starts in a negation's scope does not vote ("not a review"). */
  scan(text: Words, weight: number, source: Source, negation = false): void {
    scanPhrases(text, (entry, index, length) => {
      if (negation && text.negated[index]) return;
      this.addPhrase(entry, weight, source, text.words, index, length);
    });
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
    const key = entry.id * SOURCE_COUNT + SOURCE_INDEX[source];
    const weight = entry.weight * this.phraseScale * sourceWeight;
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

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
