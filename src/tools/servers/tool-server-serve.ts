/**
 * Running a built-in tool server: over stdio (how the hub starts one, and how an MCP client such
 * as Claude Code would) or over Streamable HTTP on a loopback address. Either way the server's
 * resources are released once, when it stops. The HTTP side's code loads only when a server
 * serves HTTP: the hub starts every server over stdio, once per workflow run.
 */
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Readable, Writable } from "node:stream";
import { serveStdio } from "@modelcontextprotocol/server/stdio";
import { isLoopbackHost } from "../../config/config-schema.js";
import { SwitchyardError } from "../../errors/switchyard-error.js";
import { StdioLineTransport } from "./stdio-line-transport.js";
import { type ToolSet, toolServerFactory } from "./tool-server-kit.js";

export interface RunningToolServer {
  /** The endpoint, for a server on HTTP. */
  url?: string;
  /** Resolves once the server has stopped (stdin closed, or `close()`) and released its resources. */
  closed: Promise<void>;
  close(): Promise<void>;
}

/** A JSON-RPC line may be this much longer than the largest arguments (the envelope around them). */
export const ENVELOPE_BYTES = 64 * 1024;

export function serveToolsOverStdio(
  toolSet: ToolSet,
  options: { input?: Readable; output?: Writable; onError: (error: Error) => void },
): RunningToolServer {
  const transport = new StdioLineTransport({
    ...(options.input ? { input: options.input } : {}),
    ...(options.output ? { output: options.output } : {}),
    maxLineBytes: toolSet.maxArgumentBytes + ENVELOPE_BYTES,
  });
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await handle.close().catch(options.onError);
      await toolSet.close().catch(options.onError);
      resolveClosed();
    })();
    return stopping;
  };
  const handle = serveStdio(toolServerFactory(toolSet, options.onError), {
    transport,
    onerror: options.onError,
  });
  transport.closed.then(stop, stop);
  return { closed, close: stop };
}

export async function serveToolsOverHttp(
  toolSet: ToolSet,
  options: { host: string; port: number; onError: (error: Error) => void },
): Promise<RunningToolServer & { url: string }> {
  if (!isLoopbackHost(options.host)) {
    throw new SwitchyardError(
      "invalid-request",
      `A built-in tool server listens on loopback only (127.0.0.1, ::1 or localhost), not ${options.host}: it has no authentication of its own`,
    );
  }
  const [{ localhostHostValidation, localhostOriginValidation, toNodeHandler }, { createMcpHandler }] =
    await Promise.all([import("@modelcontextprotocol/node"), import("@modelcontextprotocol/server")]);
  const handler = toNodeHandler(
    createMcpHandler(toolServerFactory(toolSet, options.onError), {
      maxRequestBodySize: toolSet.maxArgumentBytes + ENVELOPE_BYTES,
      onerror: options.onError,
    }),
    { onerror: options.onError },
  );
  const validateHost = localhostHostValidation();
  const validateOrigin = localhostOriginValidation();
  const server: HttpServer = createServer((request, response) => {
    if (!validateHost(request, response) || !validateOrigin(request, response)) return;
    if (new URL(request.url ?? "/", "http://localhost").pathname !== "/mcp") {
      response.writeHead(404, { "content-type": "text/plain" }).end("Not found: the MCP endpoint is /mcp\n");
      return;
    }
    handler(request, response).catch((error: unknown) => {
      options.onError(error instanceof Error ? error : new Error(String(error)));
      if (!response.headersSent) response.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  let stopping: Promise<void> | undefined;
  const close = () => {
    stopping ??= (async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await toolSet.close().catch(options.onError);
      resolveClosed();
    })();
    return stopping;
  };
  return { url: `http://${host}:${address.port}/mcp`, closed, close };
}
