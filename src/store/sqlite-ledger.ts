/**
 * The ledger on embedded SQLite (better-sqlite3). WAL mode, so readers never block the writer and
 * a killed process loses nothing that was committed. Rows are queued and written in one
 * transaction every few milliseconds (or sooner when many are waiting), so a burst of a thousand
 * requests costs a handful of commits, not a thousand, and no commit sits on a response's path.
 *
 * The queue is also the connection's group commit (`SqliteWriteQueue`): the budget store, which
 * shares the connection, defers its settles into it, and they commit with the next batch of rows
 * or inside the next reservation's transaction, whichever comes first. A settle never runs on the
 * response path and never costs a commit of its own; rows stay batched either way (taking them
 * into every reservation would commit them one at a time, each rewriting the same index pages).
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { LedgerBatch } from "./ledger-batch.js";
import {
  fromLedgerRow,
  LEDGER_COLUMNS,
  LEDGER_COLUMNS_ADDED_IN_V2,
  LEDGER_COLUMNS_ADDED_IN_V3,
  toLedgerRow,
} from "./ledger-row.js";
import type { LedgerStore, RequestRecord } from "./ledger-store.js";

const MIGRATIONS: string[] = [
  `CREATE TABLE requests (
     id TEXT PRIMARY KEY,
     started_at INTEGER NOT NULL,
     front_door TEXT NOT NULL,
     task TEXT NOT NULL,
     selector TEXT NOT NULL,
     tier INTEGER NOT NULL,
     alias TEXT NOT NULL,
     model TEXT NOT NULL,
     backend TEXT NOT NULL,
     stream INTEGER NOT NULL,
     input_tokens INTEGER NOT NULL,
     output_tokens INTEGER NOT NULL,
     cost_usd REAL NOT NULL,
     ttft_ms REAL,
     latency_ms REAL NOT NULL,
     status TEXT NOT NULL,
     error_code TEXT,
     error_message TEXT,
     fallback_hops INTEGER NOT NULL,
     fallback_detail TEXT,
     tokens_per_second REAL,
     caller TEXT
   );
   CREATE INDEX requests_started_at ON requests (started_at);`,
  LEDGER_COLUMNS_ADDED_IN_V2.map(
    ([column, type]) => `ALTER TABLE requests ADD COLUMN ${column} ${type};`,
  ).join("\n"),
  `${LEDGER_COLUMNS_ADDED_IN_V3.map(([column, type]) => `ALTER TABLE requests ADD COLUMN ${column} ${type};`).join("\n")}
   CREATE INDEX requests_parent_id ON requests (parent_id);`,
];

/** Another store's writes, committed in the ledger's transactions (the budget store's settles). */
export interface SqliteWriteQueue {
  /** Runs `write` inside the next batch's transaction; resolves with its result once committed. */
  defer<T>(write: () => T): Promise<T>;
  /**
   * Runs `work` in one IMMEDIATE transaction, after every queued deferred write (rows keep waiting
   * for their batch): one commit for all. If `work` throws, the queued writes still commit and the
   * error is rethrown.
   */
  transactWithQueued<T>(work: () => T): T;
  /** Commits whatever is queued now (before a read that must see it). */
  writeNow(): void;
}

export interface SqliteLedgerOptions {
  /** A batch that failed to commit; the caller logs it. Its rows are dropped, not retried forever. */
  onError?: (error: unknown, droppedRows: number) => void;
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

type QueuedItem = RequestRecord | DeferredWrite;

function isDeferredWrite(item: QueuedItem): boolean {
  return item instanceof DeferredWrite;
}

export class SqliteLedger implements LedgerStore, SqliteWriteQueue {
  readonly database: Database.Database;
  private readonly batch = new LedgerBatch<QueuedItem>((items) => this.commitQueued(items));
  private readonly insert: Database.Statement;
  private readonly commitItems: Database.Transaction<(items: readonly QueuedItem[]) => void>;
  private readonly commitItemsThen: Database.Transaction<
    (items: readonly QueuedItem[], work: () => unknown) => unknown
  >;
  private readonly alone: Database.Transaction<(work: () => unknown) => unknown>;

  constructor(
    path: string,
    private readonly options: SqliteLedgerOptions = {},
  ) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.database = new Database(path);
    this.database.pragma("journal_mode = WAL");
    // NORMAL in WAL mode survives a process crash (kill -9); only power loss can drop the last commit.
    this.database.pragma("synchronous = NORMAL");
    this.database.pragma("busy_timeout = 5000");
    migrate(this.database);
    this.insert = this.database.prepare(
      `INSERT OR REPLACE INTO requests (${LEDGER_COLUMNS.join(", ")}) VALUES (${LEDGER_COLUMNS.map(() => "?").join(", ")})`,
    );
    // No savepoint per write on the fast path: each costs a statement journal. When anything in a
    // batch fails, the whole transaction rolls back and `commitSeparately` sorts out what failed.
    this.commitItems = this.database.transaction((items: readonly QueuedItem[]) => this.apply(items));
    this.commitItemsThen = this.database.transaction((items: readonly QueuedItem[], work: () => unknown) => {
      this.apply(items);
      return work();
    });
    this.alone = this.database.transaction((work: () => unknown) => work());
  }

  record(row: RequestRecord): void {
    this.batch.add(row);
  }

  defer<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.batch.add(new DeferredWrite(write, resolve as (value: unknown) => void, reject));
    });
  }

  transactWithQueued<T>(work: () => T): T {
    const writes = this.batch.extract(isDeferredWrite);
    if (writes.length === 0) return this.alone.immediate(work) as T;
    let value: T;
    try {
      value = this.commitItemsThen.immediate(writes, work) as T;
    } catch {
      // Rolled back whole: commit the queued writes on their own, then try the work alone, so
      // neither can take the other down (a failure of the work is thrown from its own try).
      this.commitSeparately(writes);
      return this.alone.immediate(work) as T;
    }
    this.finish(writes);
    return value;
  }

  writeNow(): void {
    this.batch.writeNow();
  }

  async flush(): Promise<void> {
    this.batch.writeNow();
  }

  async recent(limit: number): Promise<RequestRecord[]> {
    this.batch.writeNow();
    const rows = this.database
      .prepare("SELECT * FROM requests ORDER BY started_at DESC, rowid DESC LIMIT ?")
      .all(limit) as Array<Record<string, unknown>>;
    return rows.map(fromLedgerRow);
  }

  async between(startMs: number, endMs: number): Promise<RequestRecord[]> {
    this.batch.writeNow();
    const rows = this.database
      .prepare("SELECT * FROM requests WHERE started_at >= ? AND started_at < ? ORDER BY started_at, rowid")
      .all(startMs, endMs) as Array<Record<string, unknown>>;
    return rows.map(fromLedgerRow);
  }

  async close(): Promise<void> {
    this.batch.writeNow();
    this.database.close();
  }

  /** Inside a transaction: inserts the rows and runs the deferred writes, in queue order. */
  private apply(items: readonly QueuedItem[]): void {
    for (const item of items) {
      if (item instanceof DeferredWrite) item.result = item.write();
      else this.insert.run(toValues(item));
    }
  }

  private commitQueued(items: QueuedItem[]): void {
    if (!this.database.open) {
      // Closed at shutdown: rows recorded after close() have nowhere to go, as before.
      const closed = new Error("The ledger database is closed");
      for (const item of items) if (item instanceof DeferredWrite) item.reject(closed);
      return;
    }
    try {
      this.commitItems.immediate(items);
    } catch {
      this.commitSeparately(items);
      return;
    }
    this.finish(items);
  }

  /**
   * The slow path after a failed batch: the rows in one transaction, each deferred write in one of
   * its own, so a write that fails is rejected alone and everything else still commits.
   */
  private commitSeparately(items: readonly QueuedItem[]): void {
    const rows: RequestRecord[] = [];
    for (const item of items) {
      if (!(item instanceof DeferredWrite)) {
        rows.push(item);
        continue;
      }
      try {
        item.result = this.alone.immediate(item.write);
      } catch (error) {
        item.reject(error);
        continue;
      }
      item.resolve(item.result);
    }
    if (rows.length === 0) return;
    try {
      this.commitItems.immediate(rows);
    } catch (error) {
      if (!this.options.onError) throw error;
      this.options.onError(error, rows.length);
    }
  }

  /** After the commit: each deferred write learns what it yielded. */
  private finish(items: readonly QueuedItem[]): void {
    for (const item of items) if (item instanceof DeferredWrite) item.resolve(item.result);
  }
}

function migrate(database: Database.Database): void {
  const version = database.pragma("user_version", { simple: true }) as number;
  for (let index = version; index < MIGRATIONS.length; index++) {
    database.transaction(() => {
      database.exec(MIGRATIONS[index]!);
      database.pragma(`user_version = ${index + 1}`);
    })();
  }
}

/** Positional values in LEDGER_COLUMNS order: binding by position is cheaper than by name. */
function toValues(record: RequestRecord): unknown[] {
  const row = toLedgerRow(record);
  // SQLite has no boolean type.
  return LEDGER_COLUMNS.map((column) => (column === "stream" ? (row.stream ? 1 : 0) : row[column]));
}
