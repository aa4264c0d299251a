/**
 * The hand-written phrase table of `classifier-rules.ts`, compiled once into a lookup keyed by
 * stemmed phrase, and the scan that finds its phrases in a message: greedy longest match over the
 * words, so "code review" counts once and not also as "review".
 */

import type { TaskKind } from "../config/task-kinds.js";
import { CLASSIFIER_LIMITS, KEYWORD_RULES } from "./classifier-rules.js";
import { phraseStems, type Words } from "./classifier-text.js";

export interface PhraseEntry {
  /** Dense index, so a collector can key signals by number instead of building strings. */
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

function buildPhraseTable(): PhraseTable {
  const phrases = new Map<string, PhraseEntry[]>();
  const prefixes = new Set<string>();
  let nextId = 0;
  for (const rule of KEYWORD_RULES) {
    for (const phrase of rule.phrases) {
      const stems = phraseStems(phrase);
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

/** Number of distinct phrase entries; a collector keys signals by `entry.id` below this. */
export function phraseEntryCount(): number {
  let count = 0;
  for (const entries of PHRASE_TABLE.phrases.values()) count += entries.length;
  return count;
}

/** Calls `found` for each phrase matched, longest first at each position. */
export function scanPhrases(
  text: Words,
  found: (entry: PhraseEntry, index: number, length: number) => void,
): void {
  const { stems } = text;
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
      for (const entry of entries) found(entry, index, matchedLength);
      index += matchedLength;
    } else {
      index++;
    }
  }
}
