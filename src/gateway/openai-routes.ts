/**
 * The OpenAI front door: POST /v1/chat/completions, streaming and not. Parse, route, dispatch,
 * render; everything else lives in the core.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { toSwitchyardError } from "../errors/switchyard-error.js";
import { collectChatEvents } from "../protocol/chat-types.js";
import { chatResultToOpenAi, OpenAiChunkRenderer } from "../protocol/openai/chat-to-openai.js";
import { openAiChatRequestSchema } from "../protocol/openai/openai-schema.js";
import { openAiToChatRequest } from "../protocol/openai/openai-to-chat.js";
import { contextWindowsFromConfig, fitRouteToContext } from "../routing/context-fit.js";
import type { SwitchyardRuntime } from "../runtime/switchyard-runtime.js";
import { abortOnDisconnect, SSE_HEADERS, writeChunk } from "./http-stream.js";
import { parseBody } from "./parse-body.js";
import { routeHeaders } from "./route-headers.js";

export function registerOpenAiRoutes(app: FastifyInstance, runtime: SwitchyardRuntime): void {
  const contextWindowOf = contextWindowsFromConfig(runtime.config);
  app.post("/v1/chat/completions", async (request: FastifyRequest, reply: FastifyReply) => {
    const arrivedAt = performance.now();
    const body = parseBody(openAiChatRequestSchema, request.body);
    const chatRequest = openAiToChatRequest(body);
    const routed = runtime.router.route({
      model: chatRequest.model,
      taskHeader: headerValue(request, "x-switchyard-task"),
      messages: chatRequest.messages,
      hasTools: Boolean(chatRequest.tools?.length),
    });
    const route = fitRouteToContext(routed, chatRequest, contextWindowOf);
    const controller = abortOnDisconnect(reply);
    const dispatch = await runtime.dispatcher.dispatch({
      request: chatRequest,
      route,
      frontDoor: "openai",
      signal: controller.signal,
      arrivedAt,
      caller: chatRequest.user,
      forbidDowngrade: forbidsDowngrade(request),
    });
    const id = `chatcmpl-${dispatch.id}`;
    const created = Math.floor(Date.now() / 1000);
    const headers = routeHeaders(route, dispatch);

    if (!chatRequest.stream) {
      const result = await collectChatEvents(dispatch.events);
      return reply
        .headers(headers)
        .send(chatResultToOpenAi(result, id, result.model ?? dispatch.step.model, created));
    }

    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, { ...SSE_HEADERS, ...headers });
    const renderer = new OpenAiChunkRenderer(
      id,
      dispatch.step.model,
      created,
      body.stream_options?.include_usage === true,
    );
    try {
      for await (const event of dispatch.events) {
        if (!(await writeChunk(response, renderer.push(event)))) break;
      }
      await writeChunk(response, renderer.done());
    } catch (thrown) {
      const error = toSwitchyardError(thrown);
      if (error.code !== "aborted") {
        runtime.logger.warn(
          { requestId: dispatch.id, code: error.code, backend: error.backend },
          error.message,
        );
        await writeChunk(response, renderer.error(error));
      }
    } finally {
      response.end();
    }
  });
}

export function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `x-switchyard-no-downgrade: true` asks for an error rather than a local answer at a budget cap. */
export function forbidsDowngrade(request: FastifyRequest): boolean {
  const value = headerValue(request, "x-switchyard-no-downgrade")?.trim().toLowerCase();
  return value === "1" || value === "true" || value === "yes";
}
