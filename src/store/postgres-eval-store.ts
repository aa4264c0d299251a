/**
 * The evaluation results on PostgreSQL, on the pool the ledger and budget share. A run's results
 * are one multi-row upsert.
 */
import type pg from "pg";
import { EVAL_SCHEMA } from "./eval-schema.js";
import { EVAL_COLUMNS, type EvalResultRecord, type EvalStore, fromEvalRow, toEvalRow } from "./eval-store.js";
import { migratePostgres } from "./schema-migrations.js";

/** 23 parameters a row; PostgreSQL allows 65,535 per statement. */
const ROWS_PER_INSERT = 1_000;

const UPSERT_TAIL = `ON CONFLICT (id) DO UPDATE SET ${EVAL_COLUMNS.filter((column) => column !== "id")
  .map((column) => `${column} = excluded.${column}`)
  .join(", ")}`;

export class PostgresEvalStore implements EvalStore {
  /** Applies pending migrations; the pool stays the caller's. */
  static async open(pool: pg.Pool): Promise<PostgresEvalStore> {
    await migratePostgres(pool, EVAL_SCHEMA);
    return new PostgresEvalStore(pool);
  }

  private constructor(private readonly pool: pg.Pool) {}

  async record(results: readonly EvalResultRecord[]): Promise<void> {
    for (let start = 0; start < results.length; start += ROWS_PER_INSERT) {
      const slice = results.slice(start, start + ROWS_PER_INSERT);
      const values: Array<string | number | null> = [];
      const tuples = slice.map((result) => {
        const row = toEvalRow(result);
        const placeholders = EVAL_COLUMNS.map((column) => {
          values.push(row[column]);
          return `$${values.length}`;
        });
        return `(${placeholders.join(", ")})`;
      });
      await this.pool.query(
        `INSERT INTO eval_results (${EVAL_COLUMNS.join(", ")}) VALUES ${tuples.join(", ")} ${UPSERT_TAIL}`,
        values,
      );
    }
  }

  async between(startMs: number, endMs: number): Promise<EvalResultRecord[]> {
    const result = await this.pool.query(
      `SELECT ${EVAL_COLUMNS.join(", ")} FROM eval_results WHERE started_at >= $1 AND started_at < $2 ORDER BY started_at, id`,
      [startMs, endMs],
    );
    return result.rows.map(fromEvalRow);
  }

  async run(runId: string): Promise<EvalResultRecord[]> {
    const result = await this.pool.query(
      `SELECT ${EVAL_COLUMNS.join(", ")} FROM eval_results WHERE run_id = $1 ORDER BY started_at, id`,
      [runId],
    );
    return result.rows.map(fromEvalRow);
  }

  async lastRunId(): Promise<string | undefined> {
    const result = await this.pool.query<{ run_id: string }>(
      "SELECT run_id FROM eval_results ORDER BY started_at DESC, id DESC LIMIT 1",
    );
    return result.rows[0]?.run_id;
  }
}
