/**
 * The ledger on PostgreSQL, for Brains that share one database. Same columns and batching as the
 * SQLite ledger: rows are queued and written as one multi-row INSERT every few milliseconds (or
 * sooner when many are waiting) on a pooled connection, so the response path never waits for the
 * database. Writes are chained, so batches commit in order.
 */
import pg from "pg";
import { LedgerBatch } from "./ledger-batch.js";
import { fromLedgerRow, LEDGER_COLUMNS, toLedgerRow } from "./ledger-row.js";
import { LEDGER_SCHEMA, REQUESTS_TABLE } from "./ledger-schema.js";
import type { CallerSummary, LedgerStore, RequestRecord, ToolCallRecord } from "./ledger-store.js";
import { migratePostgres } from "./schema-migrations.js";
import { insertionOrderColumn } from "./table-schema.js";
import { fromToolCallRow, TOOL_CALL_COLUMNS, toolCallValues } from "./tool-call-row.js";

const COLUMNS = LEDGER_COLUMNS;
/** Ties between rows of one millisecond go to the one inserted last (or first, oldest first). */
const INSERTION_ORDER = insertionOrderColumn(REQUESTS_TABLE, "postgres");

/** 32 parameters a row; PostgreSQL allows 65,535 per statement. */
const ROWS_PER_INSERT = 1_000;

const UPSERT_TAIL = `ON CONFLICT (id) DO UPDATE SET ${COLUMNS.filter((column) => column !== "id")
  .map((column) => `${column} = excluded.${column}`)
  .join(", ")}`;

export interface PostgresLedgerOptions {
  /** A pool to share (e.g. with the budget store); or a connection string to make one. */
  pool?: pg.Pool;
  connectionString?: string;
  /** A batch that failed to commit; the caller logs it. Its rows are dropped, not retried forever. */
  onError?: (error: unknown, droppedRows: number) => void;
}

export class PostgresLedger implements LedgerStore {
  readonly pool: pg.Pool;
  private readonly ownsPool: boolean;
  private readonly batch = new LedgerBatch((rows) => this.writeBatch(rows));
  private writing: Promise<void> = Promise.resolve();
  private failure: unknown;

  /** Connects and applies pending migrations before the first write. */
  static async open(options: PostgresLedgerOptions): Promise<PostgresLedger> {
    const ledger = new PostgresLedger(options);
    try {
      await migratePostgres(ledger.pool, LEDGER_SCHEMA);
    } catch (error) {
      await ledger.close().catch(() => {});
      throw error;
    }
    return ledger;
  }

  private constructor(private readonly options: PostgresLedgerOptions) {
    if (!options.pool && !options.connectionString)
      throw new TypeError("PostgresLedger needs a pool or a URL");
    this.pool = options.pool ?? new pg.Pool({ connectionString: options.connectionString, max: 4 });
    this.ownsPool = !options.pool;
  }

  record(row: RequestRecord): void {
    this.batch.add(row);
  }

  async flush(): Promise<void> {
    this.batch.writeNow();
    await this.writing;
    if (this.failure !== undefined) {
      const failure = this.failure;
      this.failure = undefined;
      throw failure;
    }
  }

  async recent(limit: number): Promise<RequestRecord[]> {
    await this.flush();
    const result = await this.pool.query(
      `SELECT ${COLUMNS.join(", ")} FROM requests ORDER BY started_at DESC, ${INSERTION_ORDER} DESC LIMIT $1`,
      [limit],
    );
    return result.rows.map(fromLedgerRow);
  }

  /** Rows that started in [startMs, endMs), oldest first: what the cost reports read. */
  async between(startMs: number, endMs: number): Promise<RequestRecord[]> {
    await this.flush();
    const result = await this.pool.query(
      `SELECT ${COLUMNS.join(", ")} FROM requests WHERE started_at >= $1 AND started_at < $2
       ORDER BY started_at, ${INSERTION_ORDER}`,
      [startMs, endMs],
    );
    return result.rows.map(fromLedgerRow);
  }

  recordToolCall(call: ToolCallRecord): void {
    // Chained behind the request rows' batches, so an attempt's row lands before its calls'.
    this.writing = this.writing.then(() =>
      this.pool
        .query(
          `INSERT INTO tool_calls (${TOOL_CALL_COLUMNS.join(", ")}) VALUES (${TOOL_CALL_COLUMNS.map((_, index) => `$${index + 1}`).join(", ")})
           ON CONFLICT (id) DO NOTHING`,
          toolCallValues(call, "native"),
        )
        .then(
          () => undefined,
          (error: unknown) => {
            this.failure = error;
            this.options.onError?.(error, 1);
          },
        ),
    );
  }

  async toolCalls(requestId: string): Promise<ToolCallRecord[]> {
    await this.flush();
    const result = await this.pool.query(
      `SELECT ${TOOL_CALL_COLUMNS.join(", ")} FROM tool_calls WHERE request_id = $1 ORDER BY started_at`,
      [requestId],
    );
    return result.rows.map(fromToolCallRow);
  }

  async find(id: string): Promise<RequestRecord | undefined> {
    await this.flush();
    const result = await this.pool.query(`SELECT ${COLUMNS.join(", ")} FROM requests WHERE id = $1`, [id]);
    return result.rows[0] ? fromLedgerRow(result.rows[0]) : undefined;
  }

  async callerSummary(fragment: string, sinceMs: number): Promise<CallerSummary> {
    await this.flush();
    // strpos() rather than LIKE: the fragment is matched as written, `%` and `_` included.
    const where = "WHERE started_at >= $1 AND strpos(caller, $2) > 0";
    const [totals, last] = await Promise.all([
      this.pool.query(
        `SELECT COUNT(*) AS requests, COALESCE(SUM(input_tokens), 0) AS input_tokens,
                COALESCE(SUM(output_tokens), 0) AS output_tokens, COALESCE(SUM(cost_usd), 0) AS cost_usd
         FROM requests ${where}`,
        [sinceMs, fragment],
      ),
      this.pool.query(
        `SELECT ${COLUMNS.join(", ")} FROM requests ${where} ORDER BY started_at DESC, seq DESC LIMIT 1`,
        [sinceMs, fragment],
      ),
    ]);
    // COUNT and SUM of integers come back as BIGINT / NUMERIC, which pg hands over as strings.
    const row = totals.rows[0] ?? {};
    return {
      requests: Number(row.requests ?? 0),
      inputTokens: Number(row.input_tokens ?? 0),
      outputTokens: Number(row.output_tokens ?? 0),
      costUsd: Number(row.cost_usd ?? 0),
      last: last.rows[0] ? fromLedgerRow(last.rows[0]) : null,
    };
  }

  async close(): Promise<void> {
    await this.flush().catch(() => {});
    if (this.ownsPool) await this.pool.end();
  }

  /** Batches are chained, so they commit in order. */
  private writeBatch(rows: RequestRecord[]): void {
    this.writing = this.writing.then(() =>
      this.insertRows(rows).catch((error: unknown) => {
        this.failure = error;
        this.options.onError?.(error, rows.length);
      }),
    );
  }

  private async insertRows(records: RequestRecord[]): Promise<void> {
    // One statement may not update the same id twice, so the last write of an id wins here.
    const unique = [...new Map(records.map((record) => [record.id, record])).values()];
    for (let offset = 0; offset < unique.length; offset += ROWS_PER_INSERT) {
      const chunk = unique.slice(offset, offset + ROWS_PER_INSERT);
      const values: unknown[] = [];
      const tuples = chunk.map((record) => {
        const row = toLedgerRow(record);
        const placeholders = COLUMNS.map((column) => {
          values.push(row[column]);
          return `$${values.length}`;
        });
        return `(${placeholders.join(", ")})`;
      });
      await this.pool.query(
        `INSERT INTO requests (${COLUMNS.join(", ")}) VALUES ${tuples.join(", ")} ${UPSERT_TAIL}`,
        values,
      );
    }
  }
}
