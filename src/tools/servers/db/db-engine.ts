/**
 * What the db server needs of a database engine: a read-only query with row and time limits, and
 * a list of its tables. SQLite (sqlite-engine.ts) and PostgreSQL (postgres-engine.ts) each enforce
 * read-only-ness in the engine itself — a read-only connection, a read-only transaction — so a
 * statement that would write is refused by the database, not by our reading of the SQL.
 */

/** A JSON-safe cell: numbers, strings, booleans and null (blobs and big integers become strings). */
export type Cell = string | number | boolean | null;

export interface QueryResult {
  columns: string[];
  rows: Cell[][];
  /** True when the statement had more rows than the limit; `rows` holds the first ones. */
  truncated: boolean;
}

export interface QueryRequest {
  sql: string;
  /** Positional parameters: `?` in SQLite, `$1`, `$2`… in PostgreSQL. */
  params: Cell[];
  maxRows: number;
  timeoutMs: number;
  signal: AbortSignal;
}

export interface TableDescription {
  name: string;
  /** "table" or "view". */
  type: string;
  columns: Array<{ name: string; type: string }>;
}

export interface DatabaseEngine {
  /** "sqlite" or "postgresql". */
  readonly kind: string;
  /** Runs one read-only statement; a refusal (a write, two statements, the time limit) is thrown as a tool refusal. */
  query(request: QueryRequest): Promise<QueryResult>;
  tables(request: { timeoutMs: number; signal: AbortSignal }): Promise<TableDescription[]>;
  close(): Promise<void>;
}

/** A value from a driver as a JSON-safe cell. */
export function toCell(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === "number" || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "bigint")
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
    const bytes = Buffer.from(value);
    return bytes.length <= 64 ? `x'${bytes.toString("hex")}'` : `<blob of ${bytes.length} bytes>`;
  }
  return JSON.stringify(value);
}
