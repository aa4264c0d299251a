/**
 * The ToolHub (tool-hub.ts) over the MCP SDK client: one connection per configured server
 * (tool-server-connection.ts), the allow-lists and request filters applied here, every call
 * audited once, and tool answers turned into text for a model.
 */
import {
  ProtocolError,
  ProtocolErrorCode,
  SdkError,
  SdkErrorCode,
  type Tool,
} from "@modelcontextprotocol/client";
import type { ToolsConfig } from "../config/tools-schema.js";
import { SwitchyardError } from "../errors/switchyard-error.js";
import type { CancelSignal } from "../protocol/cancel-signal.js";
import type { JsonObject, ToolDefinition } from "../protocol/chat-types.js";
import { argumentsDigest, type ToolFailure } from "./tool-audit.js";
import type {
  ListToolsOptions,
  ToolAuditHook,
  ToolCall,
  ToolCallResult,
  ToolHub,
  ToolServerState,
  ToolServerStatus,
} from "./tool-hub.js";
import { isAllowed, joinToolName, parsePatterns, splitToolName, type ToolPattern } from "./tool-patterns.js";
import { cutText, resultText } from "./tool-result-text.js";
import { messageOf, systemClock, type ToolHubClock, ToolServerConnection } from "./tool-server-connection.js";
import type { ToolServerSpares } from "./tool-server-spares.js";
import { type BuiltinLauncher, type ToolServerSpec, toolServerSpecs } from "./tool-server-specs.js";

export interface McpToolHubOptions {
  /** The `tools:` config section. */
  config: ToolsConfig;
  /** How to run this program, to start built-in servers (`… mcp-server <kind>`). */
  launcher: BuiltinLauncher;
  /** Hears of every call once. */
  audit?: ToolAuditHook;
  clock?: ToolHubClock;
  /** Warm spare built-in servers to take instead of spawning (a workflow run's hub, on the Brain). */
  spares?: ToolServerSpares;
  /** Told of every server state change (logs; tests wait on it). */
  onServerState?: (server: string, state: ToolServerState) => void;
}

export class McpToolHub implements ToolHub {
  private readonly connections = new Map<string, ToolServerConnection>();
  private readonly specs = new Map<string, ToolServerSpec>();
  private readonly clock: ToolHubClock;
  private closed = false;

  constructor(private readonly options: McpToolHubOptions) {
    this.clock = options.clock ?? systemClock;
    const { restart } = options.config;
    for (const spec of toolServerSpecs(options.config, options.launcher)) {
      this.specs.set(spec.name, spec);
      this.connections.set(
        spec.name,
        new ToolServerConnection({
          spec,
          startTimeoutMs: options.config.start_timeout_ms,
          restart: {
            initialDelayMs: restart.initial_delay_ms,
            maxDelayMs: restart.max_delay_ms,
            maxAttempts: restart.max_attempts,
          },
          clock: this.clock,
          ...(options.spares ? { spares: options.spares } : {}),
          onStateChange: (state) => options.onServerState?.(spec.name, state),
        }),
      );
    }
  }

  get serverNames(): readonly string[] {
    return [...this.specs.keys()];
  }

  async listTools(options: ListToolsOptions = {}): Promise<ToolDefinition[]> {
    this.assertOpen();
    const patterns = options.filter === undefined ? undefined : parsePatterns(options.filter);
    if (patterns?.length === 0)
      throw new SwitchyardError(
        "invalid-request",
        'The tool filter is empty; name tools like "git.*,fs.read", or "*" for all',
      );
    const problems: string[] = [];
    const { allowed, unavailable } = await this.allowedTools(
      this.serversFor(patterns, problems),
      options.signal,
    );
    const chosen = new Map<string, ToolDefinition>();
    const choose = (server: string, tool: Tool) =>
      chosen.set(joinToolName(server, tool.name), definitionOf(server, tool));
    for (const pattern of patterns ?? []) {
      if (pattern.server !== undefined && !allowed.has(pattern.server)) continue;
      let matched = 0;
      for (const [server, tools] of allowed) {
        if (pattern.server !== undefined && pattern.server !== server) continue;
        for (const tool of tools.filter((candidate) => pattern.matchesTool(candidate.name))) {
          choose(server, tool);
          matched += 1;
        }
      }
      if (matched === 0) problems.push(this.describeUnmatched(pattern, allowed));
    }
    if (!patterns) {
      for (const [server, tools] of allowed) {
        // A server whose allow-list lets nothing through is a mistake to report, not a server to skip.
        if (tools.length === 0) problems.push(this.describeEmptyAllowList(server));
        for (const tool of tools) choose(server, tool);
      }
    }
    if (unavailable.length > 0)
      throw new SwitchyardError("upstream-unreachable", [...unavailable, ...problems].join("; "), {
        details: { unavailable, problems },
      });
    if (problems.length > 0)
      throw new SwitchyardError("invalid-request", problems.join("; "), { details: { problems } });
    if (chosen.size === 0) {
      throw new SwitchyardError(
        "invalid-request",
        this.specs.size === 0
          ? "No MCP server is configured: add one under tools.servers in switchyard.yaml"
          : `No MCP tool is allowed: every server's allow-list is empty (servers: ${this.namesOrNone()}); add tool names to tools.servers.<name>.allow`,
      );
    }
    return [...chosen.values()];
  }

  /** The servers a listing needs: those the patterns name (unknown names are problems), or all with an allow-list. */
  private serversFor(patterns: ToolPattern[] | undefined, problems: string[]): Set<string> {
    const servers = new Set<string>();
    const everyAllowing = () => {
      for (const [name, spec] of this.specs) if (spec.allow.length > 0) servers.add(name);
    };
    if (patterns === undefined) everyAllowing();
    for (const pattern of patterns ?? []) {
      if (pattern.server === undefined) everyAllowing();
      else if (this.specs.has(pattern.server)) servers.add(pattern.server);
      else
        problems.push(
          `"${pattern.text}": no MCP server is named "${pattern.server}" (configured: ${this.namesOrNone()})`,
        );
    }
    return servers;
  }

  /**
   * Starts the servers (in parallel) and keeps the tools their allow-lists let through, in config
   * order whatever order they started in, so a listing reads the same every time.
   */
  private async allowedTools(servers: Set<string>, cancel: CancelSignal | undefined) {
    const signal = abortSignalOf(cancel);
    const unavailable: string[] = [];
    const listed = await Promise.all(
      [...this.specs.values()]
        .filter((spec) => servers.has(spec.name))
        .map(async (spec) => {
          try {
            const tools = await this.connections.get(spec.name)!.listTools(signal);
            return [spec.name, tools.filter((tool) => isAllowed(spec.allow, tool.name))] as const;
          } catch (error) {
            if (cancel?.aborted) throw abortedError();
            unavailable.push(messageOf(error));
            return undefined;
          }
        }),
    );
    const allowed = new Map(listed.filter((entry) => entry !== undefined));
    return { allowed, unavailable };
  }

  async callTool(call: ToolCall): Promise<ToolCallResult> {
    this.assertOpen();
    const startedAt = this.clock.now();
    const parts = splitToolName(call.name);
    const server = parts?.server ?? call.name;
    const tool = parts?.tool ?? "";
    const parsed = parseArguments(call.arguments);
    const finish = (
      text: string,
      isError: boolean,
      failure?: ToolFailure,
      fullLength?: number,
    ): ToolCallResult => {
      this.options.audit?.({
        ...(call.requestId ? { requestId: call.requestId } : {}),
        server,
        tool,
        argumentsDigest: argumentsDigest(parsed.ok ? parsed.value : call.arguments),
        durationMs: this.clock.now() - startedAt,
        resultBytes: fullLength ?? Buffer.byteLength(text),
        isError,
        ...(failure ? { error: { failure, message: text } } : {}),
      });
      return failure ? { text, isError, failure } : { text, isError };
    };
    const spec = parts ? this.specs.get(parts.server) : undefined;
    if (!parts || !spec) {
      return finish(
        `There is no tool "${call.name}": tools are named <server>.<tool>, and the servers are ${this.namesOrNone()}`,
        true,
        "unknown-tool",
      );
    }
    if (!isAllowed(spec.allow, tool)) {
      const allowed = spec.allow.length > 0 ? spec.allow.join(", ") : "nothing";
      return finish(
        `${call.name} is not allowed: tools.servers.${server}.allow lets through ${allowed}`,
        true,
        "not-allowed",
      );
    }
    if (call.filter !== undefined) {
      const patterns = parsePatterns(call.filter);
      if (!patterns.some((pattern) => (pattern.server ?? server) === server && pattern.matchesTool(tool)))
        return finish(
          `${call.name} is not among this request's tools (${patterns.map((pattern) => pattern.text).join(", ")})`,
          true,
          "not-allowed",
        );
    }
    if (!parsed.ok)
      return finish(`The arguments for ${call.name} ${parsed.problem}`, true, "invalid-arguments");
    if (call.signal?.aborted) {
      finish(`${call.name} was cancelled before it ran`, true, "cancelled");
      throw abortedError();
    }
    const signal = abortSignalOf(call.signal) ?? new AbortController().signal;
    const timeoutMs = call.timeoutMs ?? this.options.config.call_timeout_ms;
    try {
      const result = await this.connections.get(server)!.call(tool, parsed.value, { signal, timeoutMs });
      const text = resultText(result);
      const isError = result.isError === true;
      return finish(
        cutText(text, this.options.config.max_result_chars),
        isError,
        isError ? "tool-error" : undefined,
        Buffer.byteLength(text),
      );
    } catch (error) {
      if (call.signal?.aborted) {
        finish(`${call.name} was cancelled`, true, "cancelled");
        throw abortedError();
      }
      const { failure, message } = describeCallError(call.name, error, timeoutMs);
      return finish(message, true, failure);
    }
  }

  async status(options: { start?: boolean; signal?: CancelSignal } = {}): Promise<ToolServerStatus[]> {
    this.assertOpen();
    const signal = abortSignalOf(options.signal);
    if (options.start) {
      await Promise.all(
        [...this.connections.values()].map((connection) => connection.listTools(signal).catch(() => {})),
      );
    }
    return [...this.specs.values()].map((spec) => {
      const connection = this.connections.get(spec.name)!;
      const tools = connection.tools ?? [];
      return {
        name: spec.name,
        transport: spec.transport.kind,
        ...(spec.builtin ? { builtin: spec.builtin } : {}),
        state: connection.state,
        restarts: connection.restarts,
        ...(connection.lastError ? { lastError: connection.lastError } : {}),
        ...(connection.retryAt ? { retryAt: connection.retryAt } : {}),
        ...(connection.pid ? { pid: connection.pid } : {}),
        tools: tools.map((tool) => ({
          name: joinToolName(spec.name, tool.name),
          description: tool.description ?? "",
          allowed: isAllowed(spec.allow, tool.name),
        })),
        unmatchedAllow:
          connection.tools === undefined
            ? []
            : spec.allow.filter((entry) => entry !== "*" && !tools.some((tool) => tool.name === entry)),
      };
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.connections.values()].map((connection) => connection.close()));
  }

  private assertOpen(): void {
    if (this.closed) throw new SwitchyardError("internal", "The tool hub is closed");
  }

  private namesOrNone(): string {
    return this.specs.size > 0 ? [...this.specs.keys()].join(", ") : "none";
  }

  private describeEmptyAllowList(server: string): string {
    const has = (this.connections.get(server)!.tools ?? []).map((tool) => tool.name).join(", ") || "no tools";
    return `tools.servers.${server}.allow (${this.specs.get(server)!.allow.join(", ")}) names no tool ${server} has; it has: ${has}`;
  }

  private describeUnmatched(pattern: ToolPattern, allowed: Map<string, Tool[]>): string {
    const servers = pattern.server === undefined ? [...allowed.keys()] : [pattern.server];
    const offered = servers.flatMap((server) =>
      (allowed.get(server) ?? []).map((tool) => joinToolName(server, tool.name)),
    );
    return `"${pattern.text}" matches no allowed tool (allowed: ${offered.length > 0 ? offered.join(", ") : "none"})`;
  }
}

function definitionOf(server: string, tool: Tool): ToolDefinition {
  const { $schema: _dialect, ...parameters } = tool.inputSchema as Record<string, unknown>;
  return {
    name: joinToolName(server, tool.name),
    ...(tool.description ? { description: tool.description } : {}),
    parameters: parameters as JsonObject,
  };
}

type ParsedArguments = { ok: true; value: Record<string, unknown> } | { ok: false; problem: string };

function parseArguments(input: string | Record<string, unknown>): ParsedArguments {
  if (typeof input !== "string") return { ok: true, value: input };
  if (input.trim() === "") return { ok: true, value: {} };
  let value: unknown;
  try {
    value = JSON.parse(input);
  } catch (error) {
    return { ok: false, problem: `are not valid JSON (${(error as Error).message}); send a JSON object` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return { ok: false, problem: "must be a JSON object of named arguments" };
  return { ok: true, value: value as Record<string, unknown> };
}

function describeCallError(
  name: string,
  error: unknown,
  timeoutMs: number,
): { failure: ToolFailure; message: string } {
  if (error instanceof ProtocolError) {
    if (error.code === ProtocolErrorCode.InvalidParams) {
      const unknown = /unknown tool|not found/i.test(error.message);
      return {
        failure: unknown ? "unknown-tool" : "invalid-arguments",
        message: `${name}: ${error.message}`,
      };
    }
    return { failure: "tool-error", message: `${name} failed on the server: ${error.message}` };
  }
  if (error instanceof SdkError && error.code === SdkErrorCode.RequestTimeout)
    return {
      failure: "timeout",
      message: `${name} took longer than its time limit of ${timeoutMs} ms and was stopped`,
    };
  if (error instanceof SwitchyardError && error.code === "upstream-timeout")
    return { failure: "timeout", message: `${name} could not run: ${error.message}` };
  return { failure: "unavailable", message: `${name} could not run: ${messageOf(error)}` };
}

function abortedError(): SwitchyardError {
  return new SwitchyardError("aborted", "The tool call was cancelled: the caller went away");
}

/** The SDK takes an AbortSignal; ours may be the gateway's lighter Cancellation. */
function abortSignalOf(signal: CancelSignal | undefined): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  if (signal instanceof AbortSignal) return signal;
  const controller = new AbortController();
  if (signal.aborted) controller.abort(signal.reason);
  else signal.addEventListener("abort", () => controller.abort(signal.reason), { once: true });
  return controller.signal;
}
