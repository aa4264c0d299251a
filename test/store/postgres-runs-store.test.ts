/**
 * The shared runs-store suite against PostgreSQL, on a throwaway server. Skips, saying why, only
 * when no server can be started here.
 */
import pg from "pg";
import { afterAll, describe, it } from "vitest";
import { PostgresRunsStore } from "../../src/store/postgres-runs-store.js";
import { startPostgresServer } from "../helpers/postgres-server.js";
import { describeRunsStore } from "./runs-store-suite.js";

const postgres = await startPostgresServer();

if ("skipReason" in postgres) {
  console.warn(`Skipping the PostgreSQL runs-store tests: ${postgres.skipReason}`);
  describe.skip(`runs store: PostgreSQL (skipped: ${postgres.skipReason})`, () => {
    it("needs a PostgreSQL server", () => {});
  });
} else {
  const { server } = postgres;
  const pools: pg.Pool[] = [];
  afterAll(async () => {
    for (const pool of pools) await pool.end();
    await server.stop();
  });
  describeRunsStore("PostgreSQL", async () => {
    const pool = new pg.Pool({ connectionString: await server.createDatabase() });
    pools.push(pool);
    return PostgresRunsStore.open(pool);
  });
}
