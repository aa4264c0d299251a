/**
 * The judge half of the checker for text tasks: a judge model reads the task, the reference points
 * a correct answer covers, the task kind's rubric and the answer, and scores it 0–10. The request
 * is built here; it is sent through the one request path by the runner (front door "eval-judge"),
 * so it is costed, budgeted and in the ledger like any call. A reply with no readable score is no
 * verdict at all, never a failure of the answer.
 */
import { JUDGE_RUBRICS } from "../../escalation/judge-rubrics.js";
import { parseJudgeVerdict } from "../../escalation/judge-verdict.js";
import type { ChatRequest } from "../../protocol/chat-types.js";
import { DEFAULT_JUDGE_THRESHOLD, type EvalTask, type TextCheck } from "./eval-task.js";

/** What the judge is asked to write at most: a score and a few reasons. */
export const EVAL_JUDGE_MAX_TOKENS = 600;

const ANSWER_CHARS = 12_000;

/** The system prompt starts with this, so a simulated judge (the bench's) can recognise the call. */
export const EVAL_JUDGE_OPENING = "You check an answer to a development task against reference points.";

/**
 * The grading request. `model` is the judge alias; a paid judge's output is bounded (so is its
 * reservation), a local one's is not, since a reasoning model's thinking counts against the bound.
 */
export function evalJudgeRequest(
  task: EvalTask,
  check: TextCheck,
  answer: string,
  judge: { model: string; paid: boolean },
): ChatRequest {
  const rubric = check.judge?.rubric ?? JUDGE_RUBRICS[task.kind];
  const points = (check.judge?.points ?? []).map((point, index) => `${index + 1}. ${point}`).join("\n");
  const system =
    `${EVAL_JUDGE_OPENING} The task is of kind "${task.kind}". A good answer: ${rubric}\n` +
    "Score how well the answer covers the reference points and meets the rubric, 0-10: 10 when it " +
    "covers every point correctly, 7 when it covers the important ones with no errors, 3 or less when " +
    "it misses the central point or states something wrong. Wording may differ from the points; meaning must not.\n" +
    'Reply with only a JSON object: {"score": <0-10>, "missed": [<numbers of points not covered>], "reasons": ["<short reason>", ...]}.';
  const user =
    `## The task\n\n${task.prompt}\n\n## Reference points a correct answer covers\n\n${points}\n\n` +
    `## The answer to check\n\n${cut(answer)}`;
  return {
    model: judge.model,
    messages: [
      { role: "system", content: system },
      { role: "user", content: user },
    ],
    stream: false,
    temperature: 0,
    ...(judge.paid ? { maxTokens: EVAL_JUDGE_MAX_TOKENS } : {}),
  };
}

export interface EvalJudgeVerdict {
  score: number;
  threshold: number;
  passed: boolean;
  reasons: string[];
}

/** The judge's score against the task's threshold; undefined when the reply holds no score. */
export function readEvalJudgeVerdict(check: TextCheck, reply: string): EvalJudgeVerdict | undefined {
  const verdict = parseJudgeVerdict(reply);
  if (!verdict) return undefined;
  const threshold = check.judge?.threshold ?? DEFAULT_JUDGE_THRESHOLD;
  return { score: verdict.score, threshold, passed: verdict.score >= threshold, reasons: verdict.reasons };
}

function cut(text: string): string {
  return text.length <= ANSWER_CHARS ? text : `${text.slice(0, ANSWER_CHARS)}\n… (cut)`;
}
