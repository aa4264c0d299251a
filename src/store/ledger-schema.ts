/**
 * The ledger's one table, `requests`, described once for both databases (table-schema.ts renders
 * it), with the version each column arrived in: 1 the first release's columns, 2 the budget's
 * (catalog and reported cost, reservation, budget action, load time), 3 escalation (parent
 * attempt, gate verdicts) and Engine queueing, 4 answers cut short (an estimated cost until the
 * provider confirms it) and prompt caching, 5 the tool_calls table (the agent loop's audit). New
 * columns go at the end with the next version.
 */
import type { SchemaModule, TableDefinition } from "./table-schema.js";

export const REQUESTS_TABLE = {
  name: "requests",
  primaryKey: ["id"],
  columns: [
    { name: "id", type: "text" },
    /** Epoch milliseconds. */
    { name: "started_at", type: "bigint" },
    { name: "front_door", type: "text" },
    { name: "task", type: "text" },
    { name: "selector", type: "text" },
    { name: "tier", type: "integer" },
    { name: "alias", type: "text" },
    { name: "model", type: "text" },
    { name: "backend", type: "text" },
    { name: "stream", type: "boolean" },
    { name: "input_tokens", type: "integer" },
    { name: "output_tokens", type: "integer" },
    { name: "cost_usd", type: "real" },
    { name: "ttft_ms", type: "real", nullable: true },
    { name: "latency_ms", type: "real" },
    { name: "status", type: "text" },
    { name: "error_code", type: "text", nullable: true },
    { name: "error_message", type: "text", nullable: true },
    { name: "fallback_hops", type: "integer" },
    /** The hops as JSON text. */
    { name: "fallback_detail", type: "text", nullable: true },
    { name: "tokens_per_second", type: "real", nullable: true },
    { name: "caller", type: "text", nullable: true },
    /** Breaks ties between rows of one millisecond: `seq` on PostgreSQL, `rowid` on SQLite. */
    { name: "seq", type: "insertion-order" },
    { name: "catalog_cost_usd", type: "real", nullable: true, addedIn: 2 },
    { name: "reported_cost_usd", type: "real", nullable: true, addedIn: 2 },
    { name: "reserved_usd", type: "real", nullable: true, addedIn: 2 },
    { name: "budget_action", type: "text", nullable: true, addedIn: 2 },
    { name: "load_ms", type: "real", nullable: true, addedIn: 2 },
    { name: "parent_id", type: "text", nullable: true, addedIn: 3 },
    { name: "attempt", type: "integer", nullable: true, addedIn: 3 },
    { name: "gate_verdict", type: "text", nullable: true, addedIn: 3 },
    { name: "gate_detail", type: "text", nullable: true, addedIn: 3 },
    { name: "queue_ms", type: "real", nullable: true, addedIn: 3 },
    /** True while the cost is estimated from what was streamed (an answer cut short). */
    { name: "cost_estimated", type: "boolean", nullable: true, addedIn: 4 },
    { name: "cache_read_tokens", type: "integer", nullable: true, addedIn: 4 },
    { name: "cache_write_tokens", type: "integer", nullable: true, addedIn: 4 },
    { name: "cache_read_cost_usd", type: "real", nullable: true, addedIn: 4 },
    { name: "cache_write_cost_usd", type: "real", nullable: true, addedIn: 4 },
  ],
  indexes: [
    { name: "requests_started_at", columns: ["started_at"] },
    { name: "requests_parent_id", columns: ["parent_id"], addedIn: 3 },
  ],
} as const satisfies TableDefinition;

/**
 * One row per MCP tool call a request's agent loop made: which tool, how long it took, how much it
 * answered, how it failed — and of the arguments only a digest (never what a model sent).
 */
export const TOOL_CALLS_TABLE = {
  name: "tool_calls",
  primaryKey: ["id"],
  createdIn: 5,
  columns: [
    { name: "id", type: "text" },
    /** The ledger id of the attempt whose answer asked for the call. */
    { name: "request_id", type: "text" },
    /** Epoch milliseconds. */
    { name: "started_at", type: "bigint" },
    { name: "server", type: "text" },
    { name: "tool", type: "text" },
    /** sha256 of the arguments' canonical JSON. */
    { name: "arguments_digest", type: "text" },
    { name: "duration_ms", type: "real" },
    { name: "result_bytes", type: "integer" },
    { name: "is_error", type: "boolean" },
    { name: "failure", type: "text", nullable: true },
    { name: "error_message", type: "text", nullable: true },
  ],
  indexes: [{ name: "tool_calls_request_id", columns: ["request_id"] }],
} as const satisfies TableDefinition;

export const LEDGER_SCHEMA: SchemaModule = {
  name: "ledger",
  tables: [REQUESTS_TABLE, TOOL_CALLS_TABLE],
  // Up to release 0.1.0 the SQLite ledger counted its versions in PRAGMA user_version.
  adoptsSqliteUserVersion: true,
};
