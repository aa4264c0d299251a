/**
 * The ledger's row shape, shared by every database: the column list (from the table's one
 * definition, ledger-schema.ts) and the mapping between a RequestRecord and a row. Each store
 * only adapts what its driver cannot take as is (SQLite has no booleans; PostgreSQL returns
 * BIGINT as a string).
 */

import { parseJsonOrUndefined } from "../protocol/safe-json.js";
import { REQUESTS_TABLE } from "./ledger-schema.js";
import type { FallbackHop, LedgerTotals, RequestRecord } from "./ledger-store.js";
import { storedColumnNames } from "./table-schema.js";

/** The columns a row writes, in table order (the database keeps the insertion order itself). */
export const LEDGER_COLUMNS = storedColumnNames(REQUESTS_TABLE);

export type LedgerColumn = (typeof LEDGER_COLUMNS)[number];
export type LedgerRow = Record<LedgerColumn, string | number | boolean | null>;

export function toLedgerRow(record: RequestRecord): LedgerRow {
  return {
    id: record.id,
    started_at: record.startedAt,
    front_door: record.frontDoor,
    task: record.task,
    selector: record.selector,
    tier: record.tier,
    alias: record.alias,
    model: record.model,
    backend: record.backend,
    stream: record.stream,
    input_tokens: record.inputTokens,
    output_tokens: record.outputTokens,
    cost_usd: record.costUsd,
    ttft_ms: record.ttftMs,
    latency_ms: record.latencyMs,
    status: record.status,
    error_code: record.errorCode,
    error_message: record.errorMessage,
    fallback_hops: record.fallbackHops.length,
    fallback_detail: record.fallbackHops.length ? JSON.stringify(record.fallbackHops) : null,
    tokens_per_second: record.tokensPerSecond,
    caller: record.caller,
    catalog_cost_usd: record.catalogCostUsd,
    reported_cost_usd: record.reportedCostUsd,
    reserved_usd: record.reservedUsd,
    budget_action: record.budgetAction,
    load_ms: record.loadMs,
    parent_id: record.parentId,
    attempt: record.attempt,
    gate_verdict: record.gateVerdict,
    gate_detail: record.gateDetail,
    queue_ms: record.queueMs,
    cost_estimated: record.costEstimated,
    cache_read_tokens: record.cacheReadTokens,
    cache_write_tokens: record.cacheWriteTokens,
    cache_read_cost_usd: record.cacheReadCostUsd,
    cache_write_cost_usd: record.cacheWriteCostUsd,
  };
}

/** A row as a driver returns it (column name → value) back into a record. */
export function fromLedgerRow(row: Record<string, unknown>): RequestRecord {
  const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
  const number = (value: unknown) => (value === null || value === undefined ? null : Number(value));
  return {
    id: String(row.id),
    startedAt: Number(row.started_at),
    frontDoor: String(row.front_door),
    task: String(row.task),
    selector: String(row.selector),
    tier: Number(row.tier),
    alias: String(row.alias),
    model: String(row.model),
    backend: String(row.backend),
    stream: row.stream === true || row.stream === 1,
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    costUsd: Number(row.cost_usd),
    ttftMs: number(row.ttft_ms),
    latencyMs: Number(row.latency_ms),
    status: row.status as RequestRecord["status"],
    errorCode: text(row.error_code),
    errorMessage: text(row.error_message),
    fallbackHops: fallbackHops(row.fallback_detail),
    tokensPerSecond: number(row.tokens_per_second),
    caller: text(row.caller),
    catalogCostUsd: number(row.catalog_cost_usd),
    reportedCostUsd: number(row.reported_cost_usd),
    reservedUsd: number(row.reserved_usd),
    budgetAction: text(row.budget_action) as RequestRecord["budgetAction"],
    loadMs: number(row.load_ms),
    parentId: text(row.parent_id),
    attempt: number(row.attempt) ?? 1,
    gateVerdict: text(row.gate_verdict) as RequestRecord["gateVerdict"],
    gateDetail: text(row.gate_detail),
    queueMs: number(row.queue_ms),
    costEstimated: row.cost_estimated === true || row.cost_estimated === 1,
    cacheReadTokens: number(row.cache_read_tokens),
    cacheWriteTokens: number(row.cache_write_tokens),
    cacheReadCostUsd: number(row.cache_read_cost_usd),
    cacheWriteCostUsd: number(row.cache_write_cost_usd),
  };
}

/**
 * The hops of a fallback chain. A detail column that is not a JSON list (a hand-edited database)
 * reads as no hops rather than making every report over the ledger fail; the count of hops stays
 * in `fallback_hops`.
 */
function fallbackHops(detail: unknown): FallbackHop[] {
  if (detail === null || detail === undefined || detail === "") return [];
  const parsed = parseJsonOrUndefined(String(detail));
  return Array.isArray(parsed) ? (parsed as FallbackHop[]) : [];
}

/**
 * The totals query with a dialect's placeholders for the bucket width and the range. Integer
 * division of the start time gives the bucket on both databases.
 */
export function totalsSql(placeholder: { bucket: string; start: string; end: string }): string {
  const { bucket, start, end } = placeholder;
  return `SELECT (started_at / ${bucket}) * ${bucket} AS bucket_start, tier, alias, COUNT(*) AS requests,
      SUM(CASE WHEN status = 'error' THEN 1 ELSE 0 END) AS errors, SUM(input_tokens) AS input_tokens,
      SUM(output_tokens) AS output_tokens, SUM(cost_usd) AS cost_usd
    FROM requests WHERE started_at >= ${start} AND started_at < ${end}
    GROUP BY bucket_start, tier, alias`;
}

/** A totals row as a driver returns it (PostgreSQL's sums of BIGINT arrive as strings). */
export function fromTotalsRow(row: Record<string, unknown>): LedgerTotals {
  return {
    bucketStart: Number(row.bucket_start),
    tier: Number(row.tier),
    alias: String(row.alias),
    requests: Number(row.requests),
    errors: Number(row.errors),
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    costUsd: Number(row.cost_usd),
  };
}
