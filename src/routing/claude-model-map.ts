/**
 * Claude Code on the tiers: maps the Claude model names Claude Code asks for (`claude-opus-4-6`,
 * `claude-sonnet-4-5-20250929`, `claude-3-5-haiku-20241022`, `claude-haiku-4-5[1m]`, …) onto
 * Switchyard's own selectors, per the `claude_code:` config section. Pure; `TaskRouter` calls it
 * before its normal selectors.
 *
 * Each family (opus, sonnet, haiku) maps to one target: `classify` (the task classifier — or the
 * `x-switchyard-task` header — picks the task and its ladder), `tier1`…`tier3`, an alias, or a task
 * kind. The target is expressed as the model name the router already understands
 * (`switchyard/auto`, `switchyard/tier1`, `cloud-opus`, `switchyard/commit-message`), so a Claude
 * name routes exactly like its equivalent.
 *
 * Claude Code also sends background work — session titles, tool-use labels, prompt suggestions,
 * quota probes — and, behind a gateway, sends it under the main model's name unless
 * ANTHROPIC_DEFAULT_HAIKU_MODEL is set. Such requests are recognised by the prompts Claude Code
 * uses for them and follow the `haiku` target whatever model they name: a title is never worth Opus.
 *
 * The classifier reads Claude Code's conversations without its system prompt and its
 * `<system-reminder>` blocks: they are the same on every request (and full of words like
 * "review" and "architecture"), so they say nothing about the task and would outvote the user.
 * (Other names get the same in effect: the classifier drops agent blocks from every user turn and
 * reads a long system prompt at next to no weight — `classifier-conversation.ts`.)
 */

import { TIER_TARGET } from "../config/claude-targets.js";
import { isTaskKind } from "../config/task-kinds.js";
import type { ChatMessage } from "../protocol/chat-types.js";
import { withoutAgentBlocks } from "./classifier-conversation.js";

export type ClaudeFamily = "opus" | "sonnet" | "haiku";

/** The `claude_code:` config section's model targets. */
export interface ClaudeModelTargets {
  opus: string;
  sonnet: string;
  haiku: string;
}

export interface ClaudeModelSelection {
  /** The equivalent model name for the router: `switchyard/auto`, `switchyard/tier1`, an alias, … */
  model: string;
  family: ClaudeFamily;
  background: string | undefined;
  /** What the task classifier should read: the conversation without Claude Code's boilerplate. */
  messages: ChatMessage[];
  signals: string[];
}

/** Stable names for each family, listed by `GET /v1/models` and set by `switchyard claude`. */
export const CLAUDE_CODE_MODEL_NAMES: Record<ClaudeFamily, string> = {
  opus: "claude-opus-4-6",
  sonnet: "claude-sonnet-4-5",
  haiku: "claude-haiku-4-5",
};

const FAMILIES: ClaudeFamily[] = ["opus", "sonnet", "haiku"];

/**
 * The family of a Claude model name, or undefined when the name is not one. Only names that start
 * with `claude` count: `anthropic/claude-sonnet-4.5` is a concrete OpenRouter model, not a request
 * for "whatever serves Sonnet".
 */
export function claudeFamilyOf(model: string): ClaudeFamily | undefined {
  const name = model.trim().toLowerCase();
  if (!name.startsWith("claude")) return undefined;
  return FAMILIES.find((family) => name.includes(family));
}

/** How a Claude model request routes, or undefined when `model` is not a Claude name. */
export function selectClaudeModel(
  targets: ClaudeModelTargets,
  model: string,
  messages: ChatMessage[],
): ClaudeModelSelection | undefined {
  const named = claudeFamilyOf(model);
  if (named === undefined) return undefined;
  const background = claudeBackgroundKind(messages);
  const family: ClaudeFamily = background ? "haiku" : named;
  const target = targets[family].trim();
  const signals = [
    background
      ? `Claude Code background work (${background}) under ${model} → claude_code.haiku: ${target}`
      : `model ${model} is Claude ${family} → claude_code.${family}: ${target}`,
  ];
  return { model: routerModelFor(target), family, background, messages: classifierView(messages), signals };
}

/** The router model name that means `target` (validated by the config schema). */
export function routerModelFor(target: string): string {
  if (target === "classify") return "switchyard/auto";
  const tier = TIER_TARGET.exec(target);
  if (tier) return `switchyard/tier${tier[1]}`;
  if (isTaskKind(target)) return `switchyard/${target}`;
  return target;
}

/**
 * Background work is recognised by prompt text Claude Code has used for it, across versions
 * (checked against Claude Code 2.1.197 and earlier gateways' notes). A phrase in the system
 * prompt or at the start of the last user turn is enough; each is specific to its job.
 */
const BACKGROUND_PROMPTS: Array<[phrase: string, kind: string]> = [
  ["generate a concise, sentence-case title", "session title"],
  ["analyze if this message indicates a new conversation topic", "topic title"],
  ["word title for the following conversation", "session title"],
  ["write a short summary label describing what these tool calls accomplished", "tool-use label"],
  ["[suggestion mode:", "prompt suggestion"],
  ["word lowercase label for this job", "job label"],
];

/** How far into a user turn to look: the phrases open the prompt they belong to. */
const USER_PREFIX_CHARACTERS = 400;

export function claudeBackgroundKind(messages: ChatMessage[]): string | undefined {
  const lastUser = lastUserText(messages);
  // The quota probe: one user turn saying "quota" (sent with max_tokens 1).
  if (messages.length <= 2 && lastUser.trim() === "quota") return "quota check";
  if (lastUser.trim().toLowerCase() === "warmup") return "warmup";
  const opening = lastUser.slice(0, USER_PREFIX_CHARACTERS).toLowerCase();
  for (const [phrase, kind] of BACKGROUND_PROMPTS) if (opening.includes(phrase)) return kind;
  for (const message of messages) {
    if (message.role !== "system") continue;
    const system = message.content.toLowerCase();
    for (const [phrase, kind] of BACKGROUND_PROMPTS) if (system.includes(phrase)) return kind;
  }
  return undefined;
}

function lastUserText(messages: ChatMessage[]): string {
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index]!;
    if (message.role !== "user") continue;
    if (typeof message.content === "string") return message.content;
    const texts = message.content.filter((part) => part.type === "text").map((part) => part.text);
    if (texts.length > 0) return texts.join("\n");
  }
  return "";
}

/** Claude Code's system prompt opens with one of these (CLI, and Agent SDK builds). */
const CLAUDE_CODE_SYSTEM_OPENINGS = ["you are claude code", "you are a claude agent"];

function classifierView(messages: ChatMessage[]): ChatMessage[] {
  const isClaudeCode = messages.some(
    (message) =>
      message.role === "system" &&
      CLAUDE_CODE_SYSTEM_OPENINGS.some((opening) =>
        message.content.slice(0, 200).toLowerCase().includes(opening),
      ),
  );
  if (!isClaudeCode) return messages;
  const view: ChatMessage[] = [];
  for (const message of messages) {
    if (message.role === "system") continue;
    if (message.role !== "user") {
      view.push(message);
      continue;
    }
    const content =
      typeof message.content === "string"
        ? withoutAgentBlocks(message.content)
        : message.content.map((part) =>
            part.type === "text" ? { ...part, text: withoutAgentBlocks(part.text) } : part,
          );
    view.push({ role: "user", content });
  }
  return view;
}
