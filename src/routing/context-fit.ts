/**
 * Context fit: drops the rungs of a route whose context window cannot hold the request, so a long
 * conversation starts on the first model that can read all of it. Pure: the caller supplies each
 * alias's window (`contextWindowOf`), from config today and from the model catalog later.
 *
 * Why here and not in the back end: Ollama does not refuse a prompt longer than `num_ctx`, it
 * silently drops the oldest tokens — a local model would answer a conversation it never saw whole.
 * And when no rung fits, the caller gets Anthropic's own `prompt is too long` error, which Claude
 * Code answers by compacting the conversation. Nothing is ever truncated.
 *
 * A rung fits when the estimated input plus an output reserve is within its window. The reserve is
 * the request's `max_tokens` capped at `outputReserveTokens`: clients such as Claude Code always
 * ask for 32–64k as a ceiling, which would rule out every local model if taken literally.
 */
import type { SwitchyardConfig } from "../config/config-schema.js";
import { SwitchyardError } from "../errors/switchyard-error.js";
import type { ChatRequest } from "../protocol/chat-types.js";
import { chatRequestTokenCeiling, estimateChatRequestTokens } from "../protocol/token-estimate.js";
import type { Route } from "./task-router.js";

/** The context window of an alias in tokens, or undefined when unknown (then it is assumed to fit). */
export type ContextWindowOf = (alias: string) => number | undefined;

export interface ContextFitOptions {
  /** The most output a rung must leave room for; default 4096 tokens. */
  outputReserveTokens?: number;
}

export const DEFAULT_OUTPUT_RESERVE_TOKENS = 4_096;

/** Windows from `aliases.<name>.context_window` (sent to Ollama as `num_ctx`). */
export function contextWindowsFromConfig(config: SwitchyardConfig): ContextWindowOf {
  const windows = new Map<string, number>();
  for (const [alias, entry] of Object.entries(config.aliases)) {
    if (entry.context_window !== undefined) windows.set(alias, entry.context_window);
  }
  return (alias) => windows.get(alias);
}

/**
 * The route with the rungs that cannot hold `request` removed, and a signal per rung skipped.
 * Returns `route` itself when every rung fits. Throws `context-too-long` when none does.
 */
export function fitRouteToContext(
  route: Route,
  request: ChatRequest,
  contextWindowOf: ContextWindowOf,
  options: ContextFitOptions = {},
): Route {
  const reserve = Math.min(
    request.maxTokens ?? Number.POSITIVE_INFINITY,
    options.outputReserveTokens ?? DEFAULT_OUTPUT_RESERVE_TOKENS,
  );
  const windows = route.ladder.map((step) => contextWindowOf(step.alias));
  const standInWindows = route.downgrades.map((step) => contextWindowOf(step.alias));
  const smallest = Math.min(
    ...windows.map((window) => window ?? Number.POSITIVE_INFINITY),
    ...standInWindows.map((window) => window ?? Number.POSITIVE_INFINITY),
  );
  // The cheap bound settles short requests without running the estimator.
  if (chatRequestTokenCeiling(request) + reserve <= smallest) return route;

  const input = estimateChatRequestTokens(request);
  const needed = input + reserve;
  const fits = (window: number | undefined) => window === undefined || needed <= window;
  const skipped: string[] = [];
  const ladder = route.ladder.filter((step, index) => {
    const window = windows[index];
    if (fits(window)) return true;
    skipped.push(
      `context: skipped ${step.alias} (window ${window} < ~${needed} needed: ${input} input + ${reserve} reserved for output)`,
    );
    return false;
  });
  if (ladder.length === 0) {
    const largest = Math.max(...windows.map((window) => window ?? 0));
    const maximum = Math.max(0, largest - reserve);
    throw new SwitchyardError(
      "context-too-long",
      `prompt is too long: ${input} tokens > ${maximum} maximum (the largest context window on the ${route.task} ladder is ${largest} tokens, ${reserve} kept for the answer); shorten or compact the conversation`,
      { details: { tokens: input, max: maximum, ladder: route.ladder.map((step) => step.alias) } },
    );
  }
  // A budget stand-in that cannot hold the request would only drop the oldest tokens.
  const downgrades = route.downgrades.filter((_, index) => fits(standInWindows[index]));
  if (skipped.length === 0)
    return downgrades.length === route.downgrades.length ? route : { ...route, downgrades };
  return { ...route, ladder, downgrades, signals: () => [...route.signals(), ...skipped] };
}
