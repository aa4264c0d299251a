/**
 * What a `claude_code:` value may name: `classify`, `tier1`…`tier3`, a task kind or an alias.
 * Here, beside the schema that validates it; `routing/claude-model-map.ts` turns a valid target
 * into the model name the router understands.
 */
import { isTaskKind } from "./task-kinds.js";

/** `tier1`, `tier-2`, …: a tier named as a `claude_code:` target. */
export const TIER_TARGET = /^tier-?([123])$/;

/** Whether a `claude_code:` value names something the router can route to. */
export function isClaudeTarget(target: string, aliases: Record<string, unknown>): boolean {
  const name = target.trim();
  return name === "classify" || TIER_TARGET.test(name) || isTaskKind(name) || Object.hasOwn(aliases, name);
}
