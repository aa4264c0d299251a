/**
 * The headers that tell a caller how its request was routed: task, tier, alias, model, and any
 * fallback hops, and what the quality gates did. Every front door sends the same set.
 */
import type { Dispatch } from "../dispatch/chat-dispatcher.js";
import type { EscalatedAnswer } from "../escalation/chat-escalator.js";
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

/**
 * How the quality gates and the ladder treated the request: `x-switchyard-escalations` (hops after
 * a failed gate), the path climbed, the verdict on the answer returned, and — when climbing stopped
 * with an answer that did not pass (budget, ladder top, hop limit) — why.
 */
export function escalationHeaders(answer: EscalatedAnswer): Record<string, string> {
  const headers: Record<string, string> = { "x-switchyard-escalations": String(answer.escalations) };
  if (answer.escalations > 0) headers["x-switchyard-escalation-path"] = answer.path.join("->");
  if (answer.verdict) headers["x-switchyard-gate"] = answer.verdict;
  if (answer.stopped) {
    headers["x-switchyard-escalation-stopped"] = answer.stopped.reason;
    headers["x-switchyard-escalation-note"] = answer.stopped.message
      .replace(/[^\x20-\x7e]/g, "?")
      .slice(0, 300);
  }
  return headers;
}
