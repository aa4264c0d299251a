/**
 * The workflow runs' tables, described once for both databases (table-schema.ts renders them).
 * They live in the ledger's database, versioned apart from it as the "runs" module: `runs` (one
 * row per run: status, totals, where its work went), `run_steps` (one row per step, each model
 * step linked to its ledger rows by `request_id`) and `run_artefacts` (the large things a run
 * makes — drafts, code, diffs, reports — kept out of the checkpointed state and referred to by id).
 * LangGraph's own checkpoint tables sit beside them, owned by its saver.
 */
import type { SchemaModule, TableDefinition } from "./table-schema.js";

export const RUNS_TABLE = {
  name: "runs",
  primaryKey: ["id"],
  columns: [
    { name: "id", type: "text" },
    { name: "workflow", type: "text" },
    { name: "status", type: "text" },
    /** Why it is paused or failed, in one line a person can act on. */
    { name: "reason", type: "text", nullable: true },
    /** The human gate it waits at, as JSON (question, findings). */
    { name: "gate", type: "text", nullable: true },
    /** What it was started with, as JSON (story, repo, options). */
    { name: "input", type: "text" },
    { name: "repo", type: "text", nullable: true },
    { name: "branch", type: "text", nullable: true },
    { name: "worktree", type: "text", nullable: true },
    { name: "current_step", type: "text", nullable: true },
    /** The process running it (`host:pid`), while one does. */
    { name: "owner", type: "text", nullable: true },
    { name: "created_at", type: "bigint" },
    { name: "updated_at", type: "bigint" },
    { name: "finished_at", type: "bigint", nullable: true },
    { name: "cost_usd", type: "real" },
    { name: "input_tokens", type: "bigint" },
    { name: "output_tokens", type: "bigint" },
    { name: "escalations", type: "integer" },
    /** The tiers its model calls answered on, as a JSON list. */
    { name: "tiers", type: "text" },
    /** What it produced, as JSON (commit, diff stat, report artefact). */
    { name: "outcome", type: "text", nullable: true },
    { name: "checkpoints_pruned", type: "boolean" },
  ],
  indexes: [{ name: "runs_updated_at", columns: ["updated_at"] }],
} as const satisfies TableDefinition;

export const RUN_STEPS_TABLE = {
  name: "run_steps",
  primaryKey: ["run_id", "step_key"],
  columns: [
    { name: "run_id", type: "text" },
    /** Unique in its run and the same when a step re-runs: `story-drafting`, `explore:src/a`, `code-generation#2`. */
    { name: "step_key", type: "text" },
    { name: "node", type: "text" },
    { name: "kind", type: "text" },
    { name: "task", type: "text", nullable: true },
    { name: "status", type: "text" },
    { name: "alias", type: "text", nullable: true },
    { name: "model", type: "text", nullable: true },
    { name: "tier", type: "integer", nullable: true },
    { name: "input_tokens", type: "bigint" },
    { name: "output_tokens", type: "bigint" },
    { name: "cost_usd", type: "real" },
    { name: "escalations", type: "integer" },
    /** The model call's ledger id; its escalations and judge calls carry it as parent_id. */
    { name: "request_id", type: "text", nullable: true },
    { name: "artefact_id", type: "text", nullable: true },
    { name: "detail", type: "text", nullable: true },
    { name: "started_at", type: "bigint" },
    { name: "ended_at", type: "bigint", nullable: true },
    { name: "seq", type: "insertion-order" },
  ],
} as const satisfies TableDefinition;

export const RUN_ARTEFACTS_TABLE = {
  name: "run_artefacts",
  primaryKey: ["id"],
  columns: [
    { name: "id", type: "text" },
    { name: "run_id", type: "text" },
    { name: "step_key", type: "text" },
    { name: "kind", type: "text" },
    { name: "name", type: "text" },
    /** Where it was written in the run's worktree, for code and tests. */
    { name: "path", type: "text", nullable: true },
    { name: "bytes", type: "bigint" },
    /** The text itself; null once pruned. */
    { name: "content", type: "text", nullable: true },
    { name: "created_at", type: "bigint" },
  ],
  indexes: [{ name: "run_artefacts_run_id", columns: ["run_id"] }],
} as const satisfies TableDefinition;

export const RUNS_SCHEMA: SchemaModule = {
  name: "runs",
  tables: [RUNS_TABLE, RUN_STEPS_TABLE, RUN_ARTEFACTS_TABLE],
};
