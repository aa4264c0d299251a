/**
 * One concise log line per request at info level, whichever door it came through: what it was,
 * where it ran, how it went, what it cost — and, when it moved, the fallbacks, the downgrade and
 * the escalations. Secrets never appear: the line carries no prompt, answer, header or key.
 */
import type { Attempt } from "../dispatch/attempt.js";
import type { SwitchyardError } from "../errors/switchyard-error.js";
import type { Route } from "../routing/task-router.js";

export interface RequestLogger {
  info(object: Record<string, unknown>, message: string): void;
}

export interface EscalationSummary {
  escalations: number;
  verdict?: "pass" | "fail" | undefined;
}

/** The line for a request that was answered (or broke off mid-answer). */
export function answeredLine(attempt: Attempt, escalation?: EscalationSummary): Record<string, unknown> {
  const { origin, step, usage } = attempt;
  const line: Record<string, unknown> = {
    requestId: origin.parentId ?? attempt.id,
    door: origin.frontDoor,
    task: origin.route.task,
    tier: step.tier,
    alias: step.alias,
    status: attempt.status,
    tokensIn: usage?.inputTokens ?? 0,
    tokensOut: usage?.outputTokens ?? 0,
    costUsd: attempt.cost?.costUsd ?? usage?.costUsd ?? 0,
    ms: Math.round((attempt.endedAt ?? performance.now()) - origin.arrivedAt),
  };
  if (attempt.hops.length > 0) line.fallbacks = attempt.hops.map((hop) => `${hop.fromAlias}->${hop.toAlias}`);
  if (attempt.downgrade) line.downgraded = `${attempt.downgrade.fromAlias}->${attempt.downgrade.toAlias}`;
  if (escalation && escalation.escalations > 0) line.escalations = escalation.escalations;
  if (escalation?.verdict) line.gate = escalation.verdict;
  if (attempt.error) line.code = attempt.error.code;
  return line;
}

/** The line for a request no rung answered. */
export function failedLine(
  requestId: string,
  frontDoor: string,
  route: Route,
  error: SwitchyardError,
  arrivedAt: number,
): Record<string, unknown> {
  return {
    requestId,
    door: frontDoor,
    task: route.task,
    status: error.code === "aborted" ? "aborted" : "error",
    code: error.code,
    ms: Math.round(performance.now() - arrivedAt),
  };
}
