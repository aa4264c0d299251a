/**
 * The evaluation results table, `eval_results`, described once for both databases (table-schema.ts
 * renders it). It lives in the ledger's database, versioned apart from it as the "eval" module:
 * one row per task run through one target (an alias measured alone, or the ladder), with the
 * checker's verdict, and the ledger id of the request that answered it so the attempts, gates and
 * costs behind a verdict can be looked up. `switchyard calibrate` reads it as judged evidence.
 */
import type { SchemaModule, TableDefinition } from "./table-schema.js";

export const EVAL_RESULTS_TABLE = {
  name: "eval_results",
  primaryKey: ["id"],
  columns: [
    { name: "id", type: "text" },
    /** One `switchyard eval` run: every result of the run shares it. */
    { name: "run_id", type: "text" },
    /** Epoch milliseconds when the task was sent. */
    { name: "started_at", type: "bigint" },
    { name: "suite_version", type: "text" },
    { name: "task_id", type: "text" },
    { name: "task_kind", type: "text" },
    /** An alias measured alone, or "ladder". */
    { name: "target", type: "text" },
    /** "pass", "fail", or "error" (no answer, or no verdict could be had: not evidence). */
    { name: "verdict", type: "text" },
    /** What decided: "executable", "deterministic", "judge" or "deterministic+judge". */
    { name: "evidence", type: "text" },
    /** The checker's findings or the error, as text. */
    { name: "detail", type: "text", nullable: true },
    /** The ledger id of the request (its first attempt); null when it never reached the spine. */
    { name: "request_id", type: "text", nullable: true },
    { name: "answer_alias", type: "text", nullable: true },
    { name: "answer_tier", type: "integer", nullable: true },
    /** The aliases that answered each attempt, joined by ">". */
    { name: "path", type: "text", nullable: true },
    { name: "calls", type: "integer" },
    { name: "escalations", type: "integer" },
    /** What the answer cost: every attempt and the gates' judge calls (not the eval's own judge). */
    { name: "cost_usd", type: "real" },
    { name: "input_tokens", type: "integer" },
    { name: "output_tokens", type: "integer" },
    { name: "latency_ms", type: "real" },
    { name: "judge_request_id", type: "text", nullable: true },
    { name: "judge_score", type: "real", nullable: true },
    /** What the eval's own judge cost: measurement, not part of the answer's cost. */
    { name: "judge_cost_usd", type: "real" },
  ],
  indexes: [
    { name: "eval_results_started_at", columns: ["started_at"] },
    { name: "eval_results_run_id", columns: ["run_id"] },
  ],
} as const satisfies TableDefinition;

export const EVAL_SCHEMA: SchemaModule = {
  name: "eval",
  tables: [EVAL_RESULTS_TABLE],
};
