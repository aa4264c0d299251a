/**
 * The headers that tell a caller how its request was routed: task, tier, alias, model, the request
 * id, any fallback hops or budget downgrade, and — for an answer gated before it was returned —
 * what the quality gates and the ladder did. Every front door sends the same set.
 */
import type { ChatAnswer, ChatCall, GatedAnswer } from "../core/chat-call.js";

/** Everything known once the answer is: what answered, and how it got there. */
export function answerHeaders(answer: ChatAnswer): Record<string, string> {
  const headers: Record<string, string> = {
    "x-switchyard-task": answer.route.task,
    "x-switchyard-tier": String(answer.step.tier),
    "x-switchyard-alias": answer.step.alias,
    "x-switchyard-model": answer.step.model,
    "x-switchyard-selector": answer.route.selector,
    "x-switchyard-request-id": answer.id,
  };
  if (answer.downgrade) {
    headers["x-switchyard-downgraded"] = `${answer.downgrade.fromAlias}->${answer.downgrade.toAlias}`;
  }
  if (answer.hops.length > 0) {
    headers["x-switchyard-fallback"] = answer.hops.map((hop) => `${hop.fromAlias}->${hop.toAlias}`).join(",");
    headers["x-switchyard-fallback-reason"] = answer.hops
      .map((hop) => headerText(hop.reason, 200))
      .join(" | ");
  }
  return answer.gated ? { ...headers, ...escalationHeaders(answer.gated) } : headers;
}

/**
 * What is known before the answer is, for a stream that must start before a rung has answered
 * (a cold model load): the task, the selector and the request's id. Tier, alias and model are
 * left out rather than guessed — fallback or a budget cap may still change them; the ledger row
 * under this id says what answered.
 */
export function planHeaders(call: ChatCall): Record<string, string> {
  return {
    "x-switchyard-task": call.plan.task,
    "x-switchyard-selector": call.plan.selector,
    "x-switchyard-request-id": call.id,
  };
}

/**
 * How the quality gates and the ladder treated the request: `x-switchyard-escalations` (hops after
 * a failed gate), the path climbed, the verdict on the answer returned, and — when climbing stopped
 * with an answer that did not pass (budget, ladder top, hop limit) — why.
 */
function escalationHeaders(gated: GatedAnswer): Record<string, string> {
  const headers: Record<string, string> = { "x-switchyard-escalations": String(gated.escalations) };
  if (gated.escalations > 0) headers["x-switchyard-escalation-path"] = gated.path.join("->");
  if (gated.verdict) headers["x-switchyard-gate"] = gated.verdict;
  if (gated.stopped) {
    headers["x-switchyard-escalation-stopped"] = gated.stopped.reason;
    headers["x-switchyard-escalation-note"] = headerText(gated.stopped.message, 300);
  }
  return headers;
}

/** Header values are ASCII on one line. */
function headerText(text: string, limit: number): string {
  return text.replace(/[^\x20-\x7e]/g, "?").slice(0, limit);
}
