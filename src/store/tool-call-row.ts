/** The `tool_calls` table's rows for both databases: a ToolCallRecord in column order and back. */
import { TOOL_CALLS_TABLE } from "./ledger-schema.js";
import type { ToolCallRecord } from "./ledger-store.js";
import { storedColumnNames } from "./table-schema.js";

export const TOOL_CALL_COLUMNS = storedColumnNames(TOOL_CALLS_TABLE);

/** Values in TOOL_CALL_COLUMNS order; `boolean` as the database takes it (SQLite: 0/1). */
export function toolCallValues(call: ToolCallRecord, booleans: "native" | "integer"): unknown[] {
  const isError = booleans === "integer" ? (call.isError ? 1 : 0) : call.isError;
  return [
    call.id,
    call.requestId,
    call.startedAt,
    call.server,
    call.tool,
    call.argumentsDigest,
    call.durationMs,
    call.resultBytes,
    isError,
    call.failure,
    call.errorMessage,
  ];
}

export function fromToolCallRow(row: Record<string, unknown>): ToolCallRecord {
  return {
    id: String(row.id),
    requestId: String(row.request_id),
    startedAt: Number(row.started_at),
    server: String(row.server),
    tool: String(row.tool),
    argumentsDigest: String(row.arguments_digest),
    durationMs: Number(row.duration_ms),
    resultBytes: Number(row.result_bytes),
    isError: row.is_error === true || row.is_error === 1,
    failure: row.failure === null || row.failure === undefined ? null : String(row.failure),
    errorMessage:
      row.error_message === null || row.error_message === undefined ? null : String(row.error_message),
  };
}
