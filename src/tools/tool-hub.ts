/**
 * The contract between Switchyard and the MCP servers it may call: what the core's agent loop
 * (and `switchyard tools`) use. A hub holds the configured servers — started lazily, restarted
 * with backoff after a crash, stopped by `close()` — and exposes only the tools on each server's
 * allow-list, named `<server>.<tool>` (`git.status`). The implementation is mcp-tool-hub.ts.
 */
import type { BuiltinServerKind } from "../config/tools-schema.js";
import type { CancelSignal } from "../protocol/cancel-signal.js";
import type { ToolDefinition } from "../protocol/chat-types.js";
import type { ToolAuditRecord, ToolFailure } from "./tool-audit.js";

export interface ToolHub {
  /** The configured servers, by name (no server is started to answer). */
  readonly serverNames: readonly string[];

  /**
   * The tools a request may use, as our own ToolDefinitions (name `server.tool`, description, the
   * tool's JSON Schema as parameters). `filter` narrows them with patterns — `git.*,fs.read`, a
   * list of the same, `*` for every allowed tool; without it every allowed tool is listed. Only
   * the servers a filter names are started.
   *
   * Fails loudly, never with an empty list: a SwitchyardError ("invalid-request") naming each
   * pattern that matched no allowed tool, or naming that no tool is allowed at all; or
   * ("upstream-unreachable") naming each server that could not be started and why.
   */
  listTools(options?: ListToolsOptions): Promise<ToolDefinition[]>;

  /**
   * Calls a tool by its namespaced name. Anything the model can act on comes back as a result
   * with `isError` and a message saying what went wrong: a tool not allowed (or not matching the
   * call's filter), unknown, arguments that are not JSON or fail the tool's schema, the tool's
   * own refusal, the time limit, a server that is down. It rejects only with a SwitchyardError
   * "aborted" when `signal` fires, and "internal" after `close()`. The audit hook hears of every
   * call, refusals included, exactly once.
   */
  callTool(call: ToolCall): Promise<ToolCallResult>;

  /**
   * Each server's state, restarts and last error; with `start`, every server is started and its
   * tools listed (allowed or not), for `switchyard tools`. Never throws for a server that fails:
   * its status says why.
   */
  status(options?: { start?: boolean; signal?: CancelSignal }): Promise<ToolServerStatus[]>;

  /** Stops every server (stdio children exit; HTTP sessions end) and refuses further calls. */
  close(): Promise<void>;
}

export interface ListToolsOptions {
  /** Patterns such as `git.*,fs.read` (a string, comma-separated, or a list of them). */
  filter?: string | readonly string[];
  signal?: CancelSignal;
}

export interface ToolCall {
  /** The namespaced name, `server.tool`. */
  name: string;
  /** The arguments: an object, or the JSON text a model produced. */
  arguments: string | Record<string, unknown>;
  signal?: CancelSignal;
  /**
   * The call's time limit, default `tools.call_timeout_ms`; it covers waiting for the server to
   * start or restart. At the limit the server is told to stop (MCP cancellation).
   */
  timeoutMs?: number;
  /** The request's filter, when it had one: a tool outside it is refused like one not allowed. */
  filter?: string | readonly string[];
  /** The ledger id of the attempt whose answer asked for the call: the audit links them. */
  requestId?: string;
}

export interface ToolCallResult {
  /** What the tool answered (text content joined; cut at `tools.max_result_chars`), or why it failed. */
  text: string;
  isError: boolean;
  /** Why the call failed, when it did (isError from the tool itself is "tool-error"). */
  failure?: ToolFailure;
}

/** Receives one record per call; the lead wires it to the ledger. It must not throw. */
export type ToolAuditHook = (record: ToolAuditRecord) => void;

export type ToolServerState =
  /** Not started yet: servers start on first use. */
  | "idle"
  | "starting"
  | "running"
  /** Crashed or failed to start; a restart is scheduled (`retryAt`). */
  | "backoff"
  /** Failed `tools.restart.max_attempts` times in a row; the next use tries once more. */
  | "failed"
  | "closed";

export interface ToolServerStatus {
  name: string;
  transport: "stdio" | "http";
  /** For a built-in server, its kind. */
  builtin?: BuiltinServerKind;
  state: ToolServerState;
  /** Restarts after crashes since the hub began. */
  restarts: number;
  /** Why it last failed (a start error, how it exited, the tail of its stderr). */
  lastError?: string;
  /** Epoch milliseconds of the next restart, while in backoff. */
  retryAt?: number;
  /** The process of a running stdio server. */
  pid?: number;
  /** Its tools, when it has been started: namespaced, with whether the allow-list lets them through. */
  tools: Array<{ name: string; description: string; allowed: boolean }>;
  /** Allow-list entries that name no tool of the server (a typo, or a tool it no longer has). */
  unmatchedAllow: string[];
}
