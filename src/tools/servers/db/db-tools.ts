/**
 * The built-in db server's tools: the configured databases, their tables, and read-only queries
 * with row and time limits, answered as rows (columns plus rows, JSON). A tool names a database by
 * its configured name; a path or URL from the caller is never opened.
 */
import { z } from "zod";
import type { DbServerSettings } from "../../../config/tools-schema.js";
import { defineTool, refuse, type ToolSet } from "../tool-server-kit.js";
import type { DatabaseEngine } from "./db-engine.js";
import { PostgresEngine } from "./postgres-engine.js";
import { SqliteEngine } from "./sqlite-engine.js";

export async function createDbTools(settings: DbServerSettings): Promise<ToolSet> {
  const engines = new Map<string, DatabaseEngine>(
    Object.entries(settings.databases).map(([name, location]) => [
      name,
      /^postgres(ql)?:\/\//.test(location)
        ? new PostgresEngine(name, location)
        : new SqliteEngine(name, location),
    ]),
  );
  const names = [...engines.keys()];
  const pick = (name: string) => {
    const engine = engines.get(name);
    if (!engine) throw refuse(`No database is named "${name}"; use one of: ${names.join(", ")}`);
    return engine;
  };
  const databaseArgument = z
    .string()
    .min(1)
    .describe(`One of: ${names.join(", ")}`);
  const tools = [
    defineTool({
      name: "databases",
      description: "The databases this server can query, by name, with their engine.",
      inputSchema: z.strictObject({}),
      run: async () => [...engines].map(([name, engine]) => `${name} (${engine.kind})`).join("\n"),
    }),
    defineTool({
      name: "tables",
      description: "The tables and views of a database, with their columns and types.",
      inputSchema: z.strictObject({ database: databaseArgument }),
      run: async ({ database }, { signal }) => {
        const tables = await pick(database).tables({ timeoutMs: settings.timeout_ms, signal });
        if (tables.length === 0) return `${database} has no tables.`;
        return tables
          .map(
            (table) =>
              `${table.name}${table.type === "view" ? " (view)" : ""}: ${table.columns.map((column) => `${column.name} ${column.type}`.trim()).join(", ")}`,
          )
          .join("\n");
      },
    }),
    defineTool({
      name: "query",
      description: `Run one read-only SQL statement (SELECT, WITH, VALUES, …) and get the rows as JSON: {columns, rows, truncated}. At most ${settings.max_rows} rows; stopped after ${settings.timeout_ms} ms. Writes are refused by the database.`,
      inputSchema: z.strictObject({
        database: databaseArgument,
        sql: z.string().min(1).max(100_000),
        params: z
          .array(z.union([z.string(), z.number(), z.boolean(), z.null()]))
          .max(100)
          .default([])
          .describe("Values for ? (SQLite) or $1, $2… (PostgreSQL)"),
        max_rows: z.number().int().positive().optional().describe(`At most ${settings.max_rows}`),
      }),
      run: async ({ database, sql, params, max_rows }, { signal }) => {
        const result = await pick(database).query({
          sql,
          params,
          maxRows: Math.min(max_rows ?? settings.max_rows, settings.max_rows),
          timeoutMs: settings.timeout_ms,
          signal,
        });
        return JSON.stringify({ ...result, row_count: result.rows.length });
      },
    }),
  ];
  return {
    serverName: "switchyard-db",
    tools,
    maxArgumentBytes: settings.max_argument_bytes,
    close: async () => {
      await Promise.all([...engines.values()].map((engine) => engine.close()));
    },
  };
}
