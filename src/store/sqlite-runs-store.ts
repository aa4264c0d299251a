/**
 * The runs store on SQLite, on the ledger's own connection (one connection per process, so no
 * write of ours ever waits on a lock held by another of ours). Each write commits at once, on its
 * own (a step's row with its run's totals in one): a step recorded here is durable before the run
 * moves on, which is what lets a run resumed after a crash skip the model calls it already paid
 * for. A write is a few tens of microseconds; the statements a step uses are prepared once.
 */
import type Database from "better-sqlite3";
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
import { assertSqliteSchemaCurrent, migrateSqlite } from "./schema-migrations.js";
import { cachingPrepares } from "./sqlite-statement-cache.js";

type Row = Record<string, unknown>;
type Values = Record<string, string | number | boolean | null>;

/** SQLite has no booleans: they are stored as 0 and 1. */
function sqliteValues(values: Values): Record<string, string | number | null> {
  const converted: Record<string, string | number | null> = {};
  for (const [key, value] of Object.entries(values))
    converted[key] = typeof value === "boolean" ? (value ? 1 : 0) : value;
  return converted;
}

const insertSql = (table: string, columns: readonly string[], verb = "INSERT") =>
  `${verb} INTO ${table} (${columns.join(", ")}) VALUES (${columns.map((column) => `@${column}`).join(", ")})`;

/**
 * An upsert, not INSERT OR REPLACE: a replaced row would get a new rowid, moving a rewritten step
 * to the end of its run. One statement, no read first. Values bind by position (STEP_COLUMNS).
 */
const UPSERT_STEP_SQL = `INSERT INTO run_steps (${STEP_COLUMNS.join(", ")}) VALUES (${STEP_COLUMNS.map(() => "?").join(", ")})
  ON CONFLICT (run_id, step_key) DO UPDATE SET ${STEP_COLUMNS.filter(
    (column) => column !== "run_id" && column !== "step_key",
  )
    .map((column) => `${column} = excluded.${column}`)
    .join(", ")}`;

export class SqliteRunsStore implements RunsStore {
  private readonly insertRun: Database.Statement;
  private readonly upsertStep: Database.Statement;
  private readonly insertArtefact: Database.Statement;
  private readonly selectStep: Database.Statement;
  private readonly selectStatus: Database.Statement;
  private readonly stepWithRun: Database.Transaction<(step: RunStepRecord, run: RunPatch) => void>;
  /** Statements whose SQL depends on the call (the columns a patch sets), prepared once each. */
  private readonly prepared: Pick<Database.Database, "prepare">;

  /** Migrates the runs tables on `database` (the ledger's connection), which stays the caller's. */
  /** `readOnly` (the report commands): the tables must be there already; nothing is created. */
  constructor(
    private readonly database: Database.Database,
    readOnly = false,
  ) {
    if (readOnly) assertSqliteSchemaCurrent(database, RUNS_SCHEMA);
    else migrateSqlite(database, RUNS_SCHEMA);
    this.prepared = cachingPrepares(database);
    this.insertRun = database.prepare(insertSql("runs", RUN_COLUMNS));
    this.upsertStep = database.prepare(UPSERT_STEP_SQL);
    this.insertArtefact = database.prepare(insertSql("run_artefacts", ARTEFACT_COLUMNS, "INSERT OR REPLACE"));
    this.selectStep = database.prepare("SELECT * FROM run_steps WHERE run_id = ? AND step_key = ?");
    this.selectStatus = database.prepare("SELECT status FROM runs WHERE id = ?").pluck();
    this.stepWithRun = database.transaction((step: RunStepRecord, run: RunPatch) => {
      this.upsertStep.run(stepValues(step));
      this.patchRun(step.runId, run);
    });
  }

  async createRun(run: RunRecord): Promise<void> {
    this.insertRun.run(sqliteValues(toRunRow(run)));
  }

  async updateRun(id: string, patch: RunPatch): Promise<void> {
    this.patchRun(id, patch);
  }

  async claimRun(id: string, owner: string | null, expected: string | null): Promise<boolean> {
    const result = this.database
      .prepare("UPDATE runs SET owner = ? WHERE id = ? AND owner IS ?")
      .run(owner, id, expected);
    return result.changes === 1;
  }

  async runStatus(id: string): Promise<RunStatus | undefined> {
    return this.selectStatus.get(id) as RunStatus | undefined;
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const row = this.statement("SELECT * FROM runs WHERE id = ?").get(id) as Row | undefined;
    return row && fromRunRow(row);
  }

  async listRuns(options: { limit?: number; status?: readonly RunStatus[] } = {}): Promise<RunRecord[]> {
    const statuses = options.status ?? [];
    const where = statuses.length > 0 ? `WHERE status IN (${statuses.map(() => "?").join(", ")})` : "";
    const rows = this.database
      .prepare(`SELECT * FROM runs ${where} ORDER BY created_at DESC, rowid DESC LIMIT ?`)
      .all(...statuses, options.limit ?? 100) as Row[];
    return rows.map(fromRunRow);
  }

  async putStep(step: RunStepRecord, run?: RunPatch): Promise<void> {
    if (run) this.stepWithRun.immediate(step, run);
    else this.upsertStep.run(stepValues(step));
  }

  async step(runId: string, key: string): Promise<RunStepRecord | undefined> {
    const row = this.selectStep.get(runId, key) as Row | undefined;
    return row && fromStepRow(row);
  }

  async steps(runId: string): Promise<RunStepRecord[]> {
    const rows = this.database
      .prepare("SELECT * FROM run_steps WHERE run_id = ? ORDER BY rowid")
      .all(runId) as Row[];
    return rows.map(fromStepRow);
  }

  async putArtefact(artefact: ArtefactRecord): Promise<void> {
    this.insertArtefact.run(sqliteValues(toArtefactRow(artefact)));
  }

  async artefact(id: string): Promise<ArtefactRecord | undefined> {
    const row = this.database.prepare("SELECT * FROM run_artefacts WHERE id = ?").get(id) as Row | undefined;
    return row && fromArtefactRow(row);
  }

  async artefacts(runId: string): Promise<ArtefactSummary[]> {
    const rows = this.database
      .prepare(
        `SELECT ${ARTEFACT_SUMMARY_COLUMNS.join(", ")} FROM run_artefacts WHERE run_id = ? ORDER BY created_at, rowid`,
      )
      .all(runId) as Row[];
    return rows.map(fromArtefactSummaryRow);
  }

  async pruneFinished(epochMs: number): Promise<string[]> {
    const statuses = [...FINISHED_RUN_STATUSES, "failed"];
    const prune = this.database.transaction(() => {
      const rows = this.database
        .prepare(
          `SELECT id FROM runs WHERE checkpoints_pruned = 0 AND updated_at < ? AND status IN (${statuses.map(() => "?").join(", ")})`,
        )
        .all(epochMs, ...statuses) as Array<{ id: string }>;
      const ids = rows.map((row) => row.id);
      const markRun = this.database.prepare("UPDATE runs SET checkpoints_pruned = 1 WHERE id = ?");
      const dropContent = this.database.prepare("UPDATE run_artefacts SET content = NULL WHERE run_id = ?");
      for (const id of ids) {
        markRun.run(id);
        dropContent.run(id);
      }
      return ids;
    });
    return prune.immediate();
  }

  /** The connection is the ledger's, closed with it. */
  async close(): Promise<void> {}

  private patchRun(id: string, patch: RunPatch): void {
    const columns = runPatchColumns(patch);
    if (columns.length === 0) return;
    const assignments = columns.map(([column]) => `${column} = ?`).join(", ");
    const values = columns.map(([, value]) => (typeof value === "boolean" ? Number(value) : value));
    this.statement(`UPDATE runs SET ${assignments} WHERE id = ?`).run(...values, id);
  }

  /** Every step writes and reads the run's rows: their statements are prepared once, not per call. */
  private statement(sql: string): Database.Statement {
    return this.prepared.prepare(sql);
  }
}

/** A step's values in STEP_COLUMNS order (a step has no booleans to convert). */
function stepValues(step: RunStepRecord): unknown[] {
  const row = toStepRow(step);
  return STEP_COLUMNS.map((column) => row[column]);
}
