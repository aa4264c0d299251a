/**
 * Schema migrations on PostgreSQL, tracked per module ("ledger", "budget") in
 * `switchyard_migrations`. Several Brains may start against one database at the same moment, so
 * migrations run under a transaction-scoped advisory lock: one applies, the others wait and then
 * find nothing left to do.
 */
import type { Pool } from "pg";

/** First key of the two-key advisory locks Switchyard takes (an arbitrary constant: "SWYD"). */
export const SWITCHYARD_LOCK_CLASS = 0x53_57_59_44;

export async function migratePostgresModule(
  pool: Pool,
  module: string,
  migrations: readonly string[],
): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    // One lock for all modules: they share the switchyard_migrations table they may have to create.
    await client.query("SELECT pg_advisory_xact_lock($1, 0)", [SWITCHYARD_LOCK_CLASS]);
    await client.query(
      "CREATE TABLE IF NOT EXISTS switchyard_migrations (module TEXT PRIMARY KEY, version INTEGER NOT NULL)",
    );
    const result = await client.query<{ version: number }>(
      "SELECT version FROM switchyard_migrations WHERE module = $1",
      [module],
    );
    const version = result.rows[0]?.version ?? 0;
    for (let index = version; index < migrations.length; index++) await client.query(migrations[index]!);
    if (version < migrations.length) {
      await client.query(
        `INSERT INTO switchyard_migrations (module, version) VALUES ($1, $2)
         ON CONFLICT (module) DO UPDATE SET version = excluded.version`,
        [module, migrations.length],
      );
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
