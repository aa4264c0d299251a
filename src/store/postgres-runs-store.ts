/**
 * The runs store on PostgreSQL, on the ledger's pool. Each write is one statement (a step with its
 * run's patch too: the step's upsert runs in a WITH clause), committed before it resolves, so a step recorded here is durable before the run moves on; the claim of a
 * run is one conditional UPDATE, so two Brains resuming one run cannot both win.
 */
import type pg from "pg";
import {
  ARTEFACT_COLUMNS,
  ARTEFACT_SUMMARY_COLUMNS,
  fromArtefactRow,
  fromArtefactSummaryRow,
  fromRunRow,
  fromStepRow,
  RUN_COLUMNS,
  runPatchColumns,
  STEP_COLUMNS,
  toArtefactRow,
  toRunRow,
  toStepRow,
} from "./runs-row.js";
import { RUNS_SCHEMA } from "./runs-schema.js";
import {
  type ArtefactRecord,
  type ArtefactSummary,
  FINISHED_RUN_STATUSES,
  type RunPatch,
  type RunRecord,
  type RunStatus,
  type RunStepRecord,
  type RunsStore,
} from "./runs-store.js";
import { migratePostgres } from "./schema-migrations.js";

type Row = Record<string, unknown>;

const placeholders = (count: number, from = 1) =>
  Array.from({ length: count }, (_, index) => `$${index + from}`).join(", ");

const STEP_UPDATES = STEP_COLUMNS.filter((column) => column !== "run_id" && column !== "step_key")
  .map((column) => `${column} = excluded.${column}`)
  .join(", ");

export class PostgresRunsStore implements RunsStore {
  /** Applies pending migrations; the pool stays the caller's (it is shared with the ledger). */
  static async open(pool: pg.Pool): Promise<PostgresRunsStore> {
    await migratePostgres(pool, RUNS_SCHEMA);
    return new PostgresRunsStore(pool);
  }

  private constructor(private readonly pool: pg.Pool) {}

  async createRun(run: RunRecord): Promise<void> {
    const row = toRunRow(run);
    await this.pool.query(
      `INSERT INTO runs (${RUN_COLUMNS.join(", ")}) VALUES (${placeholders(RUN_COLUMNS.length)})`,
      RUN_COLUMNS.map((column) => row[column]),
    );
  }

  async updateRun(id: string, patch: RunPatch): Promise<void> {
    const update = runUpdate(id, patch, 1);
    if (update) await this.pool.query(update.sql, update.values);
  }

  async claimRun(id: string, owner: string | null, expected: string | null): Promise<boolean> {
    const result = await this.pool.query(
      "UPDATE runs SET owner = $1 WHERE id = $2 AND owner IS NOT DISTINCT FROM $3",
      [owner, id, expected],
    );
    return result.rowCount === 1;
  }

  async runStatus(id: string): Promise<RunStatus | undefined> {
    const result = await this.pool.query<{ status: RunStatus }>("SELECT status FROM runs WHERE id = $1", [
      id,
    ]);
    return result.rows[0]?.status;
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const result = await this.pool.query<Row>("SELECT * FROM runs WHERE id = $1", [id]);
    return result.rows[0] && fromRunRow(result.rows[0]);
  }

  async listRuns(options: { limit?: number; status?: readonly RunStatus[] } = {}): Promise<RunRecord[]> {
    const statuses = options.status ?? [];
    const where = statuses.length > 0 ? "WHERE status = ANY($2)" : "";
    const result = await this.pool.query<Row>(
      `SELECT * FROM runs ${where} ORDER BY created_at DESC, id DESC LIMIT $1`,
      statuses.length > 0 ? [options.limit ?? 100, statuses] : [options.limit ?? 100],
    );
    return result.rows.map(fromRunRow);
  }

  async putStep(step: RunStepRecord, run?: RunPatch): Promise<void> {
    const row = toStepRow(step);
    const upsert = `INSERT INTO run_steps (${STEP_COLUMNS.join(", ")}) VALUES (${placeholders(STEP_COLUMNS.length)})
       ON CONFLICT (run_id, step_key) DO UPDATE SET ${STEP_UPDATES}`;
    const values = STEP_COLUMNS.map((column) => row[column]);
    const update = run && runUpdate(step.runId, run, values.length + 1);
    // A data-modifying WITH clause always runs to completion: one statement, one transaction.
    if (update)
      await this.pool.query(`WITH step AS (${upsert} RETURNING 1) ${update.sql}`, [
        ...values,
        ...update.values,
      ]);
    else await this.pool.query(upsert, values);
  }

  async step(runId: string, key: string): Promise<RunStepRecord | undefined> {
    const result = await this.pool.query<Row>("SELECT * FROM run_steps WHERE run_id = $1 AND step_key = $2", [
      runId,
      key,
    ]);
    return result.rows[0] && fromStepRow(result.rows[0]);
  }

  async steps(runId: string): Promise<RunStepRecord[]> {
    const result = await this.pool.query<Row>("SELECT * FROM run_steps WHERE run_id = $1 ORDER BY seq", [
      runId,
    ]);
    return result.rows.map(fromStepRow);
  }

  async putArtefact(artefact: ArtefactRecord): Promise<void> {
    const row = toArtefactRow(artefact);
    const updates = ARTEFACT_COLUMNS.filter((column) => column !== "id")
      .map((column) => `${column} = excluded.${column}`)
      .join(", ");
    await this.pool.query(
      `INSERT INTO run_artefacts (${ARTEFACT_COLUMNS.join(", ")}) VALUES (${placeholders(ARTEFACT_COLUMNS.length)})
       ON CONFLICT (id) DO UPDATE SET ${updates}`,
      ARTEFACT_COLUMNS.map((column) => row[column]),
    );
  }

  async artefact(id: string): Promise<ArtefactRecord | undefined> {
    const result = await this.pool.query<Row>("SELECT * FROM run_artefacts WHERE id = $1", [id]);
    return result.rows[0] && fromArtefactRow(result.rows[0]);
  }

  async artefacts(runId: string): Promise<ArtefactSummary[]> {
    const result = await this.pool.query<Row>(
      `SELECT ${ARTEFACT_SUMMARY_COLUMNS.join(", ")} FROM run_artefacts WHERE run_id = $1 ORDER BY created_at, id`,
      [runId],
    );
    return result.rows.map(fromArtefactSummaryRow);
  }

  async pruneFinished(epochMs: number): Promise<string[]> {
    const result = await this.pool.query<{ id: string }>(
      `WITH pruned AS (
         UPDATE runs SET checkpoints_pruned = TRUE
         WHERE NOT checkpoints_pruned AND updated_at < $1 AND status = ANY($2) RETURNING id),
       dropped AS (
         UPDATE run_artefacts SET content = NULL WHERE run_id IN (SELECT id FROM pruned) RETURNING 1)
       SELECT id FROM pruned`,
      [epochMs, [...FINISHED_RUN_STATUSES, "failed"]],
    );
    return result.rows.map((row) => row.id);
  }

  /** The pool is the ledger's, ended with it. */
  async close(): Promise<void> {}
}

/** `UPDATE runs` for a patch, its placeholders numbered from `from`; undefined when it sets nothing. */
function runUpdate(
  id: string,
  patch: RunPatch,
  from: number,
): { sql: string; values: unknown[] } | undefined {
  const columns = runPatchColumns(patch);
  if (columns.length === 0) return undefined;
  const assignments = columns.map(([column], index) => `${column} = $${index + from}`).join(", ");
  return {
    sql: `UPDATE runs SET ${assignments} WHERE id = $${columns.length + from}`,
    values: [...columns.map(([, value]) => value), id],
  };
}
