/**
 * The features the learned model reads, and the only place they are made: the runtime and the
 * training script (`scripts/train-classifier.ts`) both call `addSegmentFeatures`, so a weight is
 * always looked up under the name it was trained under.
 *
 * Features of one request, each with a value (the source weight of the message it came from —
 * present in the last user message counts 1, only in the system prompt counts less):
 *   `w:<stem>`          a word of the prose
 *   `o:<stem>`          the word that opens a sentence or clause of the last message ("review",
 *                       "why", "should"): requests are mostly imperatives and questions
 *   `b:<stem>-<stem>`   two words in a row within a clause ("write up", "look over", "pick one"),
 *                       near either end of a message (`EDGE_WORDS`), where the ask is
 *   `s:<structure>`     a structural fact: diff, stack trace, conflict markers, code, a list…
 * Words inside pasted code and logs give no word features: they describe the code, not the ask.
 * Word pairs carry what single words cannot ("write up" is not "write", "look over" not "look");
 * on the first labelled set alone they added nothing (its phrase table already named its
 * author's pairs); with the phrase table counting less and a second author's prompts to learn
 * from, they made slightly fewer mistakes cross-validated on that author's prompts (within the
 * noise overall, about a point on the indirectly worded ones). Read only near the ends of a
 * message, and at the gateway only those the model knows, they cost a lookup per word there.
 */

import {
  hasCode,
  hasConflictMarkers,
  hasDiff,
  hasStackTrace,
  type Structure,
} from "./classifier-structure.js";
import type { Words } from "./classifier-text.js";

/** One feature found in a request: its value and the words (as written) that showed it. */
export interface FeatureHit {
  value: number;
  evidence: string;
}

export type FeatureVector = Map<string, FeatureHit>;

export interface Segment {
  /** The prose of one message, read by `readWords`. */
  prose: Words;
  structure: Structure;
  /** 1 for the last user message, less for earlier turns and the system prompt. */
  weight: number;
  /** Opening words and structure are read only where the request itself is. */
  isRequest: boolean;
  /**
   * The word pairs to read; every pair when absent. Training reads every pair to learn which
   * matter; the gateway reads only those the model has weights for (`LearnedModel.pairs`), since
   * the rest move no score, and so makes no string for them.
   */
  pairs?: PairVocabulary;
  /** Which optional feature families to make. */
  featureSet: FeatureSet;
}

/**
 * The optional feature families; which ones help was chosen by leave-one-author-out validation.
 * Tried and not kept (twelve English authors held out of forty-seven, 87.96% task and 94.12% tier
 * without them): the opening and last word of each clause as one feature ("what … mean"), with
 * the last word alone, 87.87 / 94.05; the words of the request's last clause as a family of their
 * own, worse on the first five; word features of long prose scaled by √(12 / words), so that
 * topic words count less against the ask, 87.39 / 93.73.
 */
export interface FeatureSet {
  /** `b:` word pairs near either end of a message. */
  pairs: boolean;
  /**
   * Words in a negation's scope (`Words.negated`) as `n:` features rather than `w:`, and the
   * rules' phrases that start there not voting: "not a review" is not evidence of a review.
   */
  negation: boolean;
}

/** Word pairs by first stem, then second stem, to the pair's feature name. */
export type PairVocabulary = ReadonlyMap<string, ReadonlyMap<string, string>>;

/** The pairs among the given feature names (the model's), for `Segment.pairs`. */
export function pairVocabulary(featureNames: Iterable<string>): PairVocabulary {
  const pairs = new Map<string, Map<string, string>>();
  for (const name of featureNames) {
    if (!name.startsWith("b:")) continue;
    const dash = name.indexOf("-", 2);
    const first = name.slice(2, dash);
    const seconds = pairs.get(first) ?? new Map<string, string>();
    seconds.set(name.slice(dash + 1), name);
    pairs.set(first, seconds);
  }
  return pairs;
}

/** A request this short is mostly a bare command ("review this", "fix the lint"). */
const SHORT_PROSE_WORDS = 8;

function isNumber(stem: string): boolean {
  const first = stem.charCodeAt(0);
  return first >= 48 && first <= 57 && /^\d+$/.test(stem);
}

/** Feature names per stem, made once: a reused string keeps its hash, a fresh one is rehashed. */
const wordKeys = new Map<string, string>();
const negatedKeys = new Map<string, string>();
const openingKeys = new Map<string, string>();
const pairKeys = new Map<string, Map<string, string>>();
const KEY_CACHE_SIZE = 20_000;
let pairKeyCount = 0;

function keyFor(cache: Map<string, string>, prefix: string, stem: string): string {
  let key = cache.get(stem);
  if (key === undefined) {
    if (cache.size >= KEY_CACHE_SIZE) cache.clear();
    key = prefix + stem;
    cache.set(stem, key);
  }
  return key;
}

function pairKeyFor(first: string, second: string): string {
  let seconds = pairKeys.get(first);
  if (seconds === undefined) {
    if (pairKeyCount >= KEY_CACHE_SIZE) {
      pairKeys.clear();
      pairKeyCount = 0;
    }
    seconds = new Map();
    pairKeys.set(first, seconds);
  }
  let key = seconds.get(second);
  if (key === undefined) {
    key = `b:${first}-${second}`;
    seconds.set(second, key);
    pairKeyCount++;
  }
  return key;
}

function add(features: FeatureVector, name: string, value: number, evidence: string): void {
  const existing = features.get(name);
  if (!existing) features.set(name, { value, evidence });
  else if (existing.value < value) existing.value = value;
}

/**
 * In a long message the ask is at the start or the end, with pasted prose (a spec, a ticket, an
 * e-mail thread) in between; words further than this from either end count for `MIDDLE_FACTOR`.
 * The labelled prompts are all shorter than twice this, so it does not change what was learned.
 */
const EDGE_WORDS = 80;
const MIDDLE_FACTOR = 0.25;

export function addSegmentFeatures(features: FeatureVector, segment: Segment): void {
  const { prose, weight } = segment;
  const { stems, words, breaks } = prose;
  const negated = segment.featureSet.negation ? prose.negated : undefined;
  const middleEnd = stems.length - EDGE_WORDS;
  for (let index = 0; index < stems.length; index++) {
    const stem = stems[index]!;
    if (isNumber(stem)) continue;
    const value = index >= EDGE_WORDS && index < middleEnd ? weight * MIDDLE_FACTOR : weight;
    const isNegated = negated?.[index] === true;
    add(
      features,
      isNegated ? keyFor(negatedKeys, "n:", stem) : keyFor(wordKeys, "w:", stem),
      value,
      words[index]!,
    );
    const opensClause = index === 0 || breaks[index]!;
    if (segment.isRequest && opensClause) {
      add(features, keyFor(openingKeys, "o:", stem), value, words[index]!);
    }
    // Within a negation's scope only the pair with the cue is read ("no review"): "write tests"
    // in "don't write tests" is not the ask.
    const pairNegated = isNegated && negated![index - 1] === true;
    if (
      segment.featureSet.pairs &&
      !opensClause &&
      !pairNegated &&
      (index < EDGE_WORDS || index >= middleEnd)
    ) {
      addPair(features, segment.pairs, prose, index, value);
    }
  }
  if (segment.isRequest) addStructureFeatures(features, segment.structure, weight, stems.length);
}

/** The pair of word `index` and the one before it, if it is one to read. */
function addPair(
  features: FeatureVector,
  pairs: PairVocabulary | undefined,
  prose: Words,
  index: number,
  value: number,
): void {
  const previous = prose.stems[index - 1]!;
  if (isNumber(previous)) return;
  const key =
    pairs === undefined
      ? pairKeyFor(previous, prose.stems[index]!)
      : pairs.get(previous)?.get(prose.stems[index]!);
  if (key === undefined) return;
  // The evidence string is made only for a new feature: most pairs are read once per request.
  const existing = features.get(key);
  if (!existing) features.set(key, { value, evidence: `${prose.words[index - 1]} ${prose.words[index]}` });
  else if (existing.value < value) existing.value = value;
}

function addStructureFeatures(
  features: FeatureVector,
  structure: Structure,
  weight: number,
  proseWords: number,
): void {
  if (hasConflictMarkers(structure)) add(features, "s:conflict-markers", weight, "<<<<<<< … >>>>>>>");
  if (hasDiff(structure)) add(features, "s:diff", weight, "a diff");
  if (hasStackTrace(structure)) add(features, "s:stack-trace", weight, "a stack trace");
  else if (structure.errorHeadlines > 0) add(features, "s:error-line", weight, "an error line");
  if (structure.testOutputLines >= 2) add(features, "s:test-output", weight, "test run output");
  if (structure.lintOutputLines >= 1) add(features, "s:lint-output", weight, "file:line diagnostics");
  if (hasCode(structure)) add(features, "s:code", weight, `code (${structure.codeLines} lines)`);
  if (structure.questionLines > 0) add(features, "s:question", weight, "a question");
  if (structure.listItems >= 3) add(features, "s:list", weight, `a list of ${structure.listItems} items`);
  if (proseWords <= SHORT_PROSE_WORDS)
    add(features, "s:short-prose", weight, `a short request (${proseWords} words)`);
}

/** The kind of a feature, from its prefix: the signal name shown for it. */
export function featureKind(name: string): "word" | "negated" | "opening" | "pair" | "structure" {
  switch (name.charCodeAt(0)) {
    case 119: // w
      return "word";
    case 110: // n
      return "negated";
    case 111: // o
      return "opening";
    case 98: // b
      return "pair";
    default:
      return "structure";
  }
}
