/**
 * A step of the routing plan: a request that offers tools must not run on a model that cannot call
 * them (Ollama answers 400 "does not support tools", e.g. deepseek-r1). Such a rung is replaced by
 * a tool-capable alias on the same tier, or dropped, and so are the budget downgrade's stand-ins.
 * A caller who pinned an alias or a model gets what they named.
 */
import type { RouteStep } from "../config/alias-steps.js";
import type { SwitchyardConfig } from "../config/config-schema.js";
import type { Route } from "./task-router.js";

export function fitRouteToTools(route: Route, config: SwitchyardConfig, steps: Iterable<RouteStep>): Route {
  if (route.selector === "alias" || route.selector === "concrete-model") return route;
  const canCall = (step: RouteStep) => config.aliases[step.alias]?.tools !== false;
  if (route.ladder.every(canCall) && route.downgrades.every(canCall)) return route;
  const capable = [...steps].filter(canCall);
  const ladder: RouteStep[] = [];
  const signals: string[] = [];
  for (const step of route.ladder) {
    const replacement = canCall(step) ? step : capable.find((candidate) => candidate.tier === step.tier);
    if (replacement !== step) {
      signals.push(
        replacement
          ? `${step.alias} cannot call tools: ${replacement.alias} instead`
          : `${step.alias} cannot call tools: skipped`,
      );
    }
    if (replacement && !ladder.some((existing) => existing.alias === replacement.alias))
      ladder.push(replacement);
  }
  if (ladder.length === 0) return route;
  return {
    ...route,
    ladder,
    downgrades: route.downgrades.filter(canCall),
    signals: () => [...signals, ...route.signals()],
  };
}
