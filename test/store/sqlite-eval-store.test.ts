/** The eval results suite on SQLite, on the ledger's connection as the server opens it. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStores } from "../../src/store/open-stores.js";
import { describeEvalStore } from "./eval-store-suite.js";

describeEvalStore("SQLite", async () => {
  const stores = await openStores(join(mkdtempSync(join(tmpdir(), "switchyard-evals-")), "ledger.db"));
  return { store: stores.evals, close: () => stores.close() };
});
