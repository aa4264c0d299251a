/**
 * The headers that tell a caller how its request was routed: task, tier, alias, model, and any
 * fallback hops. Every front door sends the same set.
 */
import type { Dispatch } from "../dispatch/chat-dispatcher.js";
import type { Route } from "../routing/task-router.js";

export function routeHeaders(route: Route, dispatch?: Dispatch): Record<string, string> {
  const step = dispatch?.step ?? route.ladder[0]!;
  const headers: Record<string, string> = {
    "x-switchyard-task": route.task,
    "x-switchyard-tier": String(step.tier),
    "x-switchyard-alias": step.alias,
    "x-switchyard-model": step.model,
    "x-switchyard-selector": route.selector,
  };
  if (dispatch) {
    headers["x-switchyard-request-id"] = dispatch.id;
    if (dispatch.downgrade) {
      headers["x-switchyard-downgraded"] = `${dispatch.downgrade.fromAlias}->${dispatch.downgrade.toAlias}`;
    }
    if (dispatch.hops.length > 0) {
      headers["x-switchyard-fallback"] = dispatch.hops
        .map((hop) => `${hop.fromAlias}->${hop.toAlias}`)
        .join(",");
      headers["x-switchyard-fallback-reason"] = dispatch.hops
        .map((hop) => hop.reason.replace(/[^\x20-\x7e]/g, "?").slice(0, 200))
        .join(" | ");
    }
  }
  return headers;
}
