/**
 * The rollup against a real SQLite ledger: settled hours are read once and kept, hours still open
 * are read again (so late rows count), ranges need not start on the hour, and what it returns is
 * what the database adds up.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HOUR_MS, LedgerRollup } from "../../src/dashboard/ledger-rollup.js";
import type { LedgerTotals, LedgerTotalsQuery } from "../../src/store/ledger-store.js";
import { SqliteLedger } from "../../src/store/sqlite-ledger.js";
import { sampleRecord } from "../store/sample-record.js";

const BASE = Date.UTC(2026, 11, 1);
const sum = (totals: readonly LedgerTotals[]) => totals.reduce((total, line) => total + line.requests, 0);

describe("ledger rollup", () => {
  let ledger: SqliteLedger;
  let queries: LedgerTotalsQuery[];
  let clock: number;
  let rollup: LedgerRollup;

  beforeEach(() => {
    ledger = new SqliteLedger(join(mkdtempSync(join(tmpdir(), "switchyard-rollup-")), "ledger.db"));
    queries = [];
    const totals = ledger.totals.bind(ledger);
    // The real store, watched: which ranges the rollup asks the database for.
    ledger.totals = async (query) => {
      queries.push(query);
      return totals(query);
    };
    clock = BASE + 10 * HOUR_MS + 30 * 60_000;
    rollup = new LedgerRollup({ ledger, settleMs: 2 * HOUR_MS, now: () => clock });
    for (let hour = 0; hour < 10; hour++)
      for (let index = 0; index <= hour; index++)
        ledger.record(sampleRecord({ startedAt: BASE + hour * HOUR_MS + index * 1_000 }));
  });
  afterEach(() => ledger.close());

  it("reads settled hours once and the open ones every time", async () => {
    const first = await rollup.hourly(BASE, clock + 1);
    expect(sum(first)).toBe(55);
    const openHours = { startMs: BASE + 8 * HOUR_MS, endMs: BASE + 11 * HOUR_MS, bucketMs: HOUR_MS };
    expect(queries).toEqual([{ startMs: BASE, endMs: BASE + 8 * HOUR_MS, bucketMs: HOUR_MS }, openHours]);
    queries.length = 0;
    // A request that started in an open hour is written late. Views within the second share one
    // read of the open hours; the next second's view counts the row.
    ledger.record(sampleRecord({ startedAt: BASE + 9 * HOUR_MS + 5 }));
    expect(sum(await rollup.hourly(BASE + 5 * HOUR_MS, clock + 1))).toBe(6 + 7 + 8 + 9 + 10);
    expect(queries).toEqual([]);
    clock += 1_000;
    expect(sum(await rollup.hourly(BASE, clock + 1))).toBe(56);
    expect(queries).toEqual([openHours]);
  });

  it("reads only the hours it lacks when a range grows, and partial hours exactly", async () => {
    await rollup.hourly(BASE + 4 * HOUR_MS, BASE + 6 * HOUR_MS);
    queries.length = 0;
    const totals = await rollup.hourly(BASE + 2 * HOUR_MS + 1_500, BASE + 6 * HOUR_MS);
    // Hour 2 from its 1.5th second (rows at 0 s and 1 s left out, 2 s in), hours 3, 4 and 5 whole.
    expect(sum(totals)).toBe(1 + 4 + 5 + 6);
    expect(queries).toEqual([
      { startMs: BASE + 2 * HOUR_MS + 1_500, endMs: BASE + 3 * HOUR_MS, bucketMs: HOUR_MS },
      { startMs: BASE + 3 * HOUR_MS, endMs: BASE + 4 * HOUR_MS, bucketMs: HOUR_MS },
    ]);
  });

  it("gives the same totals as the database for any range", async () => {
    for (const [start, end] of [
      [BASE, BASE + 10 * HOUR_MS],
      [BASE + 1_234, BASE + 7 * HOUR_MS + 999],
      [BASE + 3 * HOUR_MS, BASE + 3 * HOUR_MS + 500],
    ] as const) {
      const direct = await ledger.totals({ startMs: start, endMs: end, bucketMs: 60_000 });
      expect(sum(await rollup.hourly(start, end))).toBe(sum(direct));
    }
  });
});
