/**
 * The budget's tables, for SQLite and PostgreSQL, and the SQLite migration runner. Versions are
 * tracked per module in `switchyard_migrations`, apart from the ledger's own `user_version`, so
 * the budget can live in the ledger's database file without touching the ledger's migrations.
 */
import type Database from "better-sqlite3";

export const BUDGET_MODULE = "budget";

/**
 * Only open reservations live in budget_reservations (a handful: the requests in flight), so it
 * needs no index beyond its key; settling moves the amount into budget_spend, one row per period
 * and alias. Fewer indexes mean fewer pages written per request: on SQLite that is fewer WAL
 * checkpoints landing on a request (`rowid` = WITHOUT ROWID there, nothing on PostgreSQL).
 */
const TABLES = (types: { integer: string; real: string; rowid: string }) => `
  CREATE TABLE budget_reservations (
    id TEXT PRIMARY KEY,
    period_key TEXT NOT NULL,
    alias TEXT NOT NULL,
    amount_micro_usd ${types.integer} NOT NULL,
    instance_id TEXT NOT NULL,
    started_at ${types.integer} NOT NULL,
    expires_at ${types.integer} NOT NULL
  )${types.rowid};
  CREATE TABLE budget_spend (
    period_key TEXT NOT NULL,
    alias TEXT NOT NULL,
    settled_micro_usd ${types.integer} NOT NULL,
    requests ${types.integer} NOT NULL,
    PRIMARY KEY (period_key, alias)
  )${types.rowid};
  CREATE TABLE budget_alerts (
    period_key TEXT NOT NULL,
    budget TEXT NOT NULL,
    threshold_percent ${types.real} NOT NULL,
    fired_at ${types.integer} NOT NULL,
    PRIMARY KEY (period_key, budget, threshold_percent)
  );
  CREATE TABLE budget_instances (
    instance_id TEXT PRIMARY KEY,
    hostname TEXT NOT NULL,
    pid ${types.integer} NOT NULL,
    started_at ${types.integer} NOT NULL,
    heartbeat_at ${types.integer} NOT NULL
  );`;

export const SQLITE_BUDGET_MIGRATIONS: readonly string[] = [
  TABLES({ integer: "INTEGER", real: "REAL", rowid: " WITHOUT ROWID" }),
];
export const POSTGRES_BUDGET_MIGRATIONS: readonly string[] = [
  TABLES({ integer: "BIGINT", real: "DOUBLE PRECISION", rowid: "" }),
];

/**
 * Applies a module's pending migrations, each in an IMMEDIATE transaction so two processes
 * opening the same file at once cannot both apply one.
 */
export function migrateSqliteModule(
  database: Database.Database,
  module: string,
  migrations: readonly string[],
): void {
  database.exec(
    "CREATE TABLE IF NOT EXISTS switchyard_migrations (module TEXT PRIMARY KEY, version INTEGER NOT NULL)",
  );
  const read = database.prepare("SELECT version FROM switchyard_migrations WHERE module = ?");
  const write = database.prepare(
    "INSERT INTO switchyard_migrations (module, version) VALUES (?, ?) ON CONFLICT (module) DO UPDATE SET version = excluded.version",
  );
  const step = database.transaction(() => {
    const row = read.get(module) as { version: number } | undefined;
    const version = row?.version ?? 0;
    if (version >= migrations.length) return false;
    database.exec(migrations[version]!);
    write.run(module, version + 1);
    return true;
  });
  while (step.immediate()) {
    // one migration per transaction until none is pending
  }
}
