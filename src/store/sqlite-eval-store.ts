/**
 * The evaluation results on embedded SQLite, on the ledger's connection. A run's results are
 * inserted in one transaction when it ends, so they go through the ledger's write queue: the
 * budget's deferred settles commit with them, and nothing waits on a second writer.
 */
import type Database from "better-sqlite3";
import { EVAL_SCHEMA } from "./eval-schema.js";
import { EVAL_COLUMNS, type EvalResultRecord, type EvalStore, fromEvalRow, toEvalRow } from "./eval-store.js";
import { assertSqliteSchemaCurrent, migrateSqlite } from "./schema-migrations.js";
import type { SqliteWriteQueue } from "./sqlite-ledger.js";

const ORDER = "ORDER BY started_at, rowid";

export class SqliteEvalStore implements EvalStore {
  private readonly insert: Database.Statement;

  constructor(
    private readonly database: Database.Database,
    private readonly writeQueue?: SqliteWriteQueue,
    /** The report commands: the table must be there already; nothing is created or written. */
    readOnly = false,
  ) {
    if (readOnly) assertSqliteSchemaCurrent(database, EVAL_SCHEMA);
    else migrateSqlite(database, EVAL_SCHEMA);
    this.insert = database.prepare(
      `INSERT OR REPLACE INTO eval_results (${EVAL_COLUMNS.join(", ")}) VALUES (${EVAL_COLUMNS.map((column) => `@${column}`).join(", ")})`,
    );
  }

  async record(results: readonly EvalResultRecord[]): Promise<void> {
    if (results.length === 0) return;
    const write = () => {
      for (const result of results) this.insert.run(toEvalRow(result));
    };
    if (this.writeQueue) this.writeQueue.transactWithQueued(write);
    else this.database.transaction(write).immediate();
  }

  async between(startMs: number, endMs: number): Promise<EvalResultRecord[]> {
    const rows = this.database
      .prepare(`SELECT * FROM eval_results WHERE started_at >= ? AND started_at < ? ${ORDER}`)
      .all(startMs, endMs) as Array<Record<string, unknown>>;
    return rows.map(fromEvalRow);
  }

  async run(runId: string): Promise<EvalResultRecord[]> {
    const rows = this.database
      .prepare(`SELECT * FROM eval_results WHERE run_id = ? ${ORDER}`)
      .all(runId) as Array<Record<string, unknown>>;
    return rows.map(fromEvalRow);
  }

  async lastRunId(): Promise<string | undefined> {
    const row = this.database
      .prepare("SELECT run_id FROM eval_results ORDER BY started_at DESC, rowid DESC LIMIT 1")
      .get() as { run_id: string } | undefined;
    return row?.run_id;
  }
}
