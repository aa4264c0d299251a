/**
 * LangGraph's SQLite saver as Switchyard runs it, on the ledger's connection. Two things differ
 * from the saver as it comes:
 * - it sees the connection through a view whose `prepare` hands out one statement per SQL text,
 *   prepared once: the saver prepares its INSERTs anew for every checkpoint and every write, two or
 *   three a workflow step, some 20 µs each, and garbage besides. Everything else is the connection
 *   itself: the view inherits from it, and better-sqlite3's methods reach the native connection
 *   through a symbol property the view inherits too;
 * - each checkpoint first tells the ledger that the WAL is about to grow (it starts the WAL
 *   checkpoint worker, see sqlite-wal-checkpoints.ts), so the worker runs from a run's first step,
 *   not only from when a timer next looks at the WAL's size.
 */
import type { RunnableConfig } from "@langchain/core/runnables";
import type { Checkpoint, CheckpointMetadata } from "@langchain/langgraph-checkpoint";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import type Database from "better-sqlite3";

/** SQL texts kept at most: the saver's fixed statements; its listing SQL varies with the query. */
const MAX_CACHED = 32;

export class SqliteCheckpointSaver extends SqliteSaver {
  constructor(
    database: Database.Database,
    private readonly beforeCheckpoint: () => void = () => {},
  ) {
    super(cachingPrepares(database));
  }

  override async put(
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
  ): Promise<RunnableConfig> {
    this.beforeCheckpoint();
    return super.put(config, checkpoint, metadata);
  }
}

export function cachingPrepares(database: Database.Database): Database.Database {
  const statements = new Map<string, Database.Statement>();
  const prepare = database.prepare;
  const view: Database.Database = Object.create(database, {
    prepare: {
      value(sql: string): Database.Statement {
        const cached = statements.get(sql);
        if (cached) return cached;
        const statement = prepare.call(view, sql) as Database.Statement;
        if (statements.size < MAX_CACHED) statements.set(sql, statement);
        return statement;
      },
    },
  });
  return view;
}
