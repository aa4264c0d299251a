/**
 * One prepared statement per SQL text on a SQLite connection: a view of the connection whose
 * `prepare` hands back the statement it prepared before for the same text. LangGraph's saver
 * prepares its INSERTs anew for every checkpoint, and the runs store builds a patch's UPDATE from
 * the columns it sets; each is some 20 µs and garbage besides, on every workflow step. Everything
 * else is the connection itself: the view inherits from it, and better-sqlite3's methods reach
 * the native connection through a symbol property the view inherits too.
 */
import type Database from "better-sqlite3";

/** SQL texts kept at most: the fixed statements; SQL that varies without end is prepared anew. */
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
