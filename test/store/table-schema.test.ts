import { describe, expect, it } from "vitest";
import {
  insertionOrderColumn,
  renderMigrations,
  type SchemaModule,
  type TableDefinition,
} from "../../src/store/table-schema.js";

const NOTES: TableDefinition = {
  name: "notes",
  primaryKey: ["id"],
  columns: [
    { name: "id", type: "text" },
    { name: "written_at", type: "bigint" },
    { name: "pinned", type: "boolean" },
    { name: "order_seen", type: "insertion-order" },
    { name: "score", type: "real", nullable: true, addedIn: 2 },
  ],
  indexes: [
    { name: "notes_written_at", columns: ["written_at"] },
    { name: "notes_score", columns: ["score", "written_at"], addedIn: 2 },
  ],
};

const TAGS: TableDefinition = {
  name: "tags",
  primaryKey: ["note_id", "tag"],
  createdIn: 2,
  sqliteWithoutRowid: true,
  columns: [
    { name: "note_id", type: "text" },
    { name: "tag", type: "text" },
  ],
};

const MODULE: SchemaModule = { name: "notes", tables: [NOTES, TAGS] };

describe("table definitions rendered per dialect", () => {
  it("creates a table with its first columns, then adds columns, tables and indexes version by version", () => {
    expect(renderMigrations(MODULE, "sqlite")).toEqual([
      `CREATE TABLE notes (
  id TEXT PRIMARY KEY,
  written_at INTEGER NOT NULL,
  pinned INTEGER NOT NULL
);
CREATE INDEX notes_written_at ON notes (written_at);`,
      `ALTER TABLE notes ADD COLUMN score REAL;
CREATE INDEX notes_score ON notes (score, written_at);
CREATE TABLE tags (
  note_id TEXT NOT NULL,
  tag TEXT NOT NULL,
  PRIMARY KEY (note_id, tag)
) WITHOUT ROWID;`,
    ]);
    expect(renderMigrations(MODULE, "postgres")).toEqual([
      `CREATE TABLE notes (
  id TEXT PRIMARY KEY,
  written_at BIGINT NOT NULL,
  pinned BOOLEAN NOT NULL,
  order_seen BIGSERIAL NOT NULL
);
CREATE INDEX notes_written_at ON notes (written_at);`,
      `ALTER TABLE notes ADD COLUMN score DOUBLE PRECISION;
CREATE INDEX notes_score ON notes (score, written_at);
CREATE TABLE tags (
  note_id TEXT NOT NULL,
  tag TEXT NOT NULL,
  PRIMARY KEY (note_id, tag)
);`,
    ]);
  });

  it("orders by rowid on SQLite and by the insertion-order column on PostgreSQL", () => {
    expect(insertionOrderColumn(NOTES, "sqlite")).toBe("rowid");
    expect(insertionOrderColumn(NOTES, "postgres")).toBe("order_seen");
    expect(() => insertionOrderColumn(TAGS, "postgres")).toThrow("keeps no insertion order");
  });

  it("refuses a NOT NULL column added to an existing table, and a version with nothing in it", () => {
    const notNullLater: TableDefinition = {
      ...NOTES,
      columns: [...NOTES.columns, { name: "author", type: "text", addedIn: 2 }],
    };
    expect(() => renderMigrations({ name: "notes", tables: [notNullLater] }, "sqlite")).toThrow(
      "notes.author is added later, so must be nullable",
    );
    const gap: TableDefinition = { ...TAGS, createdIn: 3 };
    expect(() => renderMigrations({ name: "notes", tables: [gap] }, "postgres")).toThrow(
      "Schema module notes has nothing to do in version 1",
    );
  });
});
