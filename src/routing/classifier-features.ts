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
 *   `s:<structure>`     a structural fact: diff, stack trace, conflict markers, code, a list…
 * Words inside pasted code and logs give no word features: they describe the code, not the ask.
 * No word pairs: on the labelled set they added nothing to cross-validated accuracy (the phrase
 * table already carries the multi-word names) and tripled the table.
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
}

/** A request this short is mostly a bare command ("review this", "fix the lint"). */
const SHORT_PROSE_WORDS = 8;

function isNumber(stem: string): boolean {
  const first = stem.charCodeAt(0);
  return first >= 48 && first <= 57 && /^\d+$/.test(stem);
}

/** Feature names per stem, made once: a reused string keeps its hash, a fresh one is rehashed. */
const wordKeys = new Map<string, string>();
const openingKeys = new Map<string, string>();
const KEY_CACHE_SIZE = 20_000;

function keyFor(cache: Map<string, string>, prefix: string, stem: string): string {
  let key = cache.get(stem);
  if (key === undefined) {
    if (cache.size >= KEY_CACHE_SIZE) cache.clear();
    key = prefix + stem;
    cache.set(stem, key);
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
  const middleEnd = stems.length - EDGE_WORDS;
  for (let index = 0; index < stems.length; index++) {
    const stem = stems[index]!;
    if (isNumber(stem)) continue;
    const value = index >= EDGE_WORDS && index < middleEnd ? weight * MIDDLE_FACTOR : weight;
    add(features, keyFor(wordKeys, "w:", stem), value, words[index]!);
    if (segment.isRequest && (index === 0 || breaks[index])) {
      add(features, keyFor(openingKeys, "o:", stem), value, words[index]!);
    }
  }
  if (segment.isRequest) addStructureFeatures(features, segment.structure, weight, stems.length);
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
export function featureKind(name: string): "word" | "opening" | "structure" {
  switch (name.charCodeAt(0)) {
    case 119: // w
      return "word";
    case 111: // o
      return "opening";
    default:
      return "structure";
  }
}
