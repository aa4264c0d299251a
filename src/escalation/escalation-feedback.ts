/**
 * What the next rung is asked after a rejected answer: the original conversation plus one user
 * message saying what the quality checks found and showing the rejected answer (cut short), so the
 * stronger model fixes the defect rather than repeating it. And the route it is asked on: the same
 * ladder, starting one rung above the rung that answered.
 */
import type { ChatRequest, ChatResult } from "../protocol/chat-types.js";
import type { Route } from "../routing/task-router.js";
import type { GateFinding } from "./quality-gate.js";

export interface RejectedAttempt {
  attempt: number;
  alias: string;
  findings: GateFinding[];
  result: ChatResult;
}

/** The original request with the findings of every rejected attempt appended as a user message. */
export function requestWithFeedback(
  original: ChatRequest,
  rejected: readonly RejectedAttempt[],
  answerChars: number,
): ChatRequest {
  const last = rejected.at(-1);
  if (!last) return original;
  const findings =
    rejected.length === 1
      ? describeFindings(last.findings)
      : rejected
          .map(
            (attempt) =>
              `attempt ${attempt.attempt} (${attempt.alias}): ${describeFindings(attempt.findings)}`,
          )
          .join("; ");
  const opening =
    rejected.length === 1
      ? "A previous attempt was rejected by a quality check"
      : `${rejected.length} previous attempts were rejected by quality checks`;
  const content =
    `${opening}: ${findings}.\n\n` +
    `Previous answer:\n${cut(renderResult(last.result), answerChars)}\n\n` +
    "Answer the original request correctly.";
  return { ...original, messages: [...original.messages, { role: "user", content }] };
}

/** The route one rung above `answeringAlias`, or undefined at the top of the ladder. */
export function routeAbove(route: Route, answeringAlias: string, reason: string): Route | undefined {
  const index = route.ladder.findIndex((step) => step.alias === answeringAlias);
  const ladder = route.ladder.slice(index + 1);
  if (index === -1 || ladder.length === 0) return undefined;
  const signal = `escalated from ${answeringAlias}: ${reason}`;
  return { ...route, ladder, signals: () => [...route.signals(), signal] };
}

export function describeFindings(findings: readonly GateFinding[]): string {
  return findings.map((finding) => finding.message).join("; ");
}

function renderResult(result: ChatResult): string {
  const calls = result.toolCalls.map((call) => `[tool call ${call.name}(${call.arguments})]`);
  const text = [result.text, ...calls].filter((part) => part !== "").join("\n");
  return text === "" ? "(empty)" : text;
}

function cut(text: string, limit: number): string {
  return text.length <= limit
    ? text
    : `${text.slice(0, limit)}\n… (cut: ${text.length - limit} more characters)`;
}
