/**
 * LangGraph's SQLite saver as Switchyard runs it, on the ledger's connection. Two things differ
 * from the saver as it comes:
 * - it sees the connection through a view whose `prepare` hands out one statement per SQL text,
 *   prepared once (sqlite-statement-cache.ts): the saver prepares its INSERTs anew for every
 *   checkpoint and every write, two or three a workflow step;
 * - each checkpoint first tells the ledger that the WAL is about to grow (it starts the WAL
 *   checkpoint worker, see sqlite-wal-checkpoints.ts), so the worker runs from a run's first step,
 *   not only from when a timer next looks at the WAL's size.
 */
import type { RunnableConfig } from "@langchain/core/runnables";
import type { Checkpoint, CheckpointMetadata } from "@langchain/langgraph-checkpoint";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import type Database from "better-sqlite3";
import { cachingPrepares } from "./sqlite-statement-cache.js";

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
