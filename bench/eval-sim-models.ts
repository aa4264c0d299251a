/**
 * Simulated models for the evaluation suite: an in-memory back end that answers each eval task
 * with the task's own right or wrong answer — as a policy decides, e.g. with a stated pass rate per
 * alias — and answers grading requests (the gates' judges and the eval's judge) with a score. The
 * bench runs the real eval runner through the real spine on these; the tests script them per task.
 * The answer is looked up by the task's prompt, so an escalated request (the prompt plus findings)
 * is still recognised.
 */
import { createHash } from "node:crypto";
import type { Backend, BackendCall } from "../src/backends/backend.js";
import { EVAL_JUDGE_OPENING } from "../src/planning/eval/eval-judge.js";
import { EVAL_SUITE } from "../src/planning/eval/eval-suite.js";
import type { EvalTask } from "../src/planning/eval/eval-task.js";
import { estimateTextTokens } from "../src/protocol/anthropic/text-token-estimate.js";
import type { ChatEvent, ChatRequest } from "../src/protocol/chat-types.js";
import { estimateChatRequestTokens } from "../src/protocol/token-estimate.js";

/** How the simulated models behave. */
export interface SimulationPolicy {
  /** Whether `alias` answers `task` right; `attempt` is 1 for a first answer, 2+ after findings. */
  answersRight(task: EvalTask, alias: string, attempt: number): boolean;
  /**
   * The score a judge on `alias` gives an answer that is (`right`) or is not the task's right
   * answer; `gate` is true for a gate's judge, false for the eval's own.
   */
  judgeScore(task: EvalTask, alias: string, right: boolean, gate: boolean): number;
}

/** The opening of a gate judge's system prompt (escalation/judge-gate.ts). */
const GATE_JUDGE_OPENING = "You grade another assistant's answer";

export class SimulatedModels implements Backend {
  /** Every call, for tests. */
  readonly calls: BackendCall[] = [];

  constructor(
    readonly id: string,
    readonly kind: Backend["kind"],
    /** The alias each concrete model serves. */
    private readonly aliasOf: (model: string) => string,
    private readonly policy: SimulationPolicy,
    private readonly suite: readonly EvalTask[] = EVAL_SUITE,
  ) {}

  async chat(call: BackendCall): Promise<AsyncIterable<ChatEvent>> {
    this.calls.push(call);
    const text = simulatedReply(call.request, this.aliasOf(call.model), this.policy, this.suite);
    const inputTokens = estimateChatRequestTokens(call.request);
    return events(call.model, text, inputTokens, Math.max(1, estimateTextTokens(text)));
  }

  async close(): Promise<void> {}
}

/**
 * What a simulated model on `alias` says to `request`: the task's right or wrong answer as the
 * policy decides, or, to a grading request, a JSON score.
 */
export function simulatedReply(
  request: ChatRequest,
  alias: string,
  policy: SimulationPolicy,
  suite: readonly EvalTask[] = EVAL_SUITE,
): string {
  const system = textOf(request.messages.find((message) => message.role === "system")?.content);
  const user = textOf(request.messages.find((message) => message.role === "user")?.content);
  const gate = system.startsWith(GATE_JUDGE_OPENING);
  if (gate || system.startsWith(EVAL_JUDGE_OPENING)) {
    const task = suite.find((candidate) => user.includes(candidate.prompt));
    if (!task) return '{"score": 0, "reasons": ["not an eval task"]}';
    const marker = /## The answer to (?:check|grade)\n\n/.exec(user);
    const graded = marker ? user.slice(marker.index + marker[0].length).trim() : "";
    const right = graded.startsWith(task.reference.slice(0, 200).trim());
    const score = policy.judgeScore(task, alias, right, gate);
    return JSON.stringify({ score, reasons: right ? [] : ["misses reference points"] });
  }
  const task = suite.find((candidate) => candidate.prompt === user);
  if (!task) return `Hello from ${alias}`;
  const attempt = request.messages.filter((message) => message.role === "user").length;
  return policy.answersRight(task, alias, attempt) ? task.reference : task.wrong;
}

/** A draw in [0, 1) fixed by its key: the same on every run and in any order of calls. */
export function keyedDraw(...key: Array<string | number>): number {
  return createHash("sha256").update(key.join("\u0000")).digest().readUInt32BE(0) / 4_294_967_296;
}

function textOf(content: ChatRequest["messages"][number]["content"] | undefined): string {
  if (typeof content === "string") return content;
  if (!content) return "";
  return content.map((part) => (part.type === "text" ? part.text : "")).join("");
}

async function* events(
  model: string,
  text: string,
  inputTokens: number,
  outputTokens: number,
): AsyncGenerator<ChatEvent> {
  yield { type: "response-metadata", model };
  yield { type: "text-delta", text };
  yield { type: "usage", usage: { inputTokens, outputTokens } };
  yield { type: "finish", reason: "stop" };
}
