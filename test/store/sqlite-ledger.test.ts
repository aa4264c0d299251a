import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteLedger } from "../../src/store/sqlite-ledger.js";
import { describeLedgerStore } from "./ledger-suite.js";

describeLedgerStore("SQLite", async () => {
  const path = join(mkdtempSync(join(tmpdir(), "switchyard-ledger-")), "ledger.db");
  return { store: new SqliteLedger(path), reopen: async () => new SqliteLedger(path) };
});
