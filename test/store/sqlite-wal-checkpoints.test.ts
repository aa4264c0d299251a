/**
 * The WAL checkpoints copied on from a worker thread: the connection's own automatic checkpoint
 * raised to the backstop, the worker's PASSIVE checkpoint copying every frame, the WAL starting
 * over (and its file cut back) at the next commit, the worker started only once the WAL grows,
 * and SQLite's own checkpoint back when the worker cannot run. Real files, a real worker.
 */
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SqliteLedger } from "../../src/store/sqlite-ledger.js";
import { BACKSTOP_PAGES, SqliteWalCheckpoints } from "../../src/store/sqlite-wal-checkpoints.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function databasePath(): string {
  return join(mkdtempSync(join(tmpdir(), "switchyard-wal-")), "ledger.db");
}

function openLedger(path = databasePath()): SqliteLedger {
  const ledger = new SqliteLedger(path);
  cleanups.push(() => ledger.close());
  ledger.database.exec("CREATE TABLE filler (body TEXT)");
  return ledger;
}

/** `rows` rows of 3 KB each, committed one transaction per row (as steps commit). */
function fill(database: Database.Database, rows: number): void {
  const insert = database.prepare("INSERT INTO filler (body) VALUES (?)");
  for (let index = 0; index < rows; index++) insert.run("x".repeat(3_000));
}

describe("WAL checkpoints in a worker", () => {
  it("leaves the connection's own checkpoint as a backstop only", () => {
    const ledger = openLedger();
    expect(ledger.database.pragma("wal_autocheckpoint", { simple: true })).toBe(BACKSTOP_PAGES);
    // A WAL that outgrew the backstop is cut back to it when it starts over; a smaller one is reused.
    expect(ledger.database.pragma("journal_size_limit", { simple: true })).toBe(BACKSTOP_PAGES * 4_096);
  });

  it("copies every frame into the database, and the next commit starts the WAL over", async () => {
    const ledger = openLedger();
    const path = ledger.database.name;
    // Past SQLite's usual 1,000-page automatic checkpoint: nothing copied on yet.
    fill(ledger.database, 2_000);
    const grown = statSync(`${path}-wal`).size;
    expect(grown).toBeGreaterThan(2_000 * 4_096);
    const first = await ledger.walCheckpoints!.checkpointNow();
    expect(first.busy).toBe(0);
    expect(first.log).toBeGreaterThan(2_000);
    expect(first.checkpointed).toBe(first.log);
    fill(ledger.database, 1);
    // Written from its start again: the file is reused, no bigger.
    expect(statSync(`${path}-wal`).size).toBe(grown);
    const second = await ledger.walCheckpoints!.checkpointNow();
    expect(second.log).toBeLessThan(10);
    expect(second.checkpointed).toBe(second.log);
    // What was copied is in the database file: another connection reads it all.
    const reader = new Database(path, { readonly: true });
    cleanups.push(() => void reader.close());
    expect(reader.prepare("SELECT COUNT(*) FROM filler").pluck().get()).toBe(2_001);
  });

  it("starts the worker only once the WAL has grown past its threshold", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const path = databasePath();
    const database = new Database(path);
    database.pragma("journal_mode = WAL");
    database.exec("CREATE TABLE filler (body TEXT)");
    const checkpoints = new SqliteWalCheckpoints({
      path,
      database,
      startBytes: 64 * 1024,
      lookIntervalMs: 1_000,
    });
    cleanups.push(async () => {
      await checkpoints.close();
      database.close();
    });
    fill(database, 1);
    vi.advanceTimersByTime(1_000);
    expect(checkpoints.started).toBe(false);
    fill(database, 40);
    vi.advanceTimersByTime(1_000);
    expect(checkpoints.started).toBe(true);
    const result = await checkpoints.checkpointNow();
    expect(result.checkpointed).toBe(result.log);
  });

  it("hands the checkpoints back to SQLite when the worker cannot run", async () => {
    const database = new Database(":memory:");
    const errors: unknown[] = [];
    const checkpoints = new SqliteWalCheckpoints({
      path: join(mkdtempSync(join(tmpdir(), "switchyard-wal-")), "missing.db"),
      database,
      onError: (error) => errors.push(error),
    });
    cleanups.push(async () => {
      await checkpoints.close();
      database.close();
    });
    await expect(checkpoints.checkpointNow()).rejects.toThrow(/unable to open|missing|SQLITE_CANTOPEN/i);
    expect(checkpoints.started).toBe(false);
    expect(errors).toHaveLength(1);
    expect(database.pragma("wal_autocheckpoint", { simple: true })).toBe(1_000);
    await expect(checkpoints.checkpointNow()).rejects.toThrow(/SQLite's own checkpoint runs/);
  });

  it("stops the worker before the ledger closes its connection", async () => {
    const path = databasePath();
    const ledger = new SqliteLedger(path);
    ledger.walCheckpoints!.start();
    await ledger.walCheckpoints!.checkpointNow();
    await ledger.close();
    expect(ledger.walCheckpoints!.started).toBe(true);
    await expect(ledger.walCheckpoints!.checkpointNow()).rejects.toThrow(/stopped/);
    // The last connection gone, SQLite folded the WAL into the database and removed it.
    expect(() => statSync(`${path}-wal`)).toThrow(/ENOENT/);
  });
});
