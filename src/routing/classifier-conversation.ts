/**
 * What the classifier reads of a conversation, and how much each part counts — the same for every
 * door and every model name, because the classifier only ever sees our `ChatMessage[]`:
 *
 * - **The request** is the last user turn — unless that turn is a weak follow-up ("continue",
 *   "go on", "fix it", "ok do that", "yes"): a short turn that names no task of its own. Such a turn
 *   continues the conversation's task, so the request is read from the last user turn that does
 *   carry one, and the follow-up's own words are not read at all ("continue" is not a decision to
 *   take, "fix it" is not a lint job).
 * - **Agent boilerplate weighs little or nothing.** `<system-reminder>` and `<environment_details>`
 *   blocks inside user turns (Claude Code, Cline) are dropped. A system prompt counts at the
 *   `system` source weight only while it is short — a persona or a one-line instruction ("You
 *   generate commit messages") — and less the longer it gets, so an agent's pages of standing
 *   tool-use instructions say next to nothing; past a length it is not read at all. What a system
 *   prompt does say counts only as far as the request itself supports it (`decide` in
 *   task-classifier.ts): a persona ("You are a senior architect") tips a close call at most.
 */

import type { ChatMessage } from "../protocol/chat-types.js";
import { COMMON_WORD_STEMS } from "./classifier-common-words.js";
import { scanPhrases } from "./classifier-phrases.js";
import { CLASSIFIER_LIMITS, FOLLOW_UP, SYSTEM_PROMPT } from "./classifier-rules.js";
import { splitProseAndCode, structureFindings } from "./classifier-structure.js";
import { readWords } from "./classifier-text.js";

/** A weak follow-up that handed its task to an earlier turn. */
export interface FollowUp {
  /** The follow-up as written, trimmed and shortened for evidence. */
  text: string;
  /** How many user turns back the turn carrying the task is (1: the one just before). */
  turnsBack: number;
}

/** A system prompt with the source weight it carries (1 = the `system` weight in full). */
export interface WeightedSystemPrompt {
  text: string;
  factor: number;
}

export interface ConversationReading {
  /** The text the task is read from: the last user turn, or the one a follow-up continues. */
  request: string | undefined;
  /** Set when the last user turn was a weak follow-up. */
  followUp: FollowUp | undefined;
  /** User turns before `request`, newest first, at most `CLASSIFIER_LIMITS.earlierTurns`. */
  earlier: string[];
  /** System prompts worth reading, with their factor. */
  systems: WeightedSystemPrompt[];
}

export function readConversation(messages: ChatMessage[], system: string | undefined): ConversationReading {
  // Newest first; only as many turns as can matter (a long session has hundreds).
  const turns = recentUserTexts(messages, 1 + FOLLOW_UP.turnsSearched + CLASSIFIER_LIMITS.earlierTurns);
  let requestTurn = 0;
  let followUp: FollowUp | undefined;
  const last = turns[0];
  if (last !== undefined && turns.length > 1 && isWeakFollowUp(last)) {
    // Walk back over follow-ups of follow-ups ("yes" after "go on") to the turn with the task.
    const oldest = Math.min(FOLLOW_UP.turnsSearched, turns.length - 1);
    for (let turn = 1; turn <= oldest; turn++) {
      if (!isWeakFollowUp(turns[turn]!)) {
        followUp = { text: last.trim().slice(0, FOLLOW_UP.evidenceCharacters), turnsBack: turn };
        requestTurn = turn;
        break;
      }
    }
  }
  const earlier = turns.slice(requestTurn + 1, requestTurn + 1 + CLASSIFIER_LIMITS.earlierTurns);
  const systems: WeightedSystemPrompt[] = [];
  for (const message of messages) {
    if (message.role === "system") addSystemPrompt(systems, message.content);
  }
  if (system) addSystemPrompt(systems, system);
  return { request: turns[requestTurn], followUp, earlier, systems };
}

/**
 * A turn too short and too plain to carry a task (`FOLLOW_UP`): a line of prose, no pasted material
 * (code, a diff, a trace, conflict markers, test or lint output), at most two things named of its
 * own, and no phrase of the rule table that names a task outright other than the continuation
 * phrases ("tell me more", "elaborate", which ask for more of the same).
 */
export function isWeakFollowUp(text: string): boolean {
  if (text.length > FOLLOW_UP.maximumCharacters) return false;
  const layout = splitProseAndCode(text);
  if (layout.code.trim() !== "" || structureFindings(layout.structure).length > 0) return false;
  const words = readWords(layout.prose);
  // No words at all ("👍", "?") is an acknowledgement too.
  if (words.stems.length > FOLLOW_UP.maximumWords) return false;
  let contentWords = 0;
  for (const stem of words.stems) {
    if (!COMMON_WORD_STEMS.has(stem) && !CONTINUATION_STEMS.has(stem) && !/^\d+$/.test(stem)) contentWords++;
  }
  if (contentWords > FOLLOW_UP.maximumContentWords) return false;
  let namesTask = false;
  scanPhrases(words, (entry, index, length) => {
    if (entry.weight < FOLLOW_UP.taskPhraseWeight) return;
    if (!CONTINUATIONS.has(words.stems.slice(index, index + length).join(" "))) namesTask = true;
  });
  return !namesTask;
}

/** Continuation phrases, stemmed the way the phrase scan matches them. */
const CONTINUATIONS = new Set(FOLLOW_UP.continuations.map((phrase) => readWords(phrase).stems.join(" ")));
const CONTINUATION_STEMS = new Set(readWords(FOLLOW_UP.continuationWords).stems);

/** The texts of the last `limit` user turns that have any, newest first, without agent blocks. */
function recentUserTexts(messages: ChatMessage[], limit: number): string[] {
  const texts: string[] = [];
  for (let index = messages.length - 1; index >= 0 && texts.length < limit; index--) {
    const message = messages[index]!;
    if (message.role !== "user") continue;
    const text = withoutAgentBlocks(userText(message.content));
    if (NOT_BLANK.test(text)) texts.push(text);
  }
  return texts;
}

const NOT_BLANK = /\S/;

function userText(content: string | Array<{ type: string; text?: string }>): string {
  if (typeof content === "string") return content;
  let text = "";
  for (const part of content) {
    if (part.type === "text" && part.text !== undefined) text += (text ? "\n" : "") + part.text;
  }
  return text;
}

/**
 * Blocks agents add to user turns that are context, not the request: Claude Code's
 * `<system-reminder>` (CLAUDE.md, todo lists, file-change notices) and Cline's
 * `<environment_details>` (open tabs, file listings).
 */
const AGENT_BLOCK = /<(system-reminder|environment_details)>[\s\S]*?<\/\1>/g;

export function withoutAgentBlocks(text: string): string {
  if (!text.includes("<system-reminder>") && !text.includes("<environment_details>")) return text;
  return text.replace(AGENT_BLOCK, "").trim();
}

/**
 * Full weight up to `SYSTEM_PROMPT.fullWeightCharacters`, then inversely to the length (so a
 * prompt of any length says about as much as a short one), and not read past
 * `SYSTEM_PROMPT.ignoredAfterCharacters`: an agent's instructions describe every task it might do.
 */
function addSystemPrompt(systems: WeightedSystemPrompt[], text: string): void {
  const length = text.length;
  if (length === 0 || length > SYSTEM_PROMPT.ignoredAfterCharacters) return;
  systems.push({ text, factor: Math.min(1, SYSTEM_PROMPT.fullWeightCharacters / length) });
}
