/**
 * The ledger on embedded SQLite (better-sqlite3). WAL mode, so readers never block the writer and
 * a killed process loses nothing that was committed. Rows are queued and written in one
 * transaction every few milliseconds (or sooner when many are waiting), so a burst of a thousand
 * requests costs a handful of commits, not a thousand, and no commit sits on a response's path.
 *
 * The queue is also the connection's group commit (`SqliteWriteQueue`): the budget store, which
 * shares the connection, defers its settles into it, so a paid request's settle and its ledger row
 * commit together, and its next reservation takes the queued writes into its own transaction. One
 * commit per paid request instead of three, and a settle never runs on the response path.
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
   * Runs `work` in one IMMEDIATE transaction, after every queued write: one commit for all. If
   * `work` throws, the queued writes still commit and the error is rethrown.
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
  error: unknown;
  failed = false;

  constructor(
    readonly write: () => unknown,
    readonly resolve: (value: unknown) => void,
    readonly reject: (error: unknown) => void,
  ) {}
}

type QueuedItem = RequestRecord | DeferredWrite;

export class SqliteLedger implements LedgerStore, SqliteWriteQueue {
  readonly database: Database.Database;
  private readonly batch = new LedgerBatch<QueuedItem>((items) => this.commitQueued(items));
  private readonly insert: Database.Statement;
  /** Nested inside a transaction, a better-sqlite3 transaction function is a SAVEPOINT. */
  private readonly savepoint: Database.Transaction<(write: () => unknown) => unknown>;
  private readonly commitItems: Database.Transaction<(items: QueuedItem[]) => void>;
  private readonly commitItemsThen: Database.Transaction<
    (items: QueuedItem[], work: () => unknown) => { ok: true; value: unknown } | { ok: false; error: unknown }
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
    this.savepoint = this.database.transaction((write: () => unknown) => write());
    this.commitItems = this.database.transaction((items: QueuedItem[]) => this.apply(items));
    this.commitItemsThen = this.database.transaction((items: QueuedItem[], work: () => unknown) => {
      this.apply(items);
      try {
        return { ok: true as const, value: this.savepoint(work) };
      } catch (error) {
        return { ok: false as const, error };
      }
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
    const items = this.batch.take();
    if (items.length === 0) return this.alone.immediate(work) as T;
    let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
    try {
      outcome = this.commitItemsThen.immediate(items, work);
    } catch (error) {
      // The commit itself failed (locked, disk full): the queued writes try again on their own.
      this.commitQueued(items);
      throw error;
    }
    this.finish(items);
    if (!outcome.ok) throw outcome.error;
    return outcome.value as T;
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

  /** Inside a transaction: rows are inserted, deferred writes run each in a savepoint of its own. */
  private apply(items: QueuedItem[]): void {
    for (const item of items) {
      if (!(item instanceof DeferredWrite)) {
        this.insert.run(toValues(item));
        continue;
      }
      try {
        item.result = this.savepoint(item.write);
      } catch (error) {
        // Only this write is rolled back; the rows and the other writes still commit.
        item.failed = true;
        item.error = error;
      }
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
    } catch (error) {
      let rows = 0;
      for (const item of items) {
        if (item instanceof DeferredWrite) item.reject(error);
        else rows++;
      }
      if (rows === 0) return;
      if (!this.options.onError) throw error;
      this.options.onError(error, rows);
      return;
    }
    this.finish(items);
  }

  /** After the commit: each deferred write learns what it yielded. */
  private finish(items: QueuedItem[]): void {
    for (const item of items) {
      if (!(item instanceof DeferredWrite)) continue;
      if (item.failed) item.reject(item.error);
      else item.resolve(item.result);
    }
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
