/**
 * How a table is described once and rendered for each database. A table lists its columns with
 * logical types, its key and indexes, and the schema version each part arrived in; its migrations
 * follow from that (the version that creates it, then columns and indexes added in later ones),
 * rendered to SQLite or PostgreSQL SQL. Only additive changes are expressible: anything else
 * would need a step of its own here first.
 */
import { SwitchyardError } from "../errors/switchyard-error.js";

export type Dialect = "sqlite" | "postgres";

/**
 * A column's type, independent of the database. `insertion-order` is the order rows were
 * inserted in, for reads that must break ties: a `BIGSERIAL` column on PostgreSQL, nothing on
 * SQLite, which has `rowid` for that.
 */
export type ColumnType = "text" | "integer" | "bigint" | "real" | "boolean" | "insertion-order";

export interface ColumnDefinition {
  name: string;
  type: ColumnType;
  /** Columns are NOT NULL unless they say so; a column added to an existing table must say so. */
  nullable?: boolean;
  /** The schema version that added it; absent: it came with the table. */
  addedIn?: number;
}

export interface IndexDefinition {
  name: string;
  columns: readonly string[];
  /** The schema version that added it; absent: it came with the table. */
  addedIn?: number;
}

export interface TableDefinition {
  name: string;
  /** Creation order matters: added columns come after the ones the table was created with. */
  columns: readonly ColumnDefinition[];
  primaryKey: readonly string[];
  indexes?: readonly IndexDefinition[];
  /** The schema version that creates it; absent: 1. */
  createdIn?: number;
  /** SQLite only: store rows in the primary key's b-tree (`WITHOUT ROWID`), no separate rowid. */
  sqliteWithoutRowid?: boolean;
}

/** A family of tables versioned together: one row of `switchyard_migrations`. */
export interface SchemaModule {
  /** Its key in `switchyard_migrations` ("ledger", "budget"). */
  name: string;
  /** In creation order. */
  tables: readonly TableDefinition[];
  /**
   * SQLite only: before `switchyard_migrations`, this module counted its versions in
   * `PRAGMA user_version`. A file with no row for the module adopts that number.
   */
  adoptsSqliteUserVersion?: boolean;
}

const SQL_TYPES: Record<Dialect, Record<Exclude<ColumnType, "insertion-order">, string>> = {
  sqlite: { text: "TEXT", integer: "INTEGER", bigint: "INTEGER", real: "REAL", boolean: "INTEGER" },
  postgres: {
    text: "TEXT",
    integer: "INTEGER",
    bigint: "BIGINT",
    real: "DOUBLE PRECISION",
    boolean: "BOOLEAN",
  },
};

/** The names of the columns the application writes (not the database's insertion order). */
export type StoredColumnName<Table extends TableDefinition> = Exclude<
  Table["columns"][number],
  { type: "insertion-order" }
>["name"];

export function storedColumnNames<Table extends TableDefinition>(table: Table): StoredColumnName<Table>[] {
  return table.columns
    .filter((column) => column.type !== "insertion-order")
    .map((column) => column.name as StoredColumnName<Table>);
}

/** What to order by for insertion order: `rowid` on SQLite, the insertion-order column on PostgreSQL. */
export function insertionOrderColumn(table: TableDefinition, dialect: Dialect): string {
  const column = table.columns.find((candidate) => candidate.type === "insertion-order");
  if (!column || (dialect === "sqlite" && table.sqliteWithoutRowid))
    throw new SwitchyardError("internal", `Table ${table.name} keeps no insertion order on ${dialect}`);
  return dialect === "sqlite" ? "rowid" : column.name;
}

/**
 * The module's migrations in `dialect`: element i is the SQL that takes the schema from version
 * i to version i + 1 (statements separated by semicolons).
 */
export function renderMigrations(module: SchemaModule, dialect: Dialect): string[] {
  const versions = Math.max(
    ...module.tables.flatMap((table) => [
      table.createdIn ?? 1,
      ...table.columns.map((column) => column.addedIn ?? 1),
      ...(table.indexes ?? []).map((index) => index.addedIn ?? 1),
    ]),
  );
  const migrations: string[] = [];
  for (let version = 1; version <= versions; version++) {
    const statements = module.tables.flatMap((table) => tableSteps(table, version, dialect));
    if (statements.length === 0)
      throw new SwitchyardError(
        "internal",
        `Schema module ${module.name} has nothing to do in version ${version}`,
      );
    migrations.push(statements.map((statement) => `${statement};`).join("\n"));
  }
  return migrations;
}

/** The statements `version` runs on one table: its CREATE, or the columns and indexes added. */
function tableSteps(table: TableDefinition, version: number, dialect: Dialect): string[] {
  const createdIn = table.createdIn ?? 1;
  if (version < createdIn) return [];
  const arrivesNow = (part: { addedIn?: number }) => (part.addedIn ?? createdIn) === version;
  const statements: string[] = [];
  if (version === createdIn) {
    const early = table.columns.find((column) => (column.addedIn ?? createdIn) < createdIn);
    if (early) throw new SwitchyardError("internal", `${table.name}.${early.name} is older than its table`);
    statements.push(createTable(table, dialect));
  } else {
    for (const column of table.columns.filter(arrivesNow)) {
      // SQLite cannot add a NOT NULL column without a default, and old rows would have no value.
      if (!column.nullable && column.type !== "insertion-order")
        throw new SwitchyardError(
          "internal",
          `${table.name}.${column.name} is added later, so must be nullable`,
        );
      const definition = columnDefinition(column, dialect);
      if (definition) statements.push(`ALTER TABLE ${table.name} ADD COLUMN ${definition}`);
    }
  }
  for (const index of (table.indexes ?? []).filter(arrivesNow))
    statements.push(`CREATE INDEX ${index.name} ON ${table.name} (${index.columns.join(", ")})`);
  return statements;
}

/**
 * A one-column key is declared on its column (`id TEXT PRIMARY KEY`), a longer one after the
 * columns, as the tables have always been declared. The inline form implies NOT NULL on
 * PostgreSQL and in WITHOUT ROWID tables, but not in SQLite's rowid tables (a historical quirk of
 * SQLite); writing NOT NULL there now would make new files differ from existing ones.
 */
function createTable(table: TableDefinition, dialect: Dialect): string {
  const createdIn = table.createdIn ?? 1;
  const inlineKey = table.primaryKey.length === 1 ? table.primaryKey[0] : undefined;
  const lines = table.columns
    .filter((column) => (column.addedIn ?? createdIn) === createdIn)
    .map((column) => columnDefinition(column, dialect, column.name === inlineKey))
    .filter((definition) => definition !== undefined);
  if (!inlineKey) lines.push(`PRIMARY KEY (${table.primaryKey.join(", ")})`);
  const options = dialect === "sqlite" && table.sqliteWithoutRowid ? " WITHOUT ROWID" : "";
  return `CREATE TABLE ${table.name} (\n  ${lines.join(",\n  ")}\n)${options}`;
}

/** `name TYPE [NOT NULL | PRIMARY KEY]`, or undefined for a column this dialect does not store. */
function columnDefinition(
  column: ColumnDefinition,
  dialect: Dialect,
  primaryKey = false,
): string | undefined {
  if (column.type === "insertion-order")
    return dialect === "postgres" ? `${column.name} BIGSERIAL NOT NULL` : undefined;
  const constraint = primaryKey ? " PRIMARY KEY" : column.nullable ? "" : " NOT NULL";
  return `${column.name} ${SQL_TYPES[dialect][column.type]}${constraint}`;
}
