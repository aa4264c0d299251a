/**
 * The upgrade suite on PostgreSQL, on a throwaway server (test/helpers/postgres-server.ts): each
 * test loads release 0.1.0's database (a pg_dump of it) into a new database. Skips, saying why,
 * only when no server can be started here.
 */
import { readFileSync } from "node:fs";
import pg from "pg";
import { afterAll, describe, it } from "vitest";
import { startPostgresServer } from "../helpers/postgres-server.js";
import { describeStoreUpgrade } from "./store-upgrade-suite.js";

const DUMP = readFileSync(new URL("../fixtures/ledger-0.1.0.postgres.sql", import.meta.url), "utf8");

const postgres = await startPostgresServer();

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

if ("skipReason" in postgres) {
  console.warn(`Skipping the PostgreSQL upgrade tests: ${postgres.skipReason}`);
  describe.skip(`a release 0.1.0 database: PostgreSQL (skipped: ${postgres.skipReason})`, () => {
    it("needs a PostgreSQL server", () => {});
  });
} else {
  const { server } = postgres;
  afterAll(() => server.stop());

  describeStoreUpgrade("PostgreSQL", {
    async releaseDatabase() {
      const url = await server.createDatabase();
      // The dump sets this session's search_path to nothing: a client of its own, then dropped.
      await withClient(url, (client) => client.query(DUMP));
      return url;
    },
    emptyDatabase: () => server.createDatabase(),
    async describeSchema(url) {
      return withClient(url, async (client) => ({
        columns: (
          await client.query(
            `SELECT table_name, column_name, ordinal_position, data_type, is_nullable, column_default
             FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
          )
        ).rows,
        indexes: (
          await client.query(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname",
          )
        ).rows,
        sequences: (
          await client.query(
            `SELECT sequencename, data_type, start_value, increment_by FROM pg_sequences
             WHERE schemaname = 'public' ORDER BY sequencename`,
          )
        ).rows,
      }));
    },
    async migrationRows(url) {
      return withClient(
        url,
        async (client) =>
          (
            await client.query<{ module: string; version: number }>(
              "SELECT module, version FROM switchyard_migrations ORDER BY module",
            )
          ).rows,
      );
    },
  });
}
