/**
 * One answer's verdict, whatever the task: code tasks by their tests (`code-check.ts`), text tasks
 * by their deterministic rules (`text-check.ts`) and then, when the task has reference points, by
 * a judge (`eval-judge.ts`). The verdict says which kind of check decided it, because calibration
 * trusts it only for what it is. A judge that does not answer, or answers with no score, leaves
 * the answer without a verdict ("error") rather than failing it.
 */
import { toSwitchyardError } from "../../errors/switchyard-error.js";
import type { CancelSignal } from "../../protocol/cancel-signal.js";
import type { ChatRequest } from "../../protocol/chat-types.js";
import type { EvalEvidence, EvalVerdict } from "../../store/eval-store.js";
import { checkCode, type EvalToolchains } from "./code-check.js";
import { evalJudgeRequest, readEvalJudgeVerdict } from "./eval-judge.js";
import type { EvalTask } from "./eval-task.js";
import { textFindings } from "./text-check.js";

export interface AnswerVerdict {
  verdict: EvalVerdict;
  evidence: EvalEvidence;
  /** Why it failed (or had no verdict); empty on a pass. */
  findings: string[];
  /** The judge's call, when one was made. */
  judge?: { requestId: string | null; score: number | null; costUsd: number };
}

/** Sends a grading request through the one request path; rejects when no judge answered. */
export type AskEvalJudge = (
  request: ChatRequest,
  task: EvalTask,
) => Promise<{ requestId: string; text: string; costUsd: number }>;

export interface AnswerCheckOptions {
  toolchains: EvalToolchains;
  askJudge: AskEvalJudge;
  /** The judge alias, and whether it is paid (its output is then bounded). */
  judge: { model: string; paid: boolean };
  signal?: CancelSignal;
}

export type AnswerChecker = (task: EvalTask, answer: string) => Promise<AnswerVerdict>;

/** What decides a task's verdicts when every check runs. */
export function evidenceOf(task: EvalTask): EvalEvidence {
  const { check } = task;
  if (check.type === "code") return "executable";
  if (!check.judge) return "deterministic";
  return (check.rules?.length ?? 0) > 0 ? "deterministic+judge" : "judge";
}

export function answerChecker(options: AnswerCheckOptions): AnswerChecker {
  return (task, answer) => checkAnswer(task, answer, options);
}

export async function checkAnswer(
  task: EvalTask,
  answer: string,
  options: AnswerCheckOptions,
): Promise<AnswerVerdict> {
  const { check } = task;
  if (check.type === "code") {
    const result = await checkCode(check, answer, {
      toolchains: options.toolchains,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { verdict: result.passed ? "pass" : "fail", evidence: "executable", findings: result.findings };
  }

  const broken = textFindings(answer, check.rules ?? []);
  if (broken.length > 0) return { verdict: "fail", evidence: "deterministic", findings: broken };
  if (!check.judge) return { verdict: "pass", evidence: "deterministic", findings: [] };

  const evidence = evidenceOf(task);
  let reply: { requestId: string; text: string; costUsd: number };
  try {
    reply = await options.askJudge(evalJudgeRequest(task, check, answer, options.judge), task);
  } catch (error) {
    return {
      verdict: "error",
      evidence,
      findings: [`the judge (${options.judge.model}) did not answer: ${toSwitchyardError(error).message}`],
      judge: { requestId: null, score: null, costUsd: 0 },
    };
  }
  const judged = readEvalJudgeVerdict(check, reply.text);
  const judge = { requestId: reply.requestId, score: judged?.score ?? null, costUsd: reply.costUsd };
  if (!judged) {
    return {
      verdict: "error",
      evidence,
      findings: [`the judge (${options.judge.model}) gave no readable score: ${reply.text.slice(0, 200)}`],
      judge,
    };
  }
  if (judged.passed) return { verdict: "pass", evidence, findings: [], judge };
  const reasons = judged.reasons.length > 0 ? `: ${judged.reasons.join("; ")}` : "";
  return {
    verdict: "fail",
    evidence,
    findings: [`the judge scored it ${judged.score}/10, below ${judged.threshold}${reasons}`],
    judge,
  };
}
