/**
 * Opens the ledger, the budget store, the evaluation results and the workflow runs store together,
 * in one database: SQLite for a file path (sharing one connection), PostgreSQL for a `postgres://`
 * URL (sharing one pool); and, on first use, LangGraph's checkpointer on the same database. The
 * runtime calls this once; nothing else decides which database is in use. Each store brings its
 * tables up to date as it opens (schema-migrations.ts), so a database from an earlier release just
 * opens.
 */

import { join } from "node:path";
import type { BaseCheckpointSaver } from "@langchain/langgraph-checkpoint";
import type { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import Database from "better-sqlite3";
import type { SwitchyardConfig } from "../config/config-schema.js";
import { userDirs } from "../config/user-dirs.js";
import { BUDGET_SCHEMA } from "./budget-schema.js";
import type { BudgetStore } from "./budget-store.js";
import { EVAL_SCHEMA } from "./eval-schema.js";
import type { EvalStore } from "./eval-store.js";
import type { LedgerStore } from "./ledger-store.js";
import { RUNS_SCHEMA } from "./runs-schema.js";
import type { RunsStore } from "./runs-store.js";
import { sqliteSchemaVersion } from "./schema-migrations.js";
import { SqliteBudgetStore } from "./sqlite-budget-store.js";
import type { SqliteCheckpointSaver } from "./sqlite-checkpoint-saver.js";
import { SqliteEvalStore } from "./sqlite-eval-store.js";
import { SqliteLedger } from "./sqlite-ledger.js";
import { SqliteRunsStore } from "./sqlite-runs-store.js";
import type { SchemaModule } from "./table-schema.js";

export interface Stores {
  ledger: LedgerStore;
  budget: BudgetStore;
  /** `switchyard eval`'s results. */
  evals: EvalStore;
  /** Workflow runs, their steps and artefacts. */
  runs: RunsStore;
  kind: "sqlite" | "postgres";
  /**
   * LangGraph's checkpointer on the same database (its tables are made on first use): the
   * SQLite saver on the shared connection, or the PostgreSQL saver on the shared pool.
   */
  checkpointer(): Promise<Checkpointer>;
  close(): Promise<void>;
}

/** A LangGraph checkpoint saver that can also forget a thread (pruning finished runs). */
export type Checkpointer = BaseCheckpointSaver & { deleteThread(threadId: string): Promise<void> };

export interface OpenStoresOptions {
  /** Connections in the PostgreSQL pool; default 10. */
  poolSize?: number;
  /** A failed background write or a dropped idle connection; the caller logs it. */
  onError?: (error: unknown) => void;
  /**
   * Read only (the report commands): a SQLite file is opened read-only and must exist — never
   * created or migrated. PostgreSQL is opened as usual (its database exists already).
   */
  readOnly?: boolean;
}

export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

export async function openStores(
  databaseUrlOrPath: string,
  options: OpenStoresOptions = {},
): Promise<Stores> {
  if (!isPostgresUrl(databaseUrlOrPath)) {
    const readOnly = options.readOnly ?? false;
    const ledger = new SqliteLedger(databaseUrlOrPath, {
      onError: (error, droppedRows) =>
        options.onError?.(new Error(`Ledger write of ${droppedRows} rows failed`, { cause: error })),
      onCheckpointError: options.onError,
      readOnly,
    });
    // One connection, one group commit: the budget's settles and reservations go through the ledger.
    let budget: SqliteBudgetStore;
    let evals: SqliteEvalStore;
    let runs: SqliteRunsStore;
    try {
      // A ledger that never held a budget, an eval run or a workflow (written by the ledger alone)
      // has nothing spent, reserved, measured or run: read-only, an empty store in memory says so.
      const empty = (module: SchemaModule) => readOnly && sqliteSchemaVersion(ledger.database, module) === 0;
      budget = empty(BUDGET_SCHEMA)
        ? SqliteBudgetStore.open(":memory:")
        : new SqliteBudgetStore(ledger.database, { writeQueue: ledger, readOnly });
      evals = empty(EVAL_SCHEMA)
        ? new SqliteEvalStore(new Database(":memory:"))
        : new SqliteEvalStore(ledger.database, ledger, readOnly);
      runs = empty(RUNS_SCHEMA)
        ? new SqliteRunsStore(new Database(":memory:"))
        : new SqliteRunsStore(ledger.database, readOnly);
    } catch (error) {
      await ledger.close();
      throw error;
    }
    let saver: SqliteCheckpointSaver | undefined;
    return {
      ledger,
      budget,
      evals,
      runs,
      kind: "sqlite",
      async checkpointer() {
        // Its tables are made by its first read or write (setup() is its own business).
        // A checkpoint per workflow step fills the WAL fast: the worker copies it on from the first.
        // LangGraph's savers load on first use: commands that only read the ledger never pay for them.
        const { SqliteCheckpointSaver } = await import("./sqlite-checkpoint-saver.js");
        saver ??= new SqliteCheckpointSaver(ledger.database, () => ledger.walCheckpoints?.start());
        return saver;
      },
      async close() {
        await budget.close();
        await ledger.close();
      },
    };
  }
  // PostgreSQL's client and stores load only when the database is PostgreSQL.
  const [
    { default: pg },
    { PostgresLedger },
    { PostgresBudgetStore },
    { PostgresEvalStore },
    { PostgresRunsStore },
  ] = await Promise.all([
    import("pg"),
    import("./postgres-ledger.js"),
    import("./postgres-budget-store.js"),
    import("./postgres-eval-store.js"),
    import("./postgres-runs-store.js"),
  ]);
  const pool = new pg.Pool({ connectionString: databaseUrlOrPath, max: options.poolSize ?? 10 });
  // An idle connection the server drops emits "error" on the pool; unhandled, it would crash.
  pool.on("error", (error) => options.onError?.(error));
  try {
    const ledger = await PostgresLedger.open({
      pool,
      onError: (error, droppedRows) =>
        options.onError?.(new Error(`Ledger write of ${droppedRows} rows failed`, { cause: error })),
    });
    const budget = await PostgresBudgetStore.open(pool);
    const evals = await PostgresEvalStore.open(pool);
    const runs = await PostgresRunsStore.open(pool);
    let saver: Promise<PostgresSaver> | undefined;
    return {
      ledger,
      budget,
      evals,
      runs,
      kind: "postgres",
      checkpointer() {
        saver ??= (async () => {
          const { PostgresSaver } = await import("@langchain/langgraph-checkpoint-postgres");
          const postgresSaver = new PostgresSaver(pool);
          await postgresSaver.setup();
          return postgresSaver;
        })();
        return saver;
      },
      async close() {
        await budget.close();
        await ledger.close();
        await pool.end();
      },
    };
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
}

/** The ledger/budget database: `database.url`, else ledger.db in the user's data directory. */
export function databaseLocation(config: SwitchyardConfig, env: NodeJS.ProcessEnv = process.env): string {
  return config.database.url || join(userDirs(env).data, "ledger.db");
}
