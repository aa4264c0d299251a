/**
 * The runs store on SQLite, on the ledger's own connection (one connection per process, so no
 * write of ours ever waits on a lock held by another of ours). Each write commits at once, on its
 * own: a step recorded here is durable before the run moves on, which is what lets a run resumed
 * after a crash skip the model calls it already paid for. A write is a few tens of microseconds.
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

export class SqliteRunsStore implements RunsStore {
  private readonly insertRun: Database.Statement;
  private readonly upsertStep: Database.Statement;
  private readonly insertArtefact: Database.Statement;
  private readonly selectStep: Database.Statement;
  /** Statements whose SQL depends on the call (the columns a patch sets), prepared once each. */
  private readonly prepared = new Map<string, Database.Statement>();

  /** Migrates the runs tables on `database` (the ledger's connection), which stays the caller's. */
  /** `readOnly` (the report commands): the tables must be there already; nothing is created. */
  constructor(
    private readonly database: Database.Database,
    readOnly = false,
  ) {
    if (readOnly) assertSqliteSchemaCurrent(database, RUNS_SCHEMA);
    else migrateSqlite(database, RUNS_SCHEMA);
    this.insertRun = database.prepare(insertSql("runs", RUN_COLUMNS));
    this.upsertStep = database.prepare(insertSql("run_steps", STEP_COLUMNS, "INSERT OR REPLACE"));
    this.insertArtefact = database.prepare(insertSql("run_artefacts", ARTEFACT_COLUMNS, "INSERT OR REPLACE"));
    this.selectStep = database.prepare("SELECT * FROM run_steps WHERE run_id = ? AND step_key = ?");
  }

  async createRun(run: RunRecord): Promise<void> {
    this.insertRun.run(sqliteValues(toRunRow(run)));
  }

  async updateRun(id: string, patch: RunPatch): Promise<void> {
    const columns = runPatchColumns(patch);
    if (columns.length === 0) return;
    const assignments = columns.map(([column]) => `${column} = ?`).join(", ");
    const values = columns.map(([, value]) => (typeof value === "boolean" ? Number(value) : value));
    this.statement(`UPDATE runs SET ${assignments} WHERE id = ?`).run(...values, id);
  }

  async claimRun(id: string, owner: string | null, expected: string | null): Promise<boolean> {
    const result = this.database
      .prepare("UPDATE runs SET owner = ? WHERE id = ? AND owner IS ?")
      .run(owner, id, expected);
    return result.changes === 1;
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

  async putStep(step: RunStepRecord): Promise<void> {
    // INSERT OR REPLACE would give a replaced step a new rowid, moving it to the end of the run.
    const existing = this.selectStep.get(step.runId, step.key) as Row | undefined;
    if (!existing) {
      this.upsertStep.run(sqliteValues(toStepRow(step)));
      return;
    }
    const values = sqliteValues(toStepRow(step));
    const columns = STEP_COLUMNS.filter((column) => column !== "run_id" && column !== "step_key");
    this.statement(
      `UPDATE run_steps SET ${columns.map((column) => `${column} = @${column}`).join(", ")} WHERE run_id = @run_id AND step_key = @step_key`,
    ).run(values);
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

  /** Every step writes and reads the run's rows: their statements are prepared once, not per call. */
  private statement(sql: string): Database.Statement {
    let statement = this.prepared.get(sql);
    if (!statement) {
      statement = this.database.prepare(sql);
      this.prepared.set(sql, statement);
    }
    return statement;
  }
}
