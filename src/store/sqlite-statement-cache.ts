/**
 * A view of a better-sqlite3 connection whose `prepare` hands out one statement per SQL text,
 * prepared once, for a library that prepares its statements at every call: LangGraph's SQLite
 * saver prepares its INSERTs anew for every checkpoint and every write, two or three a workflow
 * step, some 20 µs each, and garbage besides. Everything else is the connection itself: the view
 * inherits from it, and better-sqlite3's methods reach the native connection through a symbol
 * property the view inherits too.
 */
import type Database from "better-sqlite3";

/** SQL texts kept at most: the saver's fixed statements; its listing SQL varies with the query. */
const MAX_CACHED = 32;

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
