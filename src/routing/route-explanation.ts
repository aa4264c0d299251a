/**
 * A routing plan as a plain value, for whoever explains one: `POST /admin/route` and the MCP
 * `route` tool answer with it (the fields of `switchyard route --json`, plus the confidence, the
 * back end and where a budget cap would send the request).
 */
import type { Route } from "./task-router.js";

export interface RouteExplanation {
  task: string;
  /** The tier, alias, concrete model and back end the request starts on. */
  tier: number;
  alias: string;
  model: string;
  backend: string;
  /** How the task was chosen: "classifier", "task-header", "task-model", "alias", … */
  selector: string;
  /** 0–1: 1 when the caller named the task, the classifier's confidence when it decided. */
  confidence: number;
  /** The aliases a failed answer may climb, from the start. */
  ladder: string[];
  /** Where a budget cap would send it instead, best first. */
  downgrades: string[];
  /** Why, in words: the selector and the signals that decided. */
  signals: string[];
}

export function explainRoute(route: Route): RouteExplanation {
  const first = route.ladder[0]!;
  return {
    task: route.task,
    tier: first.tier,
    alias: first.alias,
    model: first.model,
    backend: first.backend,
    selector: route.selector,
    confidence: Math.round(route.confidence * 1000) / 1000,
    ladder: route.ladder.map((step) => step.alias),
    downgrades: route.downgrades.map((step) => step.alias),
    signals: route.signals(),
  };
}
