/**
 * The Brain's HTTP server: front doors, models list, health, auth, and the one place where errors
 * become HTTP responses — in the protocol of the door they came through. That includes what fails
 * before a route runs: a body nested too deep or not JSON, a URL that is not valid percent-encoding
 * (Fastify's framework errors), headers over the size limit or a request that is not HTTP (Node's
 * client errors, answered on the raw socket while a response can still be written).
 */
import { type ServerResponse, STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from "fastify";
import { isLoopbackHost } from "../config/config-schema.js";
import type { SwitchyardRuntime } from "../core/switchyard-runtime.js";
import { dashboardOwnsAuth, registerDashboard } from "../dashboard/dashboard-routes.js";
import type { RunsSource } from "../dashboard/runs-source.js";
import { SwitchyardError, toSwitchyardError } from "../errors/switchyard-error.js";
import { registerAdminRoutes } from "./admin-routes.js";
import { registerAnthropicRoutes } from "./anthropic-routes.js";
import {
  type ErrorRenderer,
  renderAnthropicError,
  renderJsonRpcError,
  renderOpenAiError,
} from "./error-renderers.js";
import { TokenChecker } from "./gateway-auth.js";
import { registerJsonBodyParser } from "./json-body-parser.js";
import { registerMcpRoutes } from "./mcp-routes.js";
import { registerModelRoutes } from "./models-routes.js";
import { registerOpenAiRoutes } from "./openai-routes.js";

export interface Gateway {
  app: FastifyInstance;
  /** Registers the renderer used for errors on paths that start with `prefix`. */
  renderErrorsFor(prefix: string, renderer: ErrorRenderer): void;
}

export interface GatewayOptions {
  /** The workflow runs the dashboard shows and decides on (the workflow runner); none by default. */
  runs?: RunsSource;
  /** The dashboard's clock (sessions, charts); tests move it. */
  now?: () => number;
}

const ANTHROPIC_PREFIX = "/v1/messages";

/** Node's default, stated: request headers past this are answered 431. */
export const MAX_HEADER_BYTES = 16 * 1024;

export function buildGateway(runtime: SwitchyardRuntime, options: GatewayOptions = {}): Gateway {
  const { config } = runtime;
  const renderers: Array<[string, ErrorRenderer]> = [];
  const rendererFor = (url: string) =>
    renderers.find(([prefix]) => url.startsWith(prefix))?.[1] ?? renderOpenAiError;
  const app = Fastify({
    logger: false,
    bodyLimit: Math.round(config.server.body_limit_mb * 1024 * 1024),
    keepAliveTimeout: 65_000,
    return503OnClosing: true,
    http: { maxHeaderSize: MAX_HEADER_BYTES },
    frameworkErrors: (error, request: FastifyRequest, reply: FastifyReply) => {
      const rendered = rendererFor(request.url)(frameworkError(error, request.url));
      reply.status(rendered.status).send(rendered.body);
    },
    clientErrorHandler: (error, socket) => answerClientError(error, socket, rendererFor),
  });
  registerJsonBodyParser(app);
  // Closing, Node closes the connections that are idle at that moment; one still answering turns
  // idle only afterwards and would hold close() for the whole keep-alive timeout (65 s) with a
  // caller that keeps its connections (Claude Code, the SDKs). So they are closed as they go idle.
  let closingIdle: NodeJS.Timeout | undefined;
  app.addHook("preClose", (done) => {
    closingIdle = setInterval(() => app.server.closeIdleConnections(), 25);
    done();
  });
  app.addHook("onClose", (_instance, done) => {
    clearInterval(closingIdle);
    done();
  });
  const tokens = new TokenChecker(config.server.auth_tokens);
  // Without tokens (loopback only) there is nothing to check; with them, a callback hook costs no
  // promise per request. The dashboard checks its own paths (sessions, the token prompt).
  const metricsPublic = config.metrics.public;
  if (tokens.enabled) {
    app.addHook("onRequest", (request, _reply, done) => {
      try {
        if (request.url !== "/healthz" && !dashboardOwnsAuth(request.url, metricsPublic))
          tokens.check(request.headers);
      } catch (error) {
        done(error as Error);
        return;
      }
      done();
    });
  }

  app.setErrorHandler(
    (thrown: FastifyError | SwitchyardError, request: FastifyRequest, reply: FastifyReply) => {
      const error = fromFastifyError(thrown);
      if (error.code === "internal")
        runtime.logger.error({ err: thrown, url: request.url }, "internal error");
      const rendered = rendererFor(request.url)(error);
      reply
        .status(rendered.status)
        .headers(rendered.headers ?? {})
        .send(rendered.body);
    },
  );
  app.setNotFoundHandler((request, reply) => {
    const error = new SwitchyardError(
      "invalid-request",
      `No route for ${request.method} ${request.url.split("?")[0]}. Switchyard serves POST /v1/chat/completions, POST /v1/messages, GET /v1/models, GET /healthz, GET /metrics, MCP at /mcp and the dashboard at /`,
    );
    reply.status(404).send(rendererFor(request.url)(error).body);
  });

  app.get("/healthz", async () => ({ status: "ok", version: runtime.version }));
  registerModelRoutes(app, runtime);
  registerOpenAiRoutes(app, runtime);
  registerAdminRoutes(app, runtime);
  registerAnthropicRoutes(app, runtime);
  registerDashboard(app, runtime, { tokens, ...options });
  registerMcpRoutes(app, runtime);

  const gateway: Gateway = {
    app,
    renderErrorsFor(prefix, renderer) {
      renderers.push([prefix, renderer]);
    },
  };
  gateway.renderErrorsFor(ANTHROPIC_PREFIX, renderAnthropicError);
  gateway.renderErrorsFor("/mcp", renderJsonRpcError);
  return gateway;
}

/** Maps Fastify's own errors (bad JSON, body too large, wrong content type) onto our codes. */
function fromFastifyError(thrown: FastifyError | SwitchyardError): SwitchyardError {
  if (thrown instanceof SwitchyardError) return thrown;
  switch (thrown.code) {
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new SwitchyardError("invalid-request", `The request body is not valid JSON: ${thrown.message}`);
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new SwitchyardError(
        "payload-too-large",
        "The request body is larger than server.body_limit_mb allows; raise it in the config or send less",
      );
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new SwitchyardError(
        "invalid-request",
        "Send the body as JSON with Content-Type: application/json",
      );
  }
  if (thrown instanceof SyntaxError || thrown.statusCode === 400) {
    return new SwitchyardError("invalid-request", `The request body is not valid JSON: ${thrown.message}`);
  }
  return toSwitchyardError(thrown);
}

/** Fastify's errors before routing: a URL that is not valid percent-encoding, mostly. */
function frameworkError(error: FastifyError, url: string): SwitchyardError {
  const shown = url.length > 200 ? `${url.slice(0, 200)}…` : url;
  if (error.code === "FST_ERR_BAD_URL") {
    return new SwitchyardError(
      "invalid-request",
      `The URL ${shown} is not valid percent-encoding; encode a literal % as %25`,
    );
  }
  return new SwitchyardError("invalid-request", `The request for ${shown} was refused: ${error.message}`);
}

/** What Node passes to `clientError`: on a parse error, the bytes it was parsing (a Buffer). */
interface ClientError extends Error {
  code?: string;
  rawPacket?: unknown;
}

/**
 * A request Node could not parse (headers too large, not HTTP) or that took too long to send,
 * answered in the shape of the door it was for. The path comes from what the parser had read:
 * its request line when the headers came in several packets, else the packet itself.
 */
function answerClientError(
  error: ClientError,
  socket: Socket,
  rendererFor: (url: string) => ErrorRenderer,
): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  // A response already under way on this socket would be corrupted by a second one.
  const current = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
  if (socket.writable && !current?.headersSent) {
    const [status, message] =
      error.code === "HPE_HEADER_OVERFLOW"
        ? [
            431,
            `The request headers are larger than ${MAX_HEADER_BYTES / 1024} KiB; send fewer or smaller headers`,
          ]
        : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
          ? [408, "The request took too long to arrive; send it again"]
          : [400, "The request is not valid HTTP/1.1; check the client or proxy in front of Switchyard"];
    const rendered = rendererFor(requestPath(error, socket) ?? "/")(
      new SwitchyardError("invalid-request", message),
    );
    const body = JSON.stringify(rendered.body);
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/**
 * Which door the request was for. The request line is in the packet being parsed unless the
 * headers came in several; then the parser may hold the path (it hands it over every 32 headers),
 * and an `anthropic-version` header, which every Anthropic client sends, still tells that door.
 * Failing all three, OpenAI's shape.
 */
function requestPath(error: ClientError, socket: Socket): string | undefined {
  const packet = Buffer.isBuffer(error.rawPacket) ? error.rawPacket.toString("latin1") : "";
  const requestLine = /^[A-Z]+ (\S+) HTTP\//.exec(packet)?.[1];
  if (requestLine) return requestLine;
  const parsed = (socket as Socket & { parser?: { _url?: string } }).parser?._url;
  if (parsed) return parsed;
  return /(^|\r\n)anthropic-version:/i.test(packet) ? ANTHROPIC_PREFIX : undefined;
}

/** Refuses a non-loopback address without tokens (the config schema checks this too). */
export function assertSafeToListen(host: string, tokens: string[]): void {
  if (!isLoopbackHost(host) && tokens.filter(Boolean).length === 0) {
    throw new SwitchyardError(
      "invalid-request",
      `Refusing to listen on ${host} without an auth token: anyone on the network could spend your budget. Set server.auth_tokens or listen on 127.0.0.1`,
    );
  }
}
