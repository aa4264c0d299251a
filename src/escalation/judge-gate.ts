/**
 * The judge gate: a configured model (by default the rung above the one that answered) grades the
 * answer 0-10 against the task's rubric, and the answer passes at or above the threshold. The
 * judge is asked through the one request path like everything else, so it is costed, budgeted and in
 * the ledger (front door "judge", linked to the request by parentId). A judge that cannot answer —
 * over budget, down, or unreadable — makes the gate inconclusive, never a failure: a missing
 * opinion is no evidence against the answer.
 */

import { aliasStep, type RouteStep } from "../config/alias-steps.js";
import type { GateTaskConfig, SwitchyardConfig } from "../config/config-schema.js";
import type { AttemptThrottle } from "../dispatch/attempt-dispatcher.js";
import { toSwitchyardError } from "../errors/switchyard-error.js";
import type { CancelSignal } from "../protocol/cancel-signal.js";
import type { ChatMessage, ChatRequest } from "../protocol/chat-types.js";
import type { Route } from "../routing/task-router.js";
import { JUDGE_RUBRICS } from "./judge-rubrics.js";
import { parseJudgeVerdict } from "./judge-verdict.js";
import type { GateCheck, GateInput } from "./quality-gate.js";

type JudgeConfig = Exclude<NonNullable<GateTaskConfig["judge"]>, false>;

const REQUEST_CHARS = 8_000;
const ANSWER_CHARS = 12_000;
/** Bounds what a paid judge can cost (and so what the budget reserves for it). */
const PAID_JUDGE_MAX_TOKENS = 800;

/** One judge call: the grading request, the rung that grades, and the attempt it grades. */
export interface JudgeCall {
  request: ChatRequest;
  step: RouteStep;
  /** The graded attempt's route (its task and selector are the judge row's too). */
  route: Route;
  /** The first attempt's id, and the graded attempt's number: the judge row links to them. */
  chainId: string;
  attempt: number;
  signal: CancelSignal;
  /** The graded request's caller's throttle: the judge is admitted by it on the judge's rung. */
  throttle?: AttemptThrottle | undefined;
}

/**
 * Asks a judge through the one request path (budgeted, in the ledger as front door "judge");
 * resolves with the judge row's id and its text, rejects when no answer came.
 */
export type AskJudge = (call: JudgeCall) => Promise<{ id: string; text: string }>;

export interface JudgeGateOptions {
  config: SwitchyardConfig;
  askJudge: AskJudge;
}

/**
 * The judge's rung: an alias; "local", the other local model (free grading); "next", the rung
 * above the one that answered. Undefined when there is none.
 */
export function judgeStep(
  config: SwitchyardConfig,
  judge: JudgeConfig,
  input: GateInput,
): RouteStep | undefined {
  if (judge.alias === "local") {
    const other = Object.keys(config.aliases).find(
      (alias) => alias !== input.step.alias && config.aliases[alias]?.tier === 1,
    );
    return other ? aliasStep(config, other) : undefined;
  }
  if (judge.alias !== "next") return aliasStep(config, judge.alias);
  const index = input.route.ladder.findIndex((step) => step.alias === input.step.alias);
  return index === -1 ? undefined : input.route.ladder[index + 1];
}

export async function runJudgeGate(
  options: JudgeGateOptions,
  judge: JudgeConfig,
  input: GateInput,
): Promise<GateCheck> {
  if (judge.tiers.length > 0 && !judge.tiers.includes(input.step.tier)) {
    return {
      failed: [],
      remarks: [
        {
          gate: "judge",
          check: "skipped",
          message: `the judge grades answers from tier ${judge.tiers.join(", ")}; this one came from tier ${input.step.tier}`,
        },
      ],
    };
  }
  const step = judgeStep(options.config, judge, input);
  if (!step) {
    const missing = judge.alias === "local" ? "no other local model" : "no rung above the answering one";
    return {
      failed: [],
      remarks: [{ gate: "judge", check: "skipped", message: `${missing} to judge it` }],
    };
  }
  const request = judgeRequest(judge, input, step);
  let answer: { id: string; text: string };
  try {
    answer = await options.askJudge({
      request,
      step,
      route: input.route,
      chainId: input.chainId,
      attempt: input.attempt,
      signal: input.signal,
      throttle: input.throttle,
    });
  } catch (thrown) {
    const error = toSwitchyardError(thrown);
    return {
      failed: [],
      remarks: [
        {
          gate: "judge",
          check: "unavailable",
          message: `judge ${step.alias} did not answer: ${error.message}`,
        },
      ],
    };
  }
  const text = answer.text;
  const verdict = parseJudgeVerdict(text);
  if (!verdict) {
    return {
      failed: [],
      remarks: [
        {
          gate: "judge",
          check: "inconclusive",
          message: `judge ${step.alias} gave no readable score`,
          output: text.slice(0, 500),
        },
      ],
    };
  }
  const judgeScore = {
    alias: step.alias,
    score: verdict.score,
    threshold: judge.threshold,
    reasons: verdict.reasons,
    requestId: answer.id,
  };
  if (verdict.score >= judge.threshold) return { failed: [], judge: judgeScore };
  const reasons = verdict.reasons.length > 0 ? `: ${verdict.reasons.join("; ")}` : "";
  return {
    failed: [
      {
        gate: "judge",
        check: "score",
        message: `a reviewer (${step.alias}) scored the answer ${verdict.score}/10, below the required ${judge.threshold}${reasons}`,
        output: verdict.reasons.join("\n"),
      },
    ],
    judge: judgeScore,
  };
}

export function judgeRequest(judge: JudgeConfig, input: GateInput, step: RouteStep): ChatRequest {
  const rubric = judge.rubric || JUDGE_RUBRICS[input.route.task];
  const system =
    `You grade another assistant's answer to a "${input.route.task}" task. A good answer: ${rubric}\n` +
    'Reply with only a JSON object: {"score": <0-10>, "reasons": ["<short reason>", ...]}. ' +
    "10 is fully correct and complete, 0 is useless. List concrete defects as reasons; do not rewrite the answer.";
  const user =
    `## The request\n\n${renderConversation(input.request.messages)}\n\n` +
    `## The answer to grade\n\n${cut(renderAnswer(input), ANSWER_CHARS)}`;
  return {
    model: step.model,
    messages: [
      { role: "system", content: system },
      { role: "user", content: user },
    ],
    stream: true,
    temperature: 0,
    ...(step.tier > 1 ? { maxTokens: PAID_JUDGE_MAX_TOKENS } : {}),
  };
}

function renderConversation(messages: readonly ChatMessage[]): string {
  const parts = messages.map(renderMessage);
  // The end of the conversation is what the answer answers; keep it whole and cut the beginning.
  const text = parts.join("\n\n");
  return text.length <= REQUEST_CHARS ? text : `… ${text.slice(text.length - REQUEST_CHARS)}`;
}

function renderMessage(message: ChatMessage): string {
  switch (message.role) {
    case "system":
    case "tool":
      return `[${message.role}] ${message.content}`;
    case "user":
      return `[user] ${
        typeof message.content === "string"
          ? message.content
          : message.content.map((part) => (part.type === "text" ? part.text : "[image]")).join("\n")
      }`;
    case "assistant": {
      const calls = (message.toolCalls ?? []).map((call) => ` [calls ${call.name}(${call.arguments})]`);
      return `[assistant] ${message.content ?? ""}${calls.join("")}`;
    }
  }
}

function renderAnswer(input: GateInput): string {
  const calls = input.result.toolCalls.map((call) => `[calls ${call.name}(${call.arguments})]`).join("\n");
  return [input.result.text, calls].filter(Boolean).join("\n");
}

function cut(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}\n… (cut)`;
}
