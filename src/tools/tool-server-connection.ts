/**
 * One MCP server as the hub sees it: an SDK client over stdio or Streamable HTTP, started on first
 * use, restarted after a crash with exponential backoff, and stopped by `close()`.
 *
 * Backoff: each crash or failed start waits `initial_delay_ms × 2^(n−1)` (capped at
 * `max_delay_ms`) before the next start, n counting failures in a row; a server that stayed up for
 * `max_delay_ms` starts the count afresh. After `max_attempts` failures in a row the hub stops
 * restarting it ("failed"); the next call tries once more. A call that arrives during a backoff
 * waits for the scheduled restart (within its own time limit) rather than failing at once.
 *
 * A built-in server is taken from the warm spares (tool-server-spares.ts) when there is one, and
 * spawned otherwise; either way it starts, fails, crashes and stops the same.
 */
import {
  type CallToolResult,
  Client,
  ProtocolError,
  SdkError,
  SdkErrorCode,
  SdkHttpError,
  StreamableHTTPClientTransport,
  type Tool,
} from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { SwitchyardError } from "../errors/switchyard-error.js";
import { VERSION } from "../version.js";
import { SpareServerTransport } from "./spare-server-transport.js";
import type { ToolServerState } from "./tool-hub.js";
import type { ToolServerSpares } from "./tool-server-spares.js";
import { BUILTIN_SETTINGS_VARIABLE, type ToolServerSpec } from "./tool-server-specs.js";

/** Time as the hub reads it; tests pass their own to step through a backoff. */
export interface ToolHubClock {
  now(): number;
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: ToolHubClock = {
  now: () => Date.now(),
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface RestartPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  maxAttempts: number;
}

export interface ToolServerConnectionOptions {
  spec: ToolServerSpec;
  startTimeoutMs: number;
  restart: RestartPolicy;
  clock: ToolHubClock;
  /** Warm spare built-in servers to take before spawning one. */
  spares?: ToolServerSpares;
  onStateChange?: (state: ToolServerState) => void;
}

/** A started server: its client and the tools it listed. */
interface LiveServer {
  client: Client;
  tools: Tool[];
  startedAt: number;
  pid: number | undefined;
}

const STDERR_TAIL_CHARS = 2_000;

export class ToolServerConnection {
  state: ToolServerState = "idle";
  restarts = 0;
  lastError: string | undefined;
  retryAt: number | undefined;
  private live: LiveServer | undefined;
  /** A start under way, or scheduled after a backoff. */
  private pending: Promise<LiveServer> | undefined;
  private retryTimer: unknown;
  private failures = 0;
  private stderrTail = "";

  constructor(private readonly options: ToolServerConnectionOptions) {}

  get name(): string {
    return this.options.spec.name;
  }

  /** The tools it listed when it last started; undefined before it has. */
  get tools(): Tool[] | undefined {
    return this.live?.tools;
  }

  /** The process id of a running stdio server. */
  get pid(): number | undefined {
    return this.live?.pid;
  }

  /** The running server: started now if idle or failed, or once a scheduled restart has run. */
  ready(signal?: AbortSignal): Promise<LiveServer> {
    if (this.state === "closed") return Promise.reject(closedError(this.name));
    if (this.live) return Promise.resolve(this.live);
    this.pending ??= this.connect();
    return signal ? untilAborted(this.pending, signal) : this.pending;
  }

  async listTools(signal?: AbortSignal): Promise<Tool[]> {
    return (await this.ready(signal)).tools;
  }

  /** Calls a tool; errors are the SDK's (ProtocolError, SdkError) or a SwitchyardError from starting. */
  async call(
    tool: string,
    args: Record<string, unknown>,
    options: { signal: AbortSignal; timeoutMs: number },
  ): Promise<CallToolResult> {
    const waitLimit = AbortSignal.timeout(options.timeoutMs);
    const live = await this.ready(AbortSignal.any([options.signal, waitLimit])).catch((error: unknown) => {
      if (!waitLimit.aborted || options.signal.aborted) throw error;
      throw new SwitchyardError(
        "upstream-timeout",
        `MCP server ${this.name} is ${this.state === "backoff" ? "waiting to restart" : "starting"} and was not ready within the call's time limit of ${options.timeoutMs} ms${this.lastError ? ` (last error: ${this.lastError})` : ""}`,
        { backend: `mcp:${this.name}` },
      );
    });
    try {
      return await live.client.callTool(
        { name: tool, arguments: args },
        { signal: options.signal, timeout: options.timeoutMs, maxTotalTimeout: options.timeoutMs },
      );
    } catch (error) {
      const answered = error instanceof ProtocolError;
      const timedOut = error instanceof SdkError && error.code === SdkErrorCode.RequestTimeout;
      if (!answered && !timedOut && !options.signal.aborted)
        this.lost(live, `stopped answering: ${messageOf(error)}`);
      throw error;
    }
  }

  async close(): Promise<void> {
    this.setState("closed");
    this.options.clock.clearTimeout(this.retryTimer);
    this.retryAt = undefined;
    this.pending = undefined;
    const live = this.live;
    this.live = undefined;
    if (live) await live.client.close().catch(() => {});
  }

  private async connect(): Promise<LiveServer> {
    this.setState("starting");
    this.stderrTail = "";
    const client = new Client({ name: "switchyard", version: VERSION });
    // Transport errors surface as a failed call or a closed connection; nothing to do here.
    client.onerror = () => {};
    const transport = this.transport();
    const timeout = this.options.startTimeoutMs;
    try {
      await client.connect(transport, { timeout });
      const { tools } = await client.listTools(undefined, { timeout });
      if (this.state === "closed") throw closedError(this.name);
      const pid = "pid" in transport ? (transport.pid ?? undefined) : undefined;
      const live: LiveServer = { client, tools, startedAt: this.options.clock.now(), pid };
      client.onclose = () => this.lost(live, `exited${this.stderrNote()}`);
      this.live = live;
      this.pending = undefined;
      this.retryAt = undefined;
      this.setState("running");
      return live;
    } catch (error) {
      await client.close().catch(() => {});
      if (this.state === "closed") throw closedError(this.name);
      const message = `could not be started: ${messageOf(error)}${this.stderrNote()}`;
      this.pending = undefined;
      this.failed(message);
      throw new SwitchyardError("upstream-unreachable", `MCP server ${this.name} ${message}`, {
        backend: `mcp:${this.name}`,
        cause: error,
      });
    }
  }

  private transport(): StdioClientTransport | SpareServerTransport | StreamableHTTPClientTransport {
    const spec = this.options.spec.transport;
    if (spec.kind === "http") {
      return new StreamableHTTPClientTransport(new URL(spec.url), { requestInit: { headers: spec.headers } });
    }
    const spare = this.options.spares?.take(this.options.spec);
    const transport = spare
      ? new SpareServerTransport(spare, spec.env[BUILTIN_SETTINGS_VARIABLE]!)
      : new StdioClientTransport({
          command: spec.command,
          args: spec.args,
          env: spec.env,
          stderr: "pipe",
          ...(spec.cwd ? { cwd: spec.cwd } : {}),
        });
    transport.stderr?.on("data", (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString("utf8")).slice(-STDERR_TAIL_CHARS);
    });
    return transport;
  }

  /** The running server went away (crashed, exited, stopped answering). */
  private lost(live: LiveServer, reason: string): void {
    if (this.live !== live) return;
    this.live = undefined;
    this.restarts += 1;
    void live.client.close().catch(() => {});
    if (this.options.clock.now() - live.startedAt >= this.options.restart.maxDelayMs) this.failures = 0;
    this.failed(reason);
  }

  /** Counts a failure and schedules the next start, or gives up until the next call. */
  private failed(reason: string): void {
    this.lastError = reason;
    this.failures += 1;
    const { initialDelayMs, maxDelayMs, maxAttempts } = this.options.restart;
    if (this.failures > maxAttempts) {
      this.retryAt = undefined;
      this.setState("failed");
      return;
    }
    const delay = Math.min(initialDelayMs * 2 ** (this.failures - 1), maxDelayMs);
    this.retryAt = this.options.clock.now() + delay;
    const scheduled = new Promise<void>((resolve) => {
      this.retryTimer = this.options.clock.setTimeout(resolve, delay);
    }).then(() => (this.state === "closed" ? Promise.reject(closedError(this.name)) : this.connect()));
    // Nobody may be waiting for this restart; its outcome is recorded in the state either way.
    scheduled.catch(() => {});
    this.pending = scheduled;
    this.setState("backoff");
  }

  private stderrNote(): string {
    const tail = this.stderrTail.trim();
    return tail ? ` (stderr: ${tail.split("\n").slice(-3).join(" | ")})` : "";
  }

  private setState(state: ToolServerState): void {
    if (this.state === state) return;
    this.state = state;
    this.options.onStateChange?.(state);
  }
}

function closedError(name: string): SwitchyardError {
  return new SwitchyardError("internal", `MCP server ${name} is closed: the tool hub was closed`);
}

/** An error's message, with the HTTP status and the cause when they add something. */
export function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const message = error.message.trim();
  const status = error instanceof SdkHttpError ? ` (HTTP ${error.status})` : "";
  const cause =
    error.cause instanceof Error && !message.includes(error.cause.message.trim())
      ? `: ${error.cause.message}`
      : "";
  return `${message}${status}${cause}`;
}

/** The promise, or a rejection as soon as the signal fires (the promise itself carries on). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
