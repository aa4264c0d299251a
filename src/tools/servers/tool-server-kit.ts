/**
 * What every MCP server Switchyard serves is made of — the built-in git, fs and db servers and
 * Switchyard's own (`src/mcp/`): a list of tools (a zod input schema and a `run` function each)
 * turned into an SDK `Server` with our own `tools/list` and `tools/call`. We use
 * the low-level Server rather than McpServer because McpServer answers an unknown tool's
 * arguments or a schema failure with a tool result; here anything wrong with the call itself — an
 * unknown tool, arguments that fail the schema, arguments over the size limit — is a JSON-RPC
 * "invalid params" error naming the problem, and only what the tool itself refuses (a path outside
 * the roots, a write while writes are off) is a result with `isError`. A tool that throws
 * anything else becomes an `isError` result too: nothing a caller sends stops the server.
 */
import { ProtocolError, ProtocolErrorCode, Server } from "@modelcontextprotocol/server";
import { z } from "zod";
import { SwitchyardError } from "../../errors/switchyard-error.js";
import { VERSION } from "../../version.js";

/** What a tool's `run` gets besides its arguments. */
export interface ToolRunContext {
  /** Aborted when the caller cancels the call or gives up on it (its time limit). */
  signal: AbortSignal;
}

/**
 * What a tool gives back: text for the model, and optionally the same as a JSON object
 * (`structuredContent`) for clients that read values rather than prose.
 */
export type ToolOutput = string | { text: string; structured?: Record<string, unknown> };

/** A JSON object as a tool's output: pretty-printed for the model, and as structured content. */
export function jsonOutput(value: Record<string, unknown>): ToolOutput {
  return { text: JSON.stringify(value, null, 2), structured: value };
}

/** Hints for the client (MCP tool annotations); by default derived from `writes`. */
export interface ToolHints {
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  /** The tool reaches beyond this server (models, the network). */
  openWorldHint?: boolean;
}

/** One tool of a built-in server. */
export interface ServerTool {
  /** The tool's name on this server (the hub shows it as `<server>.<name>`). */
  name: string;
  /** What the tool does, for the model: one or two sentences, limits included. */
  description: string;
  /** The arguments, as a strict zod object; its JSON Schema is what `tools/list` shows. */
  inputSchema: z.ZodObject;
  /** Changes files or the repository: only offered when the server's `writes` is on. */
  writes: boolean;
  /** The shape of `structured` in the output, when the tool gives one; listed as `outputSchema`. */
  outputSchema?: z.ZodObject;
  /** Annotations over the ones derived from `writes`. */
  hints?: ToolHints;
  /**
   * Does the work and returns what the caller sees. A refusal (why, and what is allowed) is
   * thrown as a SwitchyardError; it reaches the caller as a result with `isError`.
   */
  run(args: unknown, context: ToolRunContext): Promise<ToolOutput>;
}

/** Declares a tool with its arguments typed from its schema. */
export function defineTool<Schema extends z.ZodObject>(tool: {
  name: string;
  description: string;
  inputSchema: Schema;
  writes?: boolean;
  outputSchema?: z.ZodObject;
  hints?: ToolHints;
  run(args: z.output<Schema>, context: ToolRunContext): Promise<ToolOutput>;
}): ServerTool {
  return {
    name: tool.name,
    description: tool.description,
    inputSchema: tool.inputSchema,
    writes: tool.writes ?? false,
    ...(tool.outputSchema ? { outputSchema: tool.outputSchema } : {}),
    ...(tool.hints ? { hints: tool.hints } : {}),
    run: (args, context) => tool.run(args as z.output<Schema>, context),
  };
}

/** A built-in server's tools and the resources they hold (connections, child processes). */
export interface ToolSet {
  /** The server's name as MCP clients see it, e.g. "switchyard-git". */
  serverName: string;
  tools: ServerTool[];
  /** Largest `arguments` object accepted, in bytes of JSON. */
  maxArgumentBytes: number;
  /** What the server is for, sent to the client on initialisation (MCP server instructions). */
  instructions?: string;
  /** Releases what the tools hold; called once when the server stops. */
  close(): Promise<void>;
}

/** Makes a fresh SDK Server over the tool set: one per connection or per HTTP request. */
export function toolServerFactory(toolSet: ToolSet, onError: (error: Error) => void): () => Server {
  const listed = toolSet.tools.map((tool) => ({
    name: tool.name,
    description: tool.description,
    inputSchema: jsonSchemaOf(tool.inputSchema),
    ...(tool.outputSchema ? { outputSchema: jsonSchemaOf(tool.outputSchema, "output") } : {}),
    annotations: {
      readOnlyHint: !tool.writes,
      destructiveHint: tool.writes,
      openWorldHint: false,
      ...tool.hints,
    },
  }));
  const byName = new Map(toolSet.tools.map((tool) => [tool.name, tool]));
  return () => {
    const server = new Server(
      { name: toolSet.serverName, version: VERSION },
      {
        capabilities: { tools: {} },
        ...(toolSet.instructions ? { instructions: toolSet.instructions } : {}),
      },
    );
    server.setRequestHandler("tools/list", async () => ({ tools: listed }));
    server.setRequestHandler("tools/call", async (request, context) => {
      const { name, arguments: args = {} } = request.params;
      const tool = byName.get(name);
      if (tool === undefined) {
        throw new ProtocolError(
          ProtocolErrorCode.InvalidParams,
          `Unknown tool "${name}"; ${toolSet.serverName} has: ${[...byName.keys()].join(", ")}`,
        );
      }
      const size = Buffer.byteLength(JSON.stringify(args));
      if (size > toolSet.maxArgumentBytes) {
        throw new ProtocolError(
          ProtocolErrorCode.InvalidParams,
          `The arguments for "${name}" are ${size} bytes, over this server's limit of ${toolSet.maxArgumentBytes} (max_argument_bytes)`,
        );
      }
      const parsed = tool.inputSchema.safeParse(args);
      if (!parsed.success) {
        throw new ProtocolError(
          ProtocolErrorCode.InvalidParams,
          `Invalid arguments for "${name}": ${describeIssues(parsed.error)}`,
        );
      }
      try {
        const output = await tool.run(parsed.data, { signal: context.mcpReq.signal });
        if (typeof output === "string") return { content: [{ type: "text", text: output }] };
        return {
          content: [{ type: "text", text: output.text }],
          ...(output.structured ? { structuredContent: output.structured } : {}),
        };
      } catch (error) {
        if (error instanceof SwitchyardError) return errorResult(error.message);
        onError(error instanceof Error ? error : new Error(String(error)));
        return errorResult(`${name} failed unexpectedly: ${error instanceof Error ? error.message : error}`);
      }
    });
    return server;
  };
}

function errorResult(text: string) {
  return { content: [{ type: "text" as const, text }], isError: true };
}

function jsonSchemaOf(
  schema: z.ZodObject,
  io: "input" | "output" = "input",
): { type: "object"; [key: string]: unknown } {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io }) as Record<string, unknown>;
  return { ...rest, type: "object" };
}

/** `path: problem; path: problem`, short enough for a model to read and fix. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join(".");
      const message =
        issue.code === "unrecognized_keys"
          ? `unknown argument${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((key) => `"${key}"`).join(", ")}`
          : issue.message.replace(/^Invalid input: /, "");
      return path ? `${path}: ${message}` : message;
    })
    .join("; ");
}

/** A refusal from a tool: the caller sees the message as an `isError` result. */
export function refuse(message: string): SwitchyardError {
  return new SwitchyardError("invalid-request", message);
}
