import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SqliteBudgetStore } from "../../src/store/sqlite-budget-store.js";
import { SqliteLedger } from "../../src/store/sqlite-ledger.js";
import { describeBudgetStore } from "./budget-store-suite.js";

describeBudgetStore("SQLite", async () =>
  join(mkdtempSync(join(tmpdir(), "switchyard-budget-")), "ledger.db"),
);

describe("SQLite budget store specifics", () => {
  it("shares the ledger's connection; the ledger and the budget each record their own version", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "switchyard-budget-")), "ledger.db");
    const ledger = new SqliteLedger(path);
    const version = ledger.database.pragma("user_version", { simple: true });
    const budget = new SqliteBudgetStore(ledger.database);
    // Opening again finds its migrations applied.
    new SqliteBudgetStore(ledger.database);
    expect(ledger.database.pragma("user_version", { simple: true })).toBe(version);
    expect(
      ledger.database.prepare("SELECT module, version FROM switchyard_migrations ORDER BY module").all(),
    ).toEqual([
      { module: "budget", version: 1 },
      { module: "ledger", version: 4 },
    ]);
    await budget.close();
    expect(ledger.database.open).toBe(true);
    await ledger.close();
  });
});
