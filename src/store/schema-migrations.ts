/**
 * The one migration scheme, on both databases: each schema module ("ledger", "budget") records the
 * version its tables are at in `switchyard_migrations (module, version)`, and opening a store
 * applies the module's pending versions (rendered from its table definitions) and records the new
 * one, all in one transaction. Several processes may open one database at the same moment, so
 * that transaction holds the write lock from its start: IMMEDIATE on SQLite, an advisory lock on
 * PostgreSQL. One applies; the others wait, then find nothing left to do.
 *
 * A database written by a newer release (a recorded version past the last one known here) is left
 * as it is: every version so far only adds nullable columns, tables and indexes, which this
 * release's reads and writes ignore. A read-only connection (the report commands) migrates
 * nothing: it checks each module is current and says how to upgrade an older file.
 */
import type Database from "better-sqlite3";
import type { Pool } from "pg";
import { renderMigrations, type SchemaModule } from "./table-schema.js";

/** First key of the two-key advisory locks Switchyard takes (an arbitrary constant: "SWYD"). */
export const SWITCHYARD_LOCK_CLASS = 0x53_57_59_44;

const CREATE_MIGRATIONS_TABLE =
  "CREATE TABLE IF NOT EXISTS switchyard_migrations (module TEXT PRIMARY KEY, version INTEGER NOT NULL)";

/** The statement that records a module's version, with the dialect's two placeholders. */
const recordVersion = (module: string, version: string) =>
  `INSERT INTO switchyard_migrations (module, version) VALUES (${module}, ${version})
   ON CONFLICT (module) DO UPDATE SET version = excluded.version`;

export function migrateSqlite(database: Database.Database, module: SchemaModule): void {
  const migrations = renderMigrations(module, "sqlite");
  const migrate = database.transaction(() => {
    database.exec(CREATE_MIGRATIONS_TABLE);
    const recorded = database
      .prepare("SELECT version FROM switchyard_migrations WHERE module = ?")
      .get(module.name) as { version: number } | undefined;
    // No row yet, but a ledger file from release 0.1.0 or before: its user_version is the version.
    const version =
      recorded?.version ??
      (module.adoptsSqliteUserVersion ? (database.pragma("user_version", { simple: true }) as number) : 0);
    for (let index = version; index < migrations.length; index++) database.exec(migrations[index]!);
    if (!recorded || version < migrations.length)
      database.prepare(recordVersion("?", "?")).run(module.name, Math.max(version, migrations.length));
  });
  migrate.immediate();
}

/** The version a module's tables are at in this SQLite database, 0 when it has none (reads only). */
export function sqliteSchemaVersion(database: Database.Database, module: SchemaModule): number {
  let recorded: number | undefined;
  try {
    const row = database
      .prepare("SELECT version FROM switchyard_migrations WHERE module = ?")
      .get(module.name) as { version: number } | undefined;
    recorded = row?.version;
  } catch {
    // no switchyard_migrations table: nothing was recorded here
  }
  if (recorded !== undefined) return recorded;
  return module.adoptsSqliteUserVersion ? (database.pragma("user_version", { simple: true }) as number) : 0;
}

/** For a read-only connection, which cannot migrate: the module must be at the current version. */
export function assertSqliteSchemaCurrent(database: Database.Database, module: SchemaModule): void {
  if (sqliteSchemaVersion(database, module) < renderMigrations(module, "sqlite").length) {
    throw new OutdatedDatabaseError(database.name);
  }
}

/** A database file from an older Switchyard, opened read-only, so it cannot be upgraded here. */
export class OutdatedDatabaseError extends Error {
  constructor(path: string) {
    super(
      `the ledger at ${path} was written by an older Switchyard; start switchyard serve once (it upgrades the file), then run this again`,
    );
    this.name = "OutdatedDatabaseError";
  }
}

export async function migratePostgres(pool: Pool, module: SchemaModule): Promise<void> {
  const migrations = renderMigrations(module, "postgres");
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    // One lock for all modules: they share the switchyard_migrations table they may have to create.
    await client.query("SELECT pg_advisory_xact_lock($1, 0)", [SWITCHYARD_LOCK_CLASS]);
    await client.query(CREATE_MIGRATIONS_TABLE);
    const result = await client.query<{ version: number }>(
      "SELECT version FROM switchyard_migrations WHERE module = $1",
      [module.name],
    );
    const version = result.rows[0]?.version ?? 0;
    for (let index = version; index < migrations.length; index++) await client.query(migrations[index]!);
    if (version < migrations.length)
      await client.query(recordVersion("$1", "$2"), [module.name, migrations.length]);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
