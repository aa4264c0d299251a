/**
 * The child process that runs SQLite queries for the db server (started by sqlite-engine.ts, one
 * per database, spoken to over the IPC channel). It exists because better-sqlite3 runs a query
 * synchronously to the end and cannot be interrupted: the only way to stop a runaway query is to
 * kill the process running it. The database is opened read-only with `query_only` on, and only a
 * single statement that reads and returns rows is run.
 */
import Database from "better-sqlite3";
import { type Cell, toCell } from "./db-engine.js";

export type RunnerRequest =
  | { id: number; kind: "query"; sql: string; params: Cell[]; maxRows: number }
  | { id: number; kind: "tables" };

export type RunnerReply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; message: string }
  /** Sent once at start, so a query's time limit does not count the runner's own start-up. */
  | { ready: true };

const path = process.argv[2] ?? "";
let database: Database.Database | undefined;

function open(): Database.Database {
  database ??= (() => {
    const opened = new Database(path, { readonly: true, fileMustExist: true });
    opened.pragma("query_only = ON");
    opened.defaultSafeIntegers(true);
    return opened;
  })();
  return database;
}

function query(sql: string, params: Cell[], maxRows: number) {
  let statement: Database.Statement;
  try {
    statement = open().prepare(sql);
  } catch (error) {
    const message = (error as Error).message;
    if (/more than one statement/.test(message))
      throw new Error("Only one statement per query: remove everything after the first ';'");
    throw error;
  }
  if (!statement.reader || !statement.readonly) {
    throw new Error(
      "Only statements that read and return rows are allowed (SELECT, WITH … SELECT, VALUES, read-only PRAGMA, EXPLAIN); the database is opened read-only",
    );
  }
  statement.raw(true);
  const columns = statement.columns().map((column) => column.name);
  const rows: Cell[][] = [];
  let truncated = false;
  for (const row of statement.iterate(...params) as IterableIterator<unknown[]>) {
    if (rows.length === maxRows) {
      truncated = true;
      break;
    }
    rows.push(row.map(toCell));
  }
  return { columns, rows, truncated };
}

function tables() {
  const found = open()
    .prepare(
      "SELECT name, type FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .all() as Array<{ name: string; type: string }>;
  return found.map(({ name, type }) => ({
    name,
    type,
    columns: (
      open().prepare("SELECT name, type FROM pragma_table_info(?)").all(name) as Array<{
        name: string;
        type: string;
      }>
    ).map((column) => ({ name: column.name, type: column.type })),
  }));
}

process.on("message", (request: RunnerRequest) => {
  let reply: RunnerReply;
  try {
    const result = request.kind === "query" ? query(request.sql, request.params, request.maxRows) : tables();
    reply = { id: request.id, ok: true, result };
  } catch (error) {
    reply = { id: request.id, ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  process.send?.(reply);
});

// The db server went away (closed, or killed): nothing is left to answer.
process.on("disconnect", () => process.exit(0));
const ready: RunnerReply = { ready: true };
process.send?.(ready);
