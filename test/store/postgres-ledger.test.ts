/**
 * The shared ledger suite against PostgreSQL, on a throwaway server (test/helpers/postgres-server.ts).
 * Skips, saying why, only when no server can be started here.
 */
import { afterAll, describe, expect, it } from "vitest";
import { PostgresLedger } from "../../src/store/postgres-ledger.js";
import { startPostgresServer } from "../helpers/postgres-server.js";
import { describeLedgerStore, sampleRecord } from "./ledger-suite.js";

const postgres = await startPostgresServer();

if ("skipReason" in postgres) {
  console.warn(`Skipping the PostgreSQL ledger tests: ${postgres.skipReason}`);
  describe.skip(`ledger store: PostgreSQL (skipped: ${postgres.skipReason})`, () => {
    it("needs a PostgreSQL server", () => {});
  });
} else {
  const { server } = postgres;
  afterAll(() => server.stop());

  describeLedgerStore("PostgreSQL", async () => {
    const connectionString = await server.createDatabase();
    return {
      store: await PostgresLedger.open({ connectionString }),
      reopen: async () => PostgresLedger.open({ connectionString }),
    };
  });

  describe("PostgreSQL ledger specifics", () => {
    it("reads a period oldest first, and two ledgers can migrate one database at once", async () => {
      const connectionString = await server.createDatabase();
      const [first, second] = await Promise.all([
        PostgresLedger.open({ connectionString }),
        PostgresLedger.open({ connectionString }),
      ]);
      try {
        for (const [index, startedAt] of [300, 100, 200, 400].entries())
          first.record(sampleRecord({ id: `p${index}`, startedAt }));
        expect((await first.between(100, 400)).map((row) => row.startedAt)).toEqual([100, 200, 300]);
        expect(await second.recent(10)).toHaveLength(4);
      } finally {
        await Promise.all([first.close(), second.close()]);
      }
    });

    it("the last write of an id in one batch wins", async () => {
      const ledger = await PostgresLedger.open({ connectionString: await server.createDatabase() });
      try {
        ledger.record(sampleRecord({ id: "same", status: "aborted" }));
        ledger.record(sampleRecord({ id: "same", status: "ok" }));
        expect((await ledger.recent(10)).map((row) => row.status)).toEqual(["ok"]);
      } finally {
        await ledger.close();
      }
    });
  });
}
