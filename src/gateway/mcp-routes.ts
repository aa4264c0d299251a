/**
 * `/mcp` on the gateway: Switchyard's own MCP tools (src/mcp/) over Streamable HTTP, in-process on
 * this runtime. Behind the same bearer tokens as every route (the server's auth hook); `Host` and
 * `Origin` must name this machine (mcp-allowed-hosts.ts) so a web page cannot reach the tools by
 * DNS rebinding. The SDK reads the body itself, so a malformed message is answered in JSON-RPC
 * (-32700, -32600) like everything else on this path; errors before it (a token, a host) are
 * rendered as JSON-RPC by the server's error handler (`renderJsonRpcError`).
 */
import { toNodeHandler } from "@modelcontextprotocol/node";
import { createMcpHandler, validateHostHeader, validateOriginHeader } from "@modelcontextprotocol/server";
import type { FastifyInstance } from "fastify";
import type { SwitchyardRuntime } from "../core/switchyard-runtime.js";
import { allowedMcpHosts } from "../mcp/mcp-allowed-hosts.js";
import { localSwitchyardService } from "../mcp/mcp-local-service.js";
import { switchyardToolSet } from "../mcp/mcp-tools.js";
import { toolServerFactory } from "../tools/servers/tool-server-kit.js";
import { ENVELOPE_BYTES } from "../tools/servers/tool-server-serve.js";

export function registerMcpRoutes(app: FastifyInstance, runtime: SwitchyardRuntime): void {
  const toolSet = switchyardToolSet(localSwitchyardService(runtime));
  const maxRequestBodySize = toolSet.maxArgumentBytes + ENVELOPE_BYTES;
  const toolFailed = (error: Error) => runtime.logger.warn({ err: error }, "mcp: a tool failed");
  // Requests the SDK refused (bad JSON, a wrong method) are answered already; they are noise here.
  const refused = (error: Error) => runtime.logger.debug({ err: error }, "mcp: request refused");
  const mcp = createMcpHandler(toolServerFactory(toolSet, toolFailed), {
    maxRequestBodySize,
    onerror: refused,
  });
  const handle = toNodeHandler(mcp, {
    maxRequestBodySize,
    onerror: (error) => runtime.logger.warn({ err: error }, "mcp: a request could not be served"),
  });
  const allowed = allowedMcpHosts(runtime.config);

  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", (_request, _payload, done) => done(null, undefined));
    scope.route({
      method: ["GET", "POST", "DELETE"],
      url: "/mcp",
      handler: async (request, reply) => {
        const host = validateHostHeader(request.headers.host, allowed);
        const origin = host.ok ? validateOriginHeader(request.headers.origin, allowed) : host;
        if (!origin.ok) {
          return reply.status(403).send({
            jsonrpc: "2.0",
            id: null,
            error: {
              code: -32000,
              message: `${origin.message}: /mcp answers only to this machine's names (against DNS rebinding); add the name to server.allowed_hosts if clients reach the Brain by it`,
            },
          });
        }
        reply.hijack();
        await handle(request.raw, reply.raw);
      },
    });
  });
  app.addHook("onClose", async () => {
    await mcp.close();
  });
}
