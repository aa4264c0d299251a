/**
 * What one evaluation call sends: the task's prompt, to a target — an alias measured alone
 * (`model: <alias>`, the task named, one rung only) or the ladder (`model: switchyard/<task>`,
 * everything the spine does for real traffic). And the rungs a call may touch, for the cost bound.
 */
import { aliasStep, type RouteStep } from "../../config/alias-steps.js";
import type { SwitchyardConfig } from "../../config/config-schema.js";
import type { ChatRequest } from "../../protocol/chat-types.js";
import { TaskRouter } from "../../routing/task-router.js";
import type { EvalTask } from "./eval-task.js";

/** The target name for "the ladder, as configured". */
export const LADDER = "ladder";

/**
 * Room for a reasoning model's thinking: on Ollama it counts against max_tokens, and an answer cut
 * off mid-thought would be measured as the model's failure.
 */
export const THINKING_ALLOWANCE_TOKENS = 4_096;

export function evalRequest(task: EvalTask, target: string, config: SwitchyardConfig): ChatRequest {
  const first = rungsFor(task, target, config)[0];
  const thinks = first ? config.aliases[first.alias]?.think === true : false;
  return {
    model: target === LADDER ? `switchyard/${task.kind}` : target,
    messages: [{ role: "user", content: task.prompt }],
    stream: false,
    maxTokens: task.maxTokens + (thinks ? THINKING_ALLOWANCE_TOKENS : 0),
  };
}

/**
 * The rungs a call may use, cheapest first: the alias alone, or the task's ladder up to
 * `escalation.max_hops` climbs.
 */
export function rungsFor(task: EvalTask, target: string, config: SwitchyardConfig): RouteStep[] {
  if (target !== LADDER) {
    const step = aliasStep(config, target);
    return step ? [step] : [];
  }
  return new TaskRouter(config).ladderForTask(task.kind).slice(0, config.escalation.max_hops + 1);
}

/** Whether an alias is served by a paid (OpenAI-compatible) back end. */
export function isPaidAlias(config: SwitchyardConfig, alias: string): boolean {
  const entry = config.aliases[alias];
  return entry !== undefined && config.backends[entry.backend]?.type === "openai-compatible";
}
