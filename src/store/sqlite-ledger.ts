/**
 * The ledger on embedded SQLite (better-sqlite3). WAL mode, so readers never block the writer and
 * a killed process loses nothing that was committed. Rows are queued and written in one
 * transaction every few milliseconds (or sooner when many are waiting), so a burst of a thousand
 * requests costs a handful of commits, not a thousand, and no commit sits on a response's path.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { FallbackHop, LedgerStore, RequestRecord } from "./ledger-store.js";

/** How long a row may wait before its batch is committed. */
const FLUSH_INTERVAL_MS = 20;
/** A batch this large is committed at once. */
const MAX_BATCH_ROWS = 500;

const MIGRATIONS: string[] = [
  `CREATE TABLE requests (
     id TEXT PRIMARY KEY,
     started_at INTEGER NOT NULL,
     front_door TEXT NOT NULL,
     task TEXT NOT NULL,
     selector TEXT NOT NULL,
     tier INTEGER NOT NULL,
     alias TEXT NOT NULL,
     model TEXT NOT NULL,
     backend TEXT NOT NULL,
     stream INTEGER NOT NULL,
     input_tokens INTEGER NOT NULL,
     output_tokens INTEGER NOT NULL,
     cost_usd REAL NOT NULL,
     ttft_ms REAL,
     latency_ms REAL NOT NULL,
     status TEXT NOT NULL,
     error_code TEXT,
     error_message TEXT,
     fallback_hops INTEGER NOT NULL,
     fallback_detail TEXT,
     tokens_per_second REAL,
     caller TEXT
   );
   CREATE INDEX requests_started_at ON requests (started_at);`,
];

interface RequestRow {
  id: string;
  started_at: number;
  front_door: string;
  task: string;
  selector: string;
  tier: number;
  alias: string;
  model: string;
  backend: string;
  stream: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  ttft_ms: number | null;
  latency_ms: number;
  status: RequestRecord["status"];
  error_code: string | null;
  error_message: string | null;
  fallback_hops: number;
  fallback_detail: string | null;
  tokens_per_second: number | null;
  caller: string | null;
}

export class SqliteLedger implements LedgerStore {
  readonly database: Database.Database;
  private queue: RequestRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly insert: Database.Statement;
  private readonly insertBatch: (rows: RequestRecord[]) => void;

  constructor(path: string) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.database = new Database(path);
    this.database.pragma("journal_mode = WAL");
    // NORMAL in WAL mode survives a process crash (kill -9); only power loss can drop the last commit.
    this.database.pragma("synchronous = NORMAL");
    this.database.pragma("busy_timeout = 5000");
    migrate(this.database);
    this.insert = this.database.prepare(
      `INSERT OR REPLACE INTO requests VALUES (${COLUMNS.map(() => "?").join(", ")})`,
    );
    this.insertBatch = this.database.transaction((rows: RequestRecord[]) => {
      for (const row of rows) this.insert.run(toValues(row));
    });
  }

  record(row: RequestRecord): void {
    this.queue.push(row);
    if (this.queue.length >= MAX_BATCH_ROWS) {
      this.writeQueued();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.writeQueued(), FLUSH_INTERVAL_MS);
      this.timer.unref();
    }
  }

  async flush(): Promise<void> {
    this.writeQueued();
  }

  async recent(limit: number): Promise<RequestRecord[]> {
    this.writeQueued();
    const rows = this.database
      .prepare("SELECT * FROM requests ORDER BY started_at DESC, rowid DESC LIMIT ?")
      .all(limit) as RequestRow[];
    return rows.map(fromRow);
  }

  async close(): Promise<void> {
    this.writeQueued();
    this.database.close();
  }

  private writeQueued(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queue.length === 0 || !this.database.open) return;
    const rows = this.queue;
    this.queue = [];
    this.insertBatch(rows);
  }
}

function migrate(database: Database.Database): void {
  const version = database.pragma("user_version", { simple: true }) as number;
  for (let index = version; index < MIGRATIONS.length; index++) {
    database.transaction(() => {
      database.exec(MIGRATIONS[index]!);
      database.pragma(`user_version = ${index + 1}`);
    })();
  }
}

const COLUMNS = [
  "id",
  "started_at",
  "front_door",
  "task",
  "selector",
  "tier",
  "alias",
  "model",
  "backend",
  "stream",
  "input_tokens",
  "output_tokens",
  "cost_usd",
  "ttft_ms",
  "latency_ms",
  "status",
  "error_code",
  "error_message",
  "fallback_hops",
  "fallback_detail",
  "tokens_per_second",
  "caller",
] as const satisfies ReadonlyArray<keyof RequestRow>;

/** Positional values in COLUMNS order: binding by position is several times cheaper than by name. */
function toValues(record: RequestRecord): unknown[] {
  const row = toRow(record);
  return COLUMNS.map((column) => row[column]);
}

function toRow(record: RequestRecord): RequestRow {
  return {
    id: record.id,
    started_at: record.startedAt,
    front_door: record.frontDoor,
    task: record.task,
    selector: record.selector,
    tier: record.tier,
    alias: record.alias,
    model: record.model,
    backend: record.backend,
    stream: record.stream ? 1 : 0,
    input_tokens: record.inputTokens,
    output_tokens: record.outputTokens,
    cost_usd: record.costUsd,
    ttft_ms: record.ttftMs,
    latency_ms: record.latencyMs,
    status: record.status,
    error_code: record.errorCode,
    error_message: record.errorMessage,
    fallback_hops: record.fallbackHops.length,
    fallback_detail: record.fallbackHops.length ? JSON.stringify(record.fallbackHops) : null,
    tokens_per_second: record.tokensPerSecond,
    caller: record.caller,
  };
}

function fromRow(row: RequestRow): RequestRecord {
  return {
    id: row.id,
    startedAt: row.started_at,
    frontDoor: row.front_door,
    task: row.task,
    selector: row.selector,
    tier: row.tier,
    alias: row.alias,
    model: row.model,
    backend: row.backend,
    stream: row.stream === 1,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    costUsd: row.cost_usd,
    ttftMs: row.ttft_ms,
    latencyMs: row.latency_ms,
    status: row.status,
    errorCode: row.error_code,
    errorMessage: row.error_message,
    fallbackHops: row.fallback_detail ? (JSON.parse(row.fallback_detail) as FallbackHop[]) : [],
    tokensPerSecond: row.tokens_per_second,
    caller: row.caller,
  };
}
