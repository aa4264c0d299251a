import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { SqliteLedger } from "../../src/store/sqlite-ledger.js";
import { SqliteRunsStore } from "../../src/store/sqlite-runs-store.js";
import { describeRunsStore } from "./runs-store-suite.js";

const ledgers: SqliteLedger[] = [];
afterAll(async () => {
  for (const ledger of ledgers) await ledger.close();
});

describeRunsStore("SQLite", async () => {
  const ledger = new SqliteLedger(join(mkdtempSync(join(tmpdir(), "switchyard-runs-")), "ledger.db"));
  ledgers.push(ledger);
  return new SqliteRunsStore(ledger.database);
});
