/**
 * The Brain's HTTP server: front doors, models list, health, auth, and the one place where errors
 * become HTTP responses — in the protocol of the door they came through.
 */
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from "fastify";
import { isLoopbackHost } from "../config/config-schema.js";
import type { SwitchyardRuntime } from "../core/switchyard-runtime.js";
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
import { registerMcpRoutes } from "./mcp-routes.js";
import { registerModelRoutes } from "./models-routes.js";
import { registerOpenAiRoutes } from "./openai-routes.js";

export interface Gateway {
  app: FastifyInstance;
  /** Registers the renderer used for errors on paths that start with `prefix`. */
  renderErrorsFor(prefix: string, renderer: ErrorRenderer): void;
}

export function buildGateway(runtime: SwitchyardRuntime): Gateway {
  const { config } = runtime;
  const app = Fastify({
    logger: false,
    bodyLimit: Math.round(config.server.body_limit_mb * 1024 * 1024),
    keepAliveTimeout: 65_000,
    return503OnClosing: true,
  });
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
  const renderers: Array<[string, ErrorRenderer]> = [];
  const rendererFor = (url: string) =>
    renderers.find(([prefix]) => url.startsWith(prefix))?.[1] ?? renderOpenAiError;

  const tokens = new TokenChecker(config.server.auth_tokens);
  // Without tokens (loopback only) there is nothing to check; with them, a callback hook costs no
  // promise per request.
  if (tokens.enabled) {
    app.addHook("onRequest", (request, _reply, done) => {
      try {
        if (request.url !== "/healthz") tokens.check(request.headers);
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
      `No route for ${request.method} ${request.url.split("?")[0]}. Switchyard serves POST /v1/chat/completions, POST /v1/messages, GET /v1/models and GET /healthz`,
    );
    reply.status(404).send(rendererFor(request.url)(error).body);
  });

  app.get("/healthz", async () => ({ status: "ok", version: runtime.version }));
  registerModelRoutes(app, runtime);
  registerOpenAiRoutes(app, runtime);
  registerAdminRoutes(app, runtime);
  registerAnthropicRoutes(app, runtime);
  registerMcpRoutes(app, runtime);

  const gateway: Gateway = {
    app,
    renderErrorsFor(prefix, renderer) {
      renderers.push([prefix, renderer]);
    },
  };
  gateway.renderErrorsFor("/v1/messages", renderAnthropicError);
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

/** Refuses a non-loopback address without tokens (the config schema checks this too). */
export function assertSafeToListen(host: string, tokens: string[]): void {
  if (!isLoopbackHost(host) && tokens.filter(Boolean).length === 0) {
    throw new SwitchyardError(
      "invalid-request",
      `Refusing to listen on ${host} without an auth token: anyone on the network could spend your budget. Set server.auth_tokens or listen on 127.0.0.1`,
    );
  }
}
