/**
 * The shared budget-store suite against PostgreSQL, on a throwaway server (real concurrent
 * connections and processes). Skips, saying why, only when no server can be started here.
 */
import { afterAll, describe, it } from "vitest";
import { startPostgresServer } from "../helpers/postgres-server.js";
import { describeBudgetStore } from "./budget-store-suite.js";

const postgres = await startPostgresServer();

if ("skipReason" in postgres) {
  console.warn(`Skipping the PostgreSQL budget-store tests: ${postgres.skipReason}`);
  describe.skip(`budget store: PostgreSQL (skipped: ${postgres.skipReason})`, () => {
    it("needs a PostgreSQL server", () => {});
  });
} else {
  const { server } = postgres;
  afterAll(() => server.stop());
  describeBudgetStore("PostgreSQL", () => server.createDatabase());
}
