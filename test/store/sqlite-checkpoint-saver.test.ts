/**
 * LangGraph's SQLite saver as Switchyard runs it: the connection view it is given (one statement
 * per SQL text, prepared once; everything else — pragmas, transactions, exec — the connection's
 * own), and the saver through it: checkpoints written and read back, the hook before each one.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { END, START, StateGraph } from "@langchain/langgraph";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { openStores } from "../../src/store/open-stores.js";
import { SqliteCheckpointSaver } from "../../src/store/sqlite-checkpoint-saver.js";
import type { SqliteLedger } from "../../src/store/sqlite-ledger.js";
import { cachingPrepares } from "../../src/store/sqlite-statement-cache.js";
import { lastValue } from "../../src/workflows/workflow-definition.js";

const databases: Database.Database[] = [];
afterEach(() => {
  for (const database of databases.splice(0)) database.close();
});

function open(): Database.Database {
  const database = new Database(join(mkdtempSync(join(tmpdir(), "switchyard-statements-")), "ledger.db"));
  database.pragma("journal_mode = WAL");
  databases.push(database);
  return database;
}

describe("the SQLite checkpoint saver", () => {
  it("reuses one statement per SQL text and leaves the rest to the connection", () => {
    const database = open();
    const view = cachingPrepares(database);
    view.exec("CREATE TABLE items (name TEXT)");
    const insert = view.prepare("INSERT INTO items (name) VALUES (?)");
    expect(view.prepare("INSERT INTO items (name) VALUES (?)")).toBe(insert);
    expect(view.prepare("SELECT name FROM items")).not.toBe(insert);
    view.transaction((names: string[]) => {
      for (const name of names) view.prepare("INSERT INTO items (name) VALUES (?)").run(name);
    })(["a", "b"]);
    expect(database.prepare("SELECT name FROM items ORDER BY rowid").pluck().all()).toEqual(["a", "b"]);
    expect(view.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(view.open).toBe(true);
    expect(view.inTransaction).toBe(false);
    // The connection itself still prepares afresh.
    expect(database.prepare("SELECT name FROM items")).not.toBe(view.prepare("SELECT name FROM items"));
  });

  it("keeps a bounded number of texts: SQL built per query is prepared each time beyond them", () => {
    const view = cachingPrepares(open());
    for (let limit = 1; limit <= 40; limit++) view.prepare(`SELECT ${limit}`);
    expect(view.prepare("SELECT 1")).toBe(view.prepare("SELECT 1"));
    expect(view.prepare("SELECT 40")).not.toBe(view.prepare("SELECT 40"));
  });

  it("carries LangGraph's SQLite saver: a graph's checkpoints are written and read back", async () => {
    const database = open();
    let checkpoints = 0;
    const saver = new SqliteCheckpointSaver(database, () => checkpoints++);
    const graph = new StateGraph({ count: lastValue(0) })
      .addNode("one", async () => ({ count: 1 }))
      .addNode("two", async (state: { count: number }) => ({ count: state.count + 1 }))
      .addEdge(START, "one")
      .addEdge("one", "two")
      .addEdge("two", END)
      .compile({ checkpointer: saver });
    for (const thread of ["a", "b"]) {
      const config = { configurable: { thread_id: thread }, durability: "sync" as const };
      expect(await graph.invoke({}, config)).toEqual({ count: 2 });
      const state = await graph.getState(config);
      expect(state.values).toEqual({ count: 2 });
      expect(state.next).toEqual([]);
    }
    const rows = database
      .prepare("SELECT thread_id, COUNT(*) AS n FROM checkpoints GROUP BY thread_id")
      .all();
    expect(rows).toEqual([
      { thread_id: "a", n: 4 },
      { thread_id: "b", n: 4 },
    ]);
    expect(checkpoints).toBe(8);
    await saver.deleteThread("a");
    expect(database.prepare("SELECT COUNT(*) FROM checkpoints WHERE thread_id = 'a'").pluck().get()).toBe(0);
  });

  it("starts the ledger's WAL worker at its first checkpoint, not when it is opened", async () => {
    const stores = await openStores(join(mkdtempSync(join(tmpdir(), "switchyard-statements-")), "ledger.db"));
    try {
      const walCheckpoints = (stores.ledger as SqliteLedger).walCheckpoints!;
      const graph = new StateGraph({ count: lastValue(0) })
        .addNode("one", async () => ({ count: 1 }))
        .addEdge(START, "one")
        .addEdge("one", END)
        .compile({ checkpointer: await stores.checkpointer() });
      expect(walCheckpoints.started).toBe(false);
      await graph.invoke({}, { configurable: { thread_id: "a" }, durability: "sync" });
      expect(walCheckpoints.started).toBe(true);
    } finally {
      await stores.close();
    }
  });
});
