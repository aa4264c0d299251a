/**
 * The eval results suite on PostgreSQL, on a throwaway server (test/helpers/postgres-server.ts).
 * Skips, saying why, only when no server can be started here.
 */
import { afterAll, describe, it } from "vitest";
import { openStores } from "../../src/store/open-stores.js";
import { startPostgresServer } from "../helpers/postgres-server.js";
import { describeEvalStore } from "./eval-store-suite.js";

const postgres = await startPostgresServer();

if ("skipReason" in postgres) {
  console.warn(`Skipping the PostgreSQL eval results tests: ${postgres.skipReason}`);
  describe.skip(`eval results: PostgreSQL (skipped: ${postgres.skipReason})`, () => {
    it("needs a PostgreSQL server", () => {});
  });
} else {
  const { server } = postgres;
  afterAll(() => server.stop());
  describeEvalStore("PostgreSQL", async () => {
    const stores = await openStores(await server.createDatabase());
    return { store: stores.evals, close: () => stores.close() };
  });
}
