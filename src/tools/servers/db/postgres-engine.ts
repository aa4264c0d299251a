/**
 * PostgreSQL for the db server. Every query runs inside `BEGIN READ ONLY` with a local
 * `statement_timeout`, on a session whose default is read-only too, through the extended query
 * protocol (which takes exactly one statement, so `SELECT 1; COMMIT; DROP …` cannot end the
 * read-only transaction), and is rolled back afterwards. Only statements that start as queries
 * (SELECT, WITH, VALUES, TABLE, SHOW, EXPLAIN) are sent at all: `COPY … TO PROGRAM` reads in a
 * read-only transaction but runs a program. What a role may do outside the database (its
 * superuser functions) is the role's business: give the db server a role that can only SELECT.
 */
import pg from "pg";
import { redactDatabaseUrl } from "../../../config/config-redact.js";
import { refuse } from "../tool-server-kit.js";
import {
  type DatabaseEngine,
  type QueryRequest,
  type QueryResult,
  type TableDescription,
  toCell,
} from "./db-engine.js";

const QUERY_KEYWORDS = new Set(["select", "with", "values", "table", "show", "explain"]);
/** Statements that can be wrapped as a subquery, so the row limit is applied by the server. */
const WRAPPABLE = new Set(["select", "with", "values", "table"]);

export class PostgresEngine implements DatabaseEngine {
  readonly kind = "postgresql";
  private readonly pool: pg.Pool;

  constructor(
    private readonly name: string,
    url: string,
  ) {
    this.pool = new pg.Pool({
      connectionString: url,
      max: 4,
      idleTimeoutMillis: 30_000,
      options: "-c default_transaction_read_only=on",
      application_name: "switchyard-db",
    });
    // An idle connection that drops is replaced on next use; it must not take the server down.
    this.pool.on("error", () => {});
  }

  async query(request: QueryRequest): Promise<QueryResult> {
    const keyword = leadingKeyword(request.sql);
    if (!QUERY_KEYWORDS.has(keyword)) {
      throw refuse(
        `Only queries are allowed (SELECT, WITH, VALUES, TABLE, SHOW, EXPLAIN), not ${keyword ? keyword.toUpperCase() : "this"}; the connection is read-only`,
      );
    }
    const text = WRAPPABLE.has(keyword)
      ? `SELECT * FROM (\n${request.sql.trim().replace(/;+\s*$/, "")}\n) AS switchyard_query LIMIT ${request.maxRows + 1}`
      : request.sql;
    const result = await this.inReadOnlyTransaction(request, (client) =>
      client.query({
        text,
        values: request.params,
        rowMode: "array",
        queryMode: "extended",
      } as pg.QueryConfig),
    );
    const rows = (result.rows as unknown[][]).map((row) => row.map(toCell));
    return {
      columns: result.fields.map((field) => field.name),
      rows: rows.slice(0, request.maxRows),
      truncated: rows.length > request.maxRows,
    };
  }

  async tables(request: { timeoutMs: number; signal: AbortSignal }): Promise<TableDescription[]> {
    const result = await this.inReadOnlyTransaction({ ...request }, (client) =>
      client.query(
        `SELECT c.table_schema, c.table_name, t.table_type, c.column_name, c.data_type
           FROM information_schema.columns c
           JOIN information_schema.tables t USING (table_schema, table_name)
          WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema')
          ORDER BY c.table_schema, c.table_name, c.ordinal_position`,
      ),
    );
    const tables = new Map<string, TableDescription>();
    for (const row of result.rows as Array<Record<string, string>>) {
      const name = row.table_schema === "public" ? row.table_name! : `${row.table_schema}.${row.table_name}`;
      const table = tables.get(name) ?? {
        name,
        type: row.table_type === "VIEW" ? "view" : "table",
        columns: [],
      };
      table.columns.push({ name: row.column_name!, type: row.data_type! });
      tables.set(name, table);
    }
    return [...tables.values()];
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async inReadOnlyTransaction<T>(
    request: { timeoutMs: number; signal: AbortSignal },
    work: (client: pg.PoolClient) => Promise<T>,
  ): Promise<T> {
    if (request.signal.aborted) throw refuse("The call was cancelled");
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw refuse(`Cannot connect to ${this.name}: ${redactDatabaseUrl((error as Error).message)}`);
    }
    let broken: Error | undefined;
    // A cancelled call ends its connection: the server stops the statement when the socket closes.
    const onAbort = () => {
      broken = new Error("cancelled");
      client.release(broken);
    };
    request.signal.addEventListener("abort", onAbort, { once: true });
    try {
      await client.query("BEGIN READ ONLY");
      await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(request.timeoutMs))}`);
      const result = await work(client);
      await client.query("ROLLBACK");
      return result;
    } catch (error) {
      if (broken) throw refuse("The query was cancelled");
      await client.query("ROLLBACK").catch(() => {});
      throw refuse(describePostgresError(this.name, error, request.timeoutMs));
    } finally {
      request.signal.removeEventListener("abort", onAbort);
      if (!broken) client.release();
    }
  }
}

function describePostgresError(name: string, error: unknown, timeoutMs: number): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === "57014") return `The query on ${name} took longer than ${timeoutMs} ms and was stopped`;
  if (code === "25006") return `${name} refused: ${message} (the connection is read-only)`;
  // The extended protocol refuses a second statement; inside our row-limit wrapper it is a syntax error at ";".
  if (code === "42601" && /multiple commands|at or near ";"/.test(message))
    return `Only one statement per query: remove everything after the first ';' (${message})`;
  return `${name}: ${message}`;
}

/** The first word of the statement, past whitespace, comments and opening parentheses, lower-cased. */
export function leadingKeyword(sql: string): string {
  let rest = sql;
  for (;;) {
    const trimmed = rest.replace(/^[\s(]+/, "");
    if (trimmed.startsWith("--"))
      rest = trimmed.slice(trimmed.indexOf("\n") === -1 ? trimmed.length : trimmed.indexOf("\n"));
    else if (trimmed.startsWith("/*")) {
      const end = trimmed.indexOf("*/");
      rest = end === -1 ? "" : trimmed.slice(end + 2);
    } else return (/^[A-Za-z]+/.exec(trimmed)?.[0] ?? "").toLowerCase();
  }
}
