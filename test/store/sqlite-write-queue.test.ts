/**
 * The SQLite ledger's write queue, as the budget store uses it: deferred writes commit together at
 * the end of the turn of the event loop, a reservation applies every queued write in its own
 * transaction, and one failing write never takes the others (or the ledger's rows) down with it.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import type { ReservationRequest } from "../../src/store/budget-store.js";
import type { RequestRecord } from "../../src/store/ledger-store.js";
import { openStores, type Stores } from "../../src/store/open-stores.js";
import { SqliteLedger } from "../../src/store/sqlite-ledger.js";
import { sampleRecord } from "./sample-record.js";

const opened: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

function newPath(): string {
  return join(mkdtempSync(join(tmpdir(), "switchyard-queue-")), "ledger.db");
}

function openLedger(path = newPath()): SqliteLedger {
  const ledger = new SqliteLedger(path);
  ledger.database.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE)");
  opened.push(ledger);
  return ledger;
}

function row(id: string): RequestRecord {
  return sampleRecord({ id });
}

/** What another connection sees: only what was committed. */
function committedNotes(path: string): string[] {
  const reader = new Database(path, { readonly: true });
  try {
    return (reader.prepare("SELECT text FROM notes ORDER BY id").all() as Array<{ text: string }>).map(
      (note) => note.text,
    );
  } finally {
    reader.close();
  }
}

describe("SQLite write queue", () => {
  it("commits the writes deferred in one turn of the event loop together, at its end", async () => {
    const path = newPath();
    const ledger = openLedger(path);
    const insert = ledger.database.prepare("INSERT INTO notes (text) VALUES (?)");
    const first = ledger.defer(() => insert.run("first").changes);
    const second = ledger.defer(() => insert.run("second").changes);
    expect(committedNotes(path)).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(committedNotes(path)).toEqual(["first", "second"]);
    await expect(Promise.all([first, second])).resolves.toEqual([1, 1]);
  });

  it("rolls back only the deferred write that failed", async () => {
    const ledger = openLedger();
    const insert = ledger.database.prepare("INSERT INTO notes (text) VALUES (?)");
    const first = ledger.defer(() => insert.run("twice"));
    const duplicate = ledger.defer(() => insert.run("twice"));
    const after = ledger.defer(() => insert.run("after"));
    ledger.record(row("row-kept"));
    ledger.writeNow();
    await expect(first).resolves.toBeDefined();
    await expect(duplicate).rejects.toThrow(/UNIQUE/);
    await expect(after).resolves.toBeDefined();
    expect(ledger.database.prepare("SELECT text FROM notes ORDER BY id").pluck().all()).toEqual([
      "twice",
      "after",
    ]);
    expect((await ledger.recent(5)).map((record) => record.id)).toEqual(["row-kept"]);
  });

  it("runs queued writes first inside the caller's transaction, and keeps them when its work throws", async () => {
    const path = newPath();
    const ledger = openLedger(path);
    const insert = ledger.database.prepare("INSERT INTO notes (text) VALUES (?)");
    const queued = ledger.defer(() => insert.run("queued"));
    const seen = ledger.transactWithQueued(
      () => ledger.database.prepare("SELECT COUNT(*) FROM notes").pluck().get() as number,
    );
    expect(seen).toBe(1);
    await expect(queued).resolves.toBeDefined();
    expect(committedNotes(path)).toEqual(["queued"]);

    const second = ledger.defer(() => insert.run("second"));
    ledger.record(row("row-2"));
    expect(() =>
      ledger.transactWithQueued(() => {
        insert.run("from the failed work");
        throw new Error("work failed");
      }),
    ).toThrow("work failed");
    await expect(second).resolves.toBeDefined();
    expect(committedNotes(path)).toEqual(["queued", "second"]);
    expect((await ledger.recent(5)).map((record) => record.id)).toEqual(["row-2"]);
  });

  it("rejects deferred writes after the ledger is closed instead of losing them silently", async () => {
    const ledger = new SqliteLedger(newPath());
    await ledger.close();
    await expect(ledger.defer(() => 1)).rejects.toThrow(/closed/);
  });
});

describe("budget settles through the write queue", () => {
  const caps = [{ name: "monthly", alias: null, limitMicroUsd: 10_000_000 }];
  const reservation = (id: string, amountMicroUsd: number): ReservationRequest => ({
    id,
    periodKey: "2026-12-01",
    alias: "cloud-sonnet",
    amountMicroUsd,
    caps,
    instanceId: "instance-a",
    startedAt: Date.now(),
    expiresAt: Date.now() + 3_600_000,
  });

  it("sees a settle that is still queued when the next reservation checks the caps", async () => {
    const stores: Stores = await openStores(newPath());
    opened.push(stores);
    const first = reservation("first", 6_000_000);
    expect(await stores.budget.reserve(first)).toEqual({ granted: true });
    // Not awaited: the settle waits in the queue, as it does after a delivered answer.
    const settled = stores.budget.settle(first, 1_000_000);
    // $6 reserved would leave no room for $8; the real $1 does, and the reservation must see it.
    expect(await stores.budget.reserve(reservation("second", 8_000_000))).toEqual({ granted: true });
    await expect(settled).resolves.toMatchObject({ found: true, totalSettledMicroUsd: 1_000_000 });
    const spending = await stores.budget.spending("2026-12-01");
    expect(spending.total).toEqual({ settledMicroUsd: 1_000_000, reservedMicroUsd: 8_000_000 });
  });

  it("makes a settle durable within the turn, without waiting for the ledger's batch", async () => {
    const path = newPath();
    const stores = await openStores(path);
    opened.push(stores);
    const paid = reservation("paid", 2_000_000);
    await stores.budget.reserve(paid);
    const settled = stores.budget.settle(paid, 500_000);
    stores.ledger.record(row("paid"));
    const reader = new Database(path, { readonly: true });
    const spent = () =>
      reader.prepare("SELECT COALESCE(SUM(settled_micro_usd), 0) FROM budget_spend").pluck().get();
    const reserved = () => reader.prepare("SELECT COUNT(*) FROM budget_reservations").pluck().get();
    const rows = () => reader.prepare("SELECT COUNT(*) FROM requests").pluck().get();
    try {
      expect([spent(), reserved(), rows()]).toEqual([0, 1, 0]);
      await settled;
      // Seen by another connection: committed. The row follows with its batch.
      expect([spent(), reserved(), rows()]).toEqual([500_000, 0, 0]);
      await stores.ledger.flush();
      expect(rows()).toBe(1);
    } finally {
      reader.close();
    }
  });
});
