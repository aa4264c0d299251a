/**
 * The upgrade suite on SQLite: each test works on a copy of the file release 0.1.0 wrote
 * (`PRAGMA user_version` 3 for the ledger, the budget in switchyard_migrations).
 */
import { copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { describeStoreUpgrade } from "./store-upgrade-suite.js";

const FIXTURE = fileURLToPath(new URL("../fixtures/ledger-0.1.0.sqlite", import.meta.url));

const freshPath = () => join(mkdtempSync(join(tmpdir(), "switchyard-upgrade-")), "ledger.db");

function withDatabase<T>(path: string, read: (database: Database.Database) => T): T {
  const database = new Database(path, { fileMustExist: true });
  try {
    return read(database);
  } finally {
    database.close();
  }
}

describeStoreUpgrade("SQLite", {
  async releaseDatabase() {
    const path = freshPath();
    copyFileSync(FIXTURE, path);
    return path;
  },
  async emptyDatabase() {
    return freshPath();
  },
  async describeSchema(path) {
    return withDatabase(path, (database) => {
      const tables = database
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .pluck()
        .all() as string[];
      return tables.map((table) => ({
        table,
        // The column count is left to `columns`: a later version may add to it.
        shape: (database.pragma(`table_list(${table})`) as Array<Record<string, unknown>>).map(
          ({ ncol: _columns, ...shape }) => shape,
        ),
        columns: database.pragma(`table_info(${table})`),
        indexes: (database.pragma(`index_list(${table})`) as Array<{ name: string }>)
          .sort((left, right) => left.name.localeCompare(right.name))
          .map((index) => ({ ...index, columns: database.pragma(`index_info(${index.name})`) })),
      }));
    });
  },
  async migrationRows(path) {
    return withDatabase(
      path,
      (database) =>
        database.prepare("SELECT module, version FROM switchyard_migrations ORDER BY module").all() as Array<{
          module: string;
          version: number;
        }>,
    );
  },
});
