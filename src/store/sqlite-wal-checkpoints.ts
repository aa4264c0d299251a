/**
 * Keeps SQLite's WAL checkpoints off the event loop. By default SQLite checkpoints inside whichever
 * commit takes the WAL past 1,000 pages: it copies the WAL into the database and fsyncs both, several
 * milliseconds on the one thread that answers requests and steps workflows. A workflow step
 * commits about 14 pages (its checkpoint, its writes, its journal rows), so one step in some 70
 * paid for a checkpoint: that was the p99 of a step.
 *
 * Here a worker thread with its own connection to the file runs PASSIVE checkpoints, which never
 * wait for, nor block, the writer or the readers; the connection's own automatic checkpoint is
 * raised to a backstop (`BACKSTOP_PAGES`), reached only if the worker is gone or cannot catch up:
 * the WAL starts over only after a pass that copied all of it, and commits back to back with no
 * pause (steps that never wait on I/O) keep adding frames during every pass.
 *
 * Durability is unchanged (WAL, synchronous NORMAL, as the ledger opens it): a commit is in the WAL
 * when it returns and survives the process being killed, whoever copies it on later; only power
 * loss can drop the last commits, as before. The worker starts the first time the WAL grows past `startBytes`, or when told (workflows are
 * about to checkpoint every step), so a database that is barely written (a test, a short command)
 * never starts one.
 */
import { statSync } from "node:fs";
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type Database from "better-sqlite3";

/** SQLite's answer to `PRAGMA wal_checkpoint`: pages in the WAL, and how many are now in the database. */
export interface WalCheckpointResult {
  /** 1 when the checkpoint could not run at all (another was under way). */
  busy: number;
  /** Frames in the WAL. */
  log: number;
  /** Frames copied into the database so far. */
  checkpointed: number;
}

export interface SqliteWalCheckpointsOptions {
  /** The database file; its WAL is `<path>-wal`. */
  path: string;
  /** The process's connection to it, whose automatic checkpoint becomes the backstop. */
  database: Database.Database;
  /**
   * How often the worker checkpoints, ms; default 1,000. The WAL starts over at the first commit
   * after a checkpoint that copied all of it, and that commit fsyncs the WAL's new header on the
   * event loop (SQLite's guard against out-of-order writes): so at most once per interval.
   */
  intervalMs?: number;
  /** How often the WAL's size is looked at until the worker starts, ms; default 1,000. */
  lookIntervalMs?: number;
  /** WAL size at which the worker starts, bytes; default 1 MiB. */
  startBytes?: number;
  /** A checkpoint or the worker failed; the caller logs it. The backstop then does the work. */
  onError?: (error: unknown) => void;
}

/** The automatic checkpoint left on the connection: 10,000 pages (40 MB at 4 KiB a page). */
export const BACKSTOP_PAGES = 10_000;
/** SQLite's default, put back when the worker is gone. */
const DEFAULT_AUTOCHECKPOINT_PAGES = 1_000;

/**
 * The worker, as CommonJS source: the program runs from dist/ and the tests from src/, so it is
 * not a file of its own. It checkpoints on its own timer, so it keeps up even while the main
 * thread is busy for seconds on end (a chain of steps that never waits on I/O runs as one long
 * string of promise callbacks: no timer of the main thread fires meanwhile). A checkpoint with
 * nothing to copy costs microseconds. NORMAL (not OFF) keeps the checkpoint's fsyncs: they make a
 * copied page safe from power loss before the WAL frames holding it are reused.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const describe = (error) => String(error && error.message ? error.message : error);
let database;
try {
  const Database = require(workerData.driver);
  database = new Database(workerData.path, { fileMustExist: true });
  database.pragma("synchronous = NORMAL");
} catch (error) {
  parentPort.postMessage({ fatal: describe(error) });
  process.exit(1);
}
const checkpoint = () => database.pragma("wal_checkpoint(PASSIVE)")[0];
const timer = setInterval(() => {
  try {
    checkpoint();
  } catch (error) {
    parentPort.postMessage({ error: describe(error) });
  }
}, workerData.intervalMs);
parentPort.on("message", (message) => {
  if (message === "close") {
    clearInterval(timer);
    database.close();
    parentPort.close();
    return;
  }
  try {
    parentPort.postMessage({ id: message.id, result: checkpoint() });
  } catch (error) {
    parentPort.postMessage({ id: message.id, error: describe(error) });
  }
});
`;

/** What the worker says: a checkpoint's result or error (with the request's id when asked), or why it could not start. */
interface WorkerMessage {
  id?: number;
  result?: WalCheckpointResult;
  error?: string;
  fatal?: string;
}

export class SqliteWalCheckpoints {
  private worker: Worker | undefined;
  /** Looks at the WAL's size until the worker starts. */
  private readonly timer: NodeJS.Timeout;
  /** Checkpoints asked for and not yet answered, by request id. */
  private readonly waiting = new Map<
    number,
    { resolve(result: WalCheckpointResult): void; reject(error: unknown): void }
  >();
  private nextId = 0;
  private closed = false;
  private failed = false;

  constructor(private readonly options: SqliteWalCheckpointsOptions) {
    options.database.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
    // A WAL that outgrew the backstop (a reader held it) is cut back to it when it starts over;
    // below that the file is reused as it is, not cut and grown again on the event loop.
    const pageBytes = options.database.pragma("page_size", { simple: true }) as number;
    options.database.pragma(`journal_size_limit = ${BACKSTOP_PAGES * pageBytes}`);
    this.timer = setInterval(() => {
      if (this.walBytes() >= (options.startBytes ?? 1024 * 1024)) this.start();
    }, options.lookIntervalMs ?? 1_000);
    this.timer.unref();
  }

  /** Starts the worker now (a caller about to write a lot: workflow checkpoints). */
  start(): void {
    clearInterval(this.timer);
    if (this.worker || this.closed || this.failed) return;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        path: this.options.path,
        driver: createRequire(import.meta.url).resolve("better-sqlite3"),
        intervalMs: this.options.intervalMs ?? 1_000,
      },
    });
    // The process need not wait for it; close() stops it properly.
    worker.unref();
    worker.on("message", (message: WorkerMessage) => {
      if (message.fatal !== undefined)
        return this.fail(
          new Error(`The WAL checkpoint worker could not open the database: ${message.fatal}`),
        );
      const waiter = message.id === undefined ? undefined : this.waiting.get(message.id);
      if (message.id !== undefined) this.waiting.delete(message.id);
      if (this.waiting.size === 0 && !this.closed) worker.unref();
      if (message.result) return waiter?.resolve(message.result);
      const error = new Error(`WAL checkpoint failed: ${message.error}`);
      if (waiter) waiter.reject(error);
      else this.options.onError?.(error);
    });
    worker.on("error", (error) => this.fail(error));
    worker.on("exit", (code) => {
      if (!this.closed) this.fail(new Error(`The WAL checkpoint worker exited (code ${code})`));
    });
    this.worker = worker;
  }

  /** Whether the worker runs. */
  get started(): boolean {
    return this.worker !== undefined && !this.failed;
  }

  /** One PASSIVE checkpoint in the worker now (starting it if need be). */
  checkpointNow(): Promise<WalCheckpointResult> {
    this.start();
    const worker = this.worker;
    if (!worker || this.closed || this.failed)
      return Promise.reject(new Error("The WAL checkpoint worker is stopped; SQLite's own checkpoint runs"));
    const id = this.nextId++;
    // Referenced while an answer is awaited, so the process stays up for it.
    worker.ref();
    return new Promise<WalCheckpointResult>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id });
    });
  }

  /** Stops the worker after its current checkpoint; call before closing the connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    const worker = this.worker;
    if (!worker || this.failed) return;
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    // Unreferenced, it would not keep the process up while we wait: the process would end here.
    worker.ref();
    worker.postMessage("close");
    await exited;
    for (const waiter of this.waiting.values()) waiter.reject(new Error("The WAL checkpoint worker stopped"));
    this.waiting.clear();
  }

  private walBytes(): number {
    try {
      return statSync(`${this.options.path}-wal`).size;
    } catch {
      return 0;
    }
  }

  /** The worker is gone: SQLite's own checkpoint takes over again, at its usual size. */
  private fail(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
    if (this.options.database.open)
      this.options.database.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
    this.options.onError?.(error);
  }
}
