/**
 * The ledger on embedded SQLite (better-sqlite3). WAL mode, so readers never block the writer and
 * a killed process loses nothing that was committed. Rows are queued and written in one
 * transaction every few milliseconds (or sooner when many are waiting), so a burst of a thousand
 * requests costs a handful of commits, not a thousand, and no commit sits on a response's path.
 *
 * It is also the connection's group commit for the budget store, which shares the connection
 * (`SqliteWriteQueue`): a settle is deferred to the end of the current turn of the event loop and
 * committed there with every other write deferred in that turn — or inside a reservation's
 * transaction, when one is decided first. So a settle never runs on the response path and rarely
 * costs a commit of its own, yet is durable within the turn, not a batch interval later. Rows are
 * not taken into those transactions: committed one or two at a time they would rewrite the same
 * index pages over and over.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { LedgerBatch } from "./ledger-batch.js";
import { fromLedgerRow, fromTotalsRow, LEDGER_COLUMNS, toLedgerRow, totalsSql } from "./ledger-row.js";
import { LEDGER_SCHEMA, REQUESTS_TABLE } from "./ledger-schema.js";
import type {
  CallerSummary,
  LedgerStore,
  LedgerTotals,
  LedgerTotalsQuery,
  RequestRecord,
  ToolCallRecord,
} from "./ledger-store.js";
import { assertSqliteSchemaCurrent, migrateSqlite } from "./schema-migrations.js";
import { SqliteWalCheckpoints } from "./sqlite-wal-checkpoints.js";
import { insertionOrderColumn } from "./table-schema.js";
import { fromToolCallRow, TOOL_CALL_COLUMNS, toolCallValues } from "./tool-call-row.js";

/** Ties between rows of one millisecond go to the one inserted last (or first, oldest first). */
const INSERTION_ORDER = insertionOrderColumn(REQUESTS_TABLE, "sqlite");

/** Another store's writes, committed in the ledger's transactions (the budget store's settles). */
export interface SqliteWriteQueue {
  /** Runs `write` in a transaction at the end of this turn of the event loop; resolves once committed. */
  defer<T>(write: () => T): Promise<T>;
  /**
   * Runs `work` in one IMMEDIATE transaction, after every deferred write still queued (rows keep
   * waiting for their batch): one commit for all. If `work` throws, the queued writes still commit
   * and the error is rethrown.
   */
  transactWithQueued<T>(work: () => T): T;
  /** Commits every queued write and row now (before a read that must see them). */
  writeNow(): void;
}

export interface SqliteLedgerOptions {
  /** A batch that failed to commit; the caller logs it. Its rows are dropped, not retried forever. */
  onError?: (error: unknown, droppedRows: number) => void;
  /** The WAL checkpoint worker failed (SQLite's own checkpoint takes over); the caller logs it. */
  onCheckpointError?: (error: unknown) => void;
  /**
   * Open an existing file read-only (the report commands): never created, migrated or written.
   * A file from an older Switchyard is an `OutdatedDatabaseError`.
   */
  readOnly?: boolean;
}

/** A deferred write waiting in the queue, with what it yielded once its transaction ran. */
class DeferredWrite {
  result: unknown;

  constructor(
    readonly write: () => unknown,
    readonly resolve: (value: unknown) => void,
    readonly reject: (error: unknown) => void,
  ) {}
}

export class SqliteLedger implements LedgerStore, SqliteWriteQueue {
  readonly database: Database.Database;
  private readonly batch = new LedgerBatch((rows) => this.commitRows(rows));
  /** Deferred writes of this turn of the event loop, committed at its end. */
  private deferred: DeferredWrite[] = [];
  private readonly insert: Database.Statement;
  private readonly insertToolCall: Database.Statement;
  private readonly insertRows: Database.Transaction<(rows: readonly RequestRecord[]) => void>;
  private readonly runWrites: Database.Transaction<
    (writes: readonly DeferredWrite[], work: (() => unknown) | undefined) => unknown
  >;
  private readonly alone: Database.Transaction<(work: () => unknown) => unknown>;
  /** Copies the WAL into the database from a worker thread (a file opened for writing only). */
  readonly walCheckpoints: SqliteWalCheckpoints | undefined;

  constructor(
    path: string,
    private readonly options: SqliteLedgerOptions = {},
  ) {
    if (options.readOnly) {
      this.database = new Database(path, { readonly: true, fileMustExist: true });
      this.database.pragma("busy_timeout = 5000");
      try {
        assertSqliteSchemaCurrent(this.database, LEDGER_SCHEMA);
      } catch (error) {
        this.database.close();
        throw error;
      }
    } else {
      if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
      this.database = new Database(path);
      this.database.pragma("journal_mode = WAL");
      // NORMAL in WAL mode survives a process crash (kill -9); only power loss can drop the last commit.
      this.database.pragma("synchronous = NORMAL");
      this.database.pragma("busy_timeout = 5000");
      migrateSqlite(this.database, LEDGER_SCHEMA);
      if (path !== ":memory:")
        this.walCheckpoints = new SqliteWalCheckpoints({
          path,
          database: this.database,
          onError: options.onCheckpointError,
        });
    }
    this.insert = this.database.prepare(
      `INSERT OR REPLACE INTO requests (${LEDGER_COLUMNS.join(", ")}) VALUES (${LEDGER_COLUMNS.map(() => "?").join(", ")})`,
    );
    this.insertToolCall = this.database.prepare(
      `INSERT OR REPLACE INTO tool_calls (${TOOL_CALL_COLUMNS.join(", ")}) VALUES (${TOOL_CALL_COLUMNS.map(() => "?").join(", ")})`,
    );
    this.insertRows = this.database.transaction((rows: readonly RequestRecord[]) => {
      // A row replaced later in the same batch (a gate's verdict amends nearly every row moments
      // after it is recorded) is skipped: only the last version of an id is written.
      const lastIndex = new Map<string, number>();
      for (let index = 0; index < rows.length; index++) lastIndex.set(rows[index]!.id, index);
      for (let index = 0; index < rows.length; index++) {
        if (lastIndex.get(rows[index]!.id) === index) this.insert.run(toValues(rows[index]!));
      }
    });
    // No savepoint per write on the fast path: each would cost a statement journal. When anything
    // fails the whole transaction rolls back, and `runSeparately` sorts out what failed.
    this.runWrites = this.database.transaction(
      (writes: readonly DeferredWrite[], work: (() => unknown) | undefined) => {
        for (const write of writes) write.result = write.write();
        return work?.();
      },
    );
    this.alone = this.database.transaction((work: () => unknown) => work());
  }

  record(row: RequestRecord): void {
    this.batch.add(row);
  }

  recordToolCall(call: ToolCallRecord): void {
    // Tool calls are seconds apart at most: one deferred write each, committed with the turn's others.
    this.defer(() => this.insertToolCall.run(toolCallValues(call, "integer"))).catch((error: unknown) =>
      this.options.onError?.(error, 1),
    );
  }

  async toolCalls(requestId: string): Promise<ToolCallRecord[]> {
    this.commitDeferred();
    const rows = this.database
      .prepare("SELECT * FROM tool_calls WHERE request_id = ? ORDER BY started_at, rowid")
      .all(requestId) as Array<Record<string, unknown>>;
    return rows.map(fromToolCallRow);
  }

  defer<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.deferred.push(new DeferredWrite(write, resolve as (value: unknown) => void, reject));
      if (this.deferred.length === 1) setImmediate(() => this.commitDeferred());
    });
  }

  transactWithQueued<T>(work: () => T): T {
    const writes = this.takeDeferred();
    if (writes.length === 0) return this.alone.immediate(work) as T;
    let value: T;
    try {
      value = this.runWrites.immediate(writes, work) as T;
    } catch {
      // Rolled back whole: the queued writes commit on their own, then the work is tried alone,
      // so neither can take the other down (a failure of the work is thrown from its own try).
      this.runSeparately(writes);
      return this.alone.immediate(work) as T;
    }
    for (const write of writes) write.resolve(write.result);
    return value;
  }

  writeNow(): void {
    this.commitDeferred();
    this.batch.writeNow();
  }

  async flush(): Promise<void> {
    this.writeNow();
  }

  async recent(limit: number, beforeMs = Number.MAX_SAFE_INTEGER): Promise<RequestRecord[]> {
    this.batch.writeNow();
    const rows = this.database
      .prepare(
        `SELECT * FROM requests WHERE started_at < ? ORDER BY started_at DESC, ${INSERTION_ORDER} DESC LIMIT ?`,
      )
      .all(beforeMs, limit) as Array<Record<string, unknown>>;
    return rows.map(fromLedgerRow);
  }

  async totals(query: LedgerTotalsQuery): Promise<LedgerTotals[]> {
    this.batch.writeNow();
    // better-sqlite3 binds a JS number as REAL; a BigInt is bound as INTEGER, for integer division.
    const rows = this.database.prepare(totalsSql({ bucket: "@bucket", start: "@start", end: "@end" })).all({
      bucket: BigInt(Math.max(1, Math.round(query.bucketMs))),
      start: Math.floor(query.startMs),
      end: Math.ceil(query.endMs),
    }) as Array<Record<string, unknown>>;
    return rows.map(fromTotalsRow);
  }

  async attemptsOf(id: string): Promise<RequestRecord[]> {
    this.batch.writeNow();
    const rows = this.database
      .prepare(
        `WITH first AS (SELECT COALESCE(parent_id, id) AS id FROM requests WHERE id = ?)
         SELECT * FROM requests WHERE id = (SELECT id FROM first) OR parent_id = (SELECT id FROM first)
         ORDER BY COALESCE(attempt, 1), started_at, ${INSERTION_ORDER}`,
      )
      .all(id) as Array<Record<string, unknown>>;
    return rows.map(fromLedgerRow);
  }

  async between(startMs: number, endMs: number): Promise<RequestRecord[]> {
    this.batch.writeNow();
    const rows = this.database
      .prepare(
        `SELECT * FROM requests WHERE started_at >= ? AND started_at < ? ORDER BY started_at, ${INSERTION_ORDER}`,
      )
      .all(startMs, endMs) as Array<Record<string, unknown>>;
    return rows.map(fromLedgerRow);
  }

  async find(id: string): Promise<RequestRecord | undefined> {
    this.batch.writeNow();
    const row = this.database.prepare("SELECT * FROM requests WHERE id = ?").get(id);
    return row ? fromLedgerRow(row as Record<string, unknown>) : undefined;
  }

  async callerSummary(fragment: string, sinceMs: number): Promise<CallerSummary> {
    this.batch.writeNow();
    // instr() rather than LIKE: the fragment is matched as written, `%` and `_` included.
    const where = "WHERE started_at >= ? AND instr(caller, ?) > 0";
    const totals = this.database
      .prepare(
        `SELECT COUNT(*) AS requests, TOTAL(input_tokens) AS input_tokens,
                TOTAL(output_tokens) AS output_tokens, TOTAL(cost_usd) AS cost_usd
         FROM requests ${where}`,
      )
      .get(sinceMs, fragment) as Record<string, number>;
    const last = this.database
      .prepare(`SELECT * FROM requests ${where} ORDER BY started_at DESC, rowid DESC LIMIT 1`)
      .get(sinceMs, fragment) as Record<string, unknown> | undefined;
    return {
      requests: totals.requests ?? 0,
      inputTokens: totals.input_tokens ?? 0,
      outputTokens: totals.output_tokens ?? 0,
      costUsd: totals.cost_usd ?? 0,
      last: last ? fromLedgerRow(last) : null,
    };
  }

  async close(): Promise<void> {
    this.writeNow();
    await this.walCheckpoints?.close();
    this.database.close();
  }

  private takeDeferred(): DeferredWrite[] {
    const writes = this.deferred;
    if (writes.length > 0) this.deferred = [];
    return writes;
  }

  private commitDeferred(): void {
    const writes = this.takeDeferred();
    if (writes.length === 0) return;
    if (!this.database.open) {
      const closed = new Error("The ledger database is closed");
      for (const write of writes) write.reject(closed);
      return;
    }
    try {
      this.runWrites.immediate(writes, undefined);
    } catch {
      this.runSeparately(writes);
      return;
    }
    for (const write of writes) write.resolve(write.result);
  }

  /** The slow path after a failed transaction: each write in one of its own, failing alone. */
  private runSeparately(writes: readonly DeferredWrite[]): void {
    for (const write of writes) {
      try {
        write.result = this.alone.immediate(write.write);
      } catch (error) {
        write.reject(error);
        continue;
      }
      write.resolve(write.result);
    }
  }

  private commitRows(rows: RequestRecord[]): void {
    // Closed at shutdown: rows recorded after close() have nowhere to go, as before.
    if (!this.database.open) return;
    try {
      this.insertRows.immediate(rows);
    } catch (error) {
      if (!this.options.onError) throw error;
      this.options.onError(error, rows.length);
    }
  }
}

/** Positional values in LEDGER_COLUMNS order: binding by position is cheaper than by name. */
function toValues(record: RequestRecord): unknown[] {
  const row = toLedgerRow(record);
  // SQLite has no boolean type.
  return LEDGER_COLUMNS.map((column) => {
    const value = row[column];
    return typeof value === "boolean" ? (value ? 1 : 0) : value;
  });
}
