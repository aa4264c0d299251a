/**
 * SQLite for the db server: queries run in a child process (sqlite-runner.ts), one per database,
 * started on first use. A query past its time limit, or whose caller gave up, kills the child —
 * the only way to stop better-sqlite3 mid-query — and the next query starts a fresh one. Queries
 * to one database run one at a time, so a kill only ever stops the query it was meant for.
 */
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { refuse } from "../tool-server-kit.js";
import type { DatabaseEngine, QueryRequest, QueryResult, TableDescription } from "./db-engine.js";
import type { RunnerReply, RunnerRequest } from "./sqlite-runner.js";

/** From the sources (through tsx) the runner is a .ts file and needs tsx too. */
const fromSources = import.meta.url.endsWith(".ts");
const RUNNER = fileURLToPath(
  new URL(fromSources ? "./sqlite-runner.ts" : "./sqlite-runner.js", import.meta.url),
);

/** How long a runner may take to start (loading better-sqlite3, or the sources through tsx). */
const RUNNER_START_MS = 60_000;

type RunnerJob =
  | { kind: "query"; sql: string; params: QueryRequest["params"]; maxRows: number }
  | { kind: "tables" };

export class SqliteEngine implements DatabaseEngine {
  readonly kind = "sqlite";
  private child: ChildProcess | undefined;
  private nextId = 1;
  /** The tail of the one-at-a-time queue. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly name: string,
    private readonly path: string,
  ) {}

  query(request: QueryRequest): Promise<QueryResult> {
    const job: RunnerJob = {
      kind: "query",
      sql: request.sql,
      params: request.params,
      maxRows: request.maxRows,
    };
    return this.enqueue(() => this.run(job, request.timeoutMs, request.signal)) as Promise<QueryResult>;
  }

  tables(request: { timeoutMs: number; signal: AbortSignal }): Promise<TableDescription[]> {
    return this.enqueue(() => this.run({ kind: "tables" }, request.timeoutMs, request.signal)) as Promise<
      TableDescription[]
    >;
  }

  async close(): Promise<void> {
    this.stopChild();
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work, work);
    this.queue = result.catch(() => {});
    return result;
  }

  private async run(job: RunnerJob, timeoutMs: number, signal: AbortSignal): Promise<unknown> {
    const child = await this.startChild(signal);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const finish = (outcome: () => void) => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        child.off("message", onMessage);
        child.off("exit", onExit);
        outcome();
      };
      const stop = (why: string) => {
        this.stopChild();
        finish(() => reject(refuse(`The query on ${this.name} ${why} and was stopped`)));
      };
      const timer = setTimeout(() => stop(`took longer than ${timeoutMs} ms`), timeoutMs);
      const onAbort = () => stop("was cancelled");
      const onMessage = (reply: RunnerReply) => {
        if ("ready" in reply || reply.id !== id) return;
        finish(() => (reply.ok ? resolve(reply.result) : reject(refuse(`${this.name}: ${reply.message}`))));
      };
      const onExit = (code: number | null) => {
        if (this.child === child) this.child = undefined;
        finish(() => reject(refuse(`The SQLite runner for ${this.name} stopped (exit code ${code})`)));
      };
      if (signal.aborted) {
        finish(() => reject(refuse("The call was cancelled")));
        return;
      }
      signal.addEventListener("abort", onAbort, { once: true });
      child.on("message", onMessage);
      child.once("exit", onExit);
      child.send({ ...job, id } satisfies RunnerRequest);
    });
  }

  /** The running runner, or a new one once it has said it is ready. */
  private async startChild(signal: AbortSignal): Promise<ChildProcess> {
    if (this.child && this.child.exitCode === null && this.child.connected) return this.child;
    // stdout stays closed: this process's stdout may be an MCP stdio stream.
    const child = fork(RUNNER, [this.path], {
      execArgv: fromSources ? ["--import", "tsx"] : [],
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      const done = (outcome: () => void) => {
        clearTimeout(timer);
        child.off("message", onMessage);
        child.off("exit", onExit);
        signal.removeEventListener("abort", onAbort);
        outcome();
      };
      const fail = (why: string) => {
        this.stopChild();
        done(() => reject(refuse(`The SQLite runner for ${this.name} ${why}`)));
      };
      const timer = setTimeout(() => fail(`did not start within ${RUNNER_START_MS} ms`), RUNNER_START_MS);
      const onMessage = (reply: RunnerReply) => "ready" in reply && done(resolve);
      const onExit = (code: number | null) => fail(`exited at start (exit code ${code})`);
      const onAbort = () => fail("was stopped: the call was cancelled");
      child.on("message", onMessage);
      child.once("exit", onExit);
      signal.addEventListener("abort", onAbort, { once: true });
    });
    return child;
  }

  private stopChild(): void {
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null) child.kill("SIGKILL");
  }
}
