/**
 * The ledger on embedded SQLite (better-sqlite3). WAL mode, so readers never block the writer and
 * a killed process loses nothing that was committed. Rows are queued and written in one
 * transaction every few milliseconds (or sooner when many are waiting), so a burst of a thousand
 * requests costs a handful of commits, not a thousand, and no commit sits on a response's path.
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

export class SqliteLedger implements LedgerStore {
  readonly database: Database.Database;
  private readonly batch = new LedgerBatch((rows) => {
    if (this.database.open) this.insertBatch(rows);
  });
  private readonly insert: Database.Statement;
  private readonly insertBatch: (rows: RequestRecord[]) => void;

  constructor(path: string) {
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
    this.insertBatch = this.database.transaction((rows: RequestRecord[]) => {
      for (const row of rows) this.insert.run(toValues(row));
    });
  }

  record(row: RequestRecord): void {
    this.batch.add(row);
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
