/**
 * The evaluation results' contract: `switchyard eval` writes one row per task and target, and
 * `calibrate`, `eval` reports and the bench read them back by time. Writes are rare (a run writes a
 * few hundred rows), so they are plain awaited inserts, not the ledger's batched queue. Also the
 * row shape shared by both databases.
 */
import { EVAL_RESULTS_TABLE } from "./eval-schema.js";
import { storedColumnNames } from "./table-schema.js";

export type EvalVerdict = "pass" | "fail" | "error";

/** Which check decided a verdict. */
export type EvalEvidence = "executable" | "deterministic" | "judge" | "deterministic+judge";

export interface EvalResultRecord {
  id: string;
  runId: string;
  /** Epoch milliseconds when the task was sent. */
  startedAt: number;
  /** The suite's version: results of different versions ran different tasks. */
  suiteVersion: string;
  taskId: string;
  taskKind: string;
  /** The alias measured alone, or "ladder". */
  target: string;
  verdict: EvalVerdict;
  evidence: EvalEvidence;
  detail: string | null;
  /** The ledger id of the request's first attempt. */
  requestId: string | null;
  /** The alias and tier that gave the answer that was checked. */
  answerAlias: string | null;
  answerTier: number | null;
  /** The aliases that answered each attempt, in order. */
  path: string[];
  /** Model calls the answer took: attempts plus the gates' judge calls. */
  calls: number;
  escalations: number;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  latencyMs: number;
  judgeRequestId: string | null;
  judgeScore: number | null;
  judgeCostUsd: number;
}

export interface EvalStore {
  /** Inserts (or replaces, by id) results; resolves once committed. */
  record(results: readonly EvalResultRecord[]): Promise<void>;
  /** Results sent in [startMs, endMs), oldest first. */
  between(startMs: number, endMs: number): Promise<EvalResultRecord[]>;
  /** The results of one run, oldest first. */
  run(runId: string): Promise<EvalResultRecord[]>;
  /** The most recent run's id, or undefined when nothing was ever stored. */
  lastRunId(): Promise<string | undefined>;
}

export const EVAL_COLUMNS = storedColumnNames(EVAL_RESULTS_TABLE);

export type EvalColumn = (typeof EVAL_COLUMNS)[number];

export function toEvalRow(record: EvalResultRecord): Record<EvalColumn, string | number | null> {
  return {
    id: record.id,
    run_id: record.runId,
    started_at: record.startedAt,
    suite_version: record.suiteVersion,
    task_id: record.taskId,
    task_kind: record.taskKind,
    target: record.target,
    verdict: record.verdict,
    evidence: record.evidence,
    detail: record.detail,
    request_id: record.requestId,
    answer_alias: record.answerAlias,
    answer_tier: record.answerTier,
    path: record.path.length > 0 ? record.path.join(">") : null,
    calls: record.calls,
    escalations: record.escalations,
    cost_usd: record.costUsd,
    input_tokens: record.inputTokens,
    output_tokens: record.outputTokens,
    latency_ms: record.latencyMs,
    judge_request_id: record.judgeRequestId,
    judge_score: record.judgeScore,
    judge_cost_usd: record.judgeCostUsd,
  };
}

/** A row as a driver returns it (PostgreSQL gives BIGINT as a string) back into a record. */
export function fromEvalRow(row: Record<string, unknown>): EvalResultRecord {
  const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
  const number = (value: unknown) => (value === null || value === undefined ? null : Number(value));
  const path = text(row.path);
  return {
    id: String(row.id),
    runId: String(row.run_id),
    startedAt: Number(row.started_at),
    suiteVersion: String(row.suite_version),
    taskId: String(row.task_id),
    taskKind: String(row.task_kind),
    target: String(row.target),
    verdict: String(row.verdict) as EvalVerdict,
    evidence: String(row.evidence) as EvalEvidence,
    detail: text(row.detail),
    requestId: text(row.request_id),
    answerAlias: text(row.answer_alias),
    answerTier: number(row.answer_tier),
    path: path ? path.split(">") : [],
    calls: Number(row.calls),
    escalations: Number(row.escalations),
    costUsd: Number(row.cost_usd),
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    latencyMs: Number(row.latency_ms),
    judgeRequestId: text(row.judge_request_id),
    judgeScore: number(row.judge_score),
    judgeCostUsd: Number(row.judge_cost_usd),
  };
}
