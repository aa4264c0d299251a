/**
 * The built-in db server through a real MCP client: read-only queries answered as rows, with row
 * and time limits; every way to write refused by the engine on SQLite (a real file, whose bytes
 * must not change) and on a real PostgreSQL (started as the store suites start theirs).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbServerSettings } from "../../src/config/tools-schema.js";
import { parseBuiltinSettings } from "../../src/tools/servers/builtin-tool-servers.js";
import { createDbTools } from "../../src/tools/servers/db/db-tools.js";
import { leadingKeyword } from "../../src/tools/servers/db/postgres-engine.js";
import { startPostgresServer } from "../helpers/postgres-server.js";
import { connectToolServer, type ToolServerClient } from "./tool-server-client.js";

const directory = mkdtempSync(join(tmpdir(), "switchyard-db-"));
const sqlitePath = join(directory, "app.db");
const otherPath = join(directory, "other.db");

function makeSqliteDatabase(): void {
  const database = new Database(sqlitePath);
  database.exec(`
    CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, big INTEGER, data BLOB);
    CREATE VIEW item_names AS SELECT name FROM items;
  `);
  const insert = database.prepare("INSERT INTO items (name, big, data) VALUES (?, ?, ?)");
  for (const name of ["anvil", "bolt", "chain", "drill", "epoxy"])
    insert.run(name, 2n ** 60n, Buffer.from([1, 2]));
  database.close();
}

const digest = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");
const settings = (databases: Record<string, string>, overrides: Partial<DbServerSettings> = {}) =>
  parseBuiltinSettings("db", {
    builtin: "db",
    databases,
    max_rows: 3,
    timeout_ms: 2_000,
    ...overrides,
  }) as DbServerSettings;
const rowsOf = (text: string) =>
  JSON.parse(text) as { columns: string[]; rows: unknown[][]; truncated: boolean; row_count: number };

describe("db server on SQLite", () => {
  let client: ToolServerClient;
  let before: string;

  beforeAll(async () => {
    makeSqliteDatabase();
    before = digest(sqlitePath);
    client = await connectToolServer(await createDbTools(settings({ app: sqlitePath })));
  });
  afterAll(() => client?.close());

  it("lists databases and tables, and answers a query as columns and rows", async () => {
    expect((await client.call("databases")).text).toBe("app (sqlite)");
    expect((await client.call("tables", { database: "app" })).text).toBe(
      "item_names (view): name TEXT\nitems: id INTEGER, name TEXT, big INTEGER, data BLOB",
    );
    const result = rowsOf(
      (await client.call("query", { database: "app", sql: "SELECT * FROM items WHERE id = ?", params: [2] }))
        .text,
    );
    expect(result).toEqual({
      columns: ["id", "name", "big", "data"],
      rows: [[2, "bolt", "1152921504606846976", "x'0102'"]],
      truncated: false,
      row_count: 1,
    });
  });

  it("stops at the row limit and says so", async () => {
    const result = rowsOf(
      (await client.call("query", { database: "app", sql: "SELECT name FROM items ORDER BY id" })).text,
    );
    expect(result.rows).toEqual([["anvil"], ["bolt"], ["chain"]]);
    expect(result.truncated).toBe(true);
    const smaller = rowsOf(
      (await client.call("query", { database: "app", sql: "SELECT name FROM items", max_rows: 1 })).text,
    );
    expect(smaller.rows).toHaveLength(1);
  });

  it("refuses every write, attach, pragma and multi-statement trick; the file is unchanged", async () => {
    const attempts: Array<[string, RegExp]> = [
      ["INSERT INTO items (name) VALUES ('x')", /Only statements that read and return rows/],
      ["INSERT INTO items (name) VALUES ('x') RETURNING id", /Only statements that read and return rows/],
      ["UPDATE items SET name = 'x'", /Only statements that read and return rows/],
      ["DELETE FROM items", /Only statements that read and return rows/],
      ["DROP TABLE items", /Only statements that read and return rows/],
      ["CREATE TABLE t (x)", /Only statements that read and return rows/],
      [`ATTACH DATABASE '${otherPath}' AS other`, /Only statements that read and return rows/],
      ["PRAGMA writable_schema = ON", /Only statements that read and return rows/],
      ["PRAGMA query_only = OFF", /Only statements that read and return rows/],
      [`VACUUM INTO '${otherPath}'`, /Only statements that read and return rows/],
      ["SELECT 1; DROP TABLE items", /Only one statement per query/],
      ["SELECT 1; ATTACH DATABASE 'x.db' AS x", /Only one statement per query/],
      ["BEGIN", /Only statements that read and return rows/],
    ];
    for (const [sql, message] of attempts) {
      const result = await client.call("query", { database: "app", sql });
      expect(result.isError, sql).toBe(true);
      expect(result.text, sql).toMatch(message);
    }
    expect(existsSync(otherPath)).toBe(false);
    expect(digest(sqlitePath)).toBe(before);
    expect(
      rowsOf((await client.call("query", { database: "app", sql: "SELECT count(*) AS n FROM items" })).text)
        .rows,
    ).toEqual([[5]]);
  });

  it("allows read-only pragmas", async () => {
    const result = rowsOf(
      (await client.call("query", { database: "app", sql: "PRAGMA table_info(items)" })).text,
    );
    expect(result.rows.map((row) => row[1])).toEqual(["id", "name", "big"]);
    expect(result.truncated).toBe(true);
  });

  it("stops a query past the time limit, and the next query still runs", async () => {
    const endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n";
    const stopped = await client.call("query", { database: "app", sql: endless });
    expect(stopped).toEqual({
      text: "The query on app took longer than 2000 ms and was stopped",
      isError: true,
    });
    expect(
      rowsOf((await client.call("query", { database: "app", sql: "SELECT 42 AS answer" })).text).rows,
    ).toEqual([[42]]);
  }, 60_000);

  it("opens only configured databases, by name", async () => {
    const result = await client.call("query", { database: sqlitePath, sql: "SELECT 1" });
    expect(result.text).toBe(`No database is named "${sqlitePath}"; use one of: app`);
  });
});

const postgres = await startPostgresServer();

if ("skipReason" in postgres) {
  console.warn(`Skipping the db server's PostgreSQL tests: ${postgres.skipReason}`);
  describe.skip(`db server on PostgreSQL (skipped: ${postgres.skipReason})`, () => {
    it("needs a PostgreSQL server", () => {});
  });
} else {
  const { server } = postgres;
  describe("db server on PostgreSQL", () => {
    let client: ToolServerClient;
    let url: string;

    beforeAll(async () => {
      url = await server.createDatabase();
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`
        CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL, added date DEFAULT '2026-01-02');
        INSERT INTO items (name) VALUES ('anvil'), ('bolt'), ('chain'), ('drill');
        CREATE SEQUENCE counter;
        CREATE FUNCTION add_item() RETURNS int LANGUAGE sql AS $$ INSERT INTO items (name) VALUES ('f') RETURNING id $$;
      `);
      await admin.end();
      client = await connectToolServer(
        await createDbTools(settings({ warehouse: url }, { timeout_ms: 500 })),
      );
    });
    afterAll(async () => {
      await client?.close();
      await server.stop();
    });

    it("answers queries as rows, with the row limit applied by the server", async () => {
      const result = rowsOf(
        (
          await client.call("query", {
            database: "warehouse",
            sql: "SELECT id, name, added FROM items WHERE id > $1 ORDER BY id;",
            params: [0],
          })
        ).text,
      );
      expect(result.columns).toEqual(["id", "name", "added"]);
      expect(result.rows).toEqual([
        [1, "anvil", expect.stringMatching(/^2026-01-0[12]T/)],
        [2, "bolt", expect.any(String)],
        [3, "chain", expect.any(String)],
      ]);
      expect(result.truncated).toBe(true);
      expect((await client.call("tables", { database: "warehouse" })).text).toBe(
        "items: id integer, name text, added date",
      );
      expect(
        rowsOf(
          (await client.call("query", { database: "warehouse", sql: "SHOW transaction_read_only" })).text,
        ).rows,
      ).toEqual([["on"]]);
    });

    it("refuses writes: by the read-only transaction for anything that reaches the engine", async () => {
      const attempts: Array<[string, RegExp]> = [
        ["INSERT INTO items (name) VALUES ('x')", /Only queries are allowed .* not INSERT/],
        ["DROP TABLE items", /Only queries are allowed .* not DROP/],
        ["COPY items TO PROGRAM 'touch /tmp/switchyard-copy'", /Only queries are allowed .* not COPY/],
        [
          "WITH gone AS (DELETE FROM items RETURNING *) SELECT * FROM gone",
          /data-modifying statement|read-only/,
        ],
        ["SELECT add_item()", /cannot execute INSERT in a read-only transaction/],
        ["SELECT nextval('counter')", /cannot execute nextval\(\) in a read-only transaction/],
        ["SELECT * INTO copy_of_items FROM items", /SELECT ... INTO is not allowed here|read-only/],
        ["SELECT 1; COMMIT; DROP TABLE items", /Only one statement per query/],
        ["SHOW search_path; DROP TABLE items", /Only one statement per query.*multiple commands/],
        ["SELECT 1 FROM items FOR UPDATE", /read-only transaction/],
      ];
      for (const [sql, message] of attempts) {
        const result = await client.call("query", { database: "warehouse", sql });
        expect(result.isError, sql).toBe(true);
        expect(result.text, sql).toMatch(message);
      }
      const check = new pg.Client({ connectionString: url });
      await check.connect();
      try {
        expect((await check.query("SELECT count(*)::int AS n FROM items")).rows).toEqual([{ n: 4 }]);
        expect((await check.query("SELECT to_regclass('copy_of_items') AS t")).rows).toEqual([{ t: null }]);
      } finally {
        await check.end();
      }
      expect(existsSync("/tmp/switchyard-copy")).toBe(false);
    });

    it("stops a statement past the time limit with the server's statement_timeout", async () => {
      const result = await client.call("query", { database: "warehouse", sql: "SELECT pg_sleep(30)" });
      expect(result).toEqual({
        text: "The query on warehouse took longer than 500 ms and was stopped",
        isError: true,
      });
      expect(
        rowsOf((await client.call("query", { database: "warehouse", sql: "VALUES (1)" })).text).rows,
      ).toEqual([[1]]);
    });

    it("finds the first keyword past comments and parentheses", () => {
      expect(leadingKeyword("  -- note\n/* block */ (SELECT 1)")).toBe("select");
      expect(leadingKeyword("/* unterminated")).toBe("");
      expect(leadingKeyword("with x as (select 1) select * from x")).toBe("with");
    });
  });
}
