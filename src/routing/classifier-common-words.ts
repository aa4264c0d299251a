/**
 * The common words of English — articles, pronouns, prepositions, conjunctions, auxiliaries,
 * question words, fillers — pairs of them, and the equally common structural facts (a question, a code line, a
 * short request, a list), whose learned weight the trainer caps (`TrainingOptions.commonWordCap`).
 *
 * Why: fitted freely, the model made some of them strong evidence ("or" 5.2 for decision-gate,
 * "but" 4.1 for bug-hunting, "my" 4.0 for code review, "this" 3.2 for lint) because the labelled
 * prompts of one kind happened to use them more. That is the authors' habit, not the task, and a
 * new author's prompt that uses "or" in passing was pulled towards a decision gate. Capped, such a
 * word can still tip a close call but never decide one; the hand-written phrases that use them
 * ("which of these two", "why does") keep their weights.
 *
 * The same words tell a weak follow-up ("ok, do that") from a request: what is left of a turn
 * after them and the continuation words is what it names of its own (`classifier-conversation.ts`).
 */

import { stemWord } from "./classifier-text.js";

const WORDS = `
  a an the and or but nor so yet if then else than as at by for from in into of off on onto out
  over to up with without about above after again against all any before below between both down
  during each few further here there more most other others some such only own same too very just
  now also not no yes i me my mine myself we us our ours you your yours he him his she her it its
  they them their theirs this that these those what which who whom whose when where why how is am
  are was were be been being have has had having do does did doing done will would shall should
  can could may might must let get got gets please ok okay thanks thank hi hey hello one ones
  something anything everything nothing thing things way like well really actually maybe still
  even much many lot lots via per whether while because since until though although whatever
  every either neither another instead around through across within upon
`;

/** Stemmed, as the features name them. */
export const COMMON_WORD_STEMS: ReadonlySet<string> = new Set(
  WORDS.split(/\s+/)
    .filter((word) => word !== "")
    .map(stemWord),
);

/**
 * Structural facts as common as those words: a question mark, a code line, a short request, a
 * list. Each is true of many prompts of every kind, so the same cap applies.
 */
const COMMON_STRUCTURE = new Set(["s:question", "s:code", "s:short-prose", "s:list"]);

/**
 * Whether a learned feature is a common word (as a word, a negated word or an opening), a pair of
 * two common words ("is this", "can you": as much a habit as either word alone) or a common
 * structure. A pair with one word of its own ("write a", "look over") is not common: it says what
 * the word means here.
 */
export function isCommonFeature(feature: string): boolean {
  if (COMMON_STRUCTURE.has(feature)) return true;
  if (feature.startsWith("b:")) {
    const dash = feature.indexOf("-", 2);
    return COMMON_WORD_STEMS.has(feature.slice(2, dash)) && COMMON_WORD_STEMS.has(feature.slice(dash + 1));
  }
  return (
    (feature.startsWith("w:") || feature.startsWith("o:") || feature.startsWith("n:")) &&
    COMMON_WORD_STEMS.has(feature.slice(2))
  );
}
