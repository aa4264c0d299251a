/**
 * The OpenAI front door: POST /v1/chat/completions, streaming and not. Parse, route, hand to the
 * escalator (gates and the ladder; streams pass straight through unless buffering is configured),
 * render; everything else lives in the core.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { SwitchyardConfig } from "../config/config-schema.js";
import type { SwitchyardRuntime } from "../core/switchyard-runtime.js";
import { SwitchyardError, toSwitchyardError } from "../errors/switchyard-error.js";
import { resultEvents } from "../escalation/result-events.js";
import type { ChatEvent } from "../protocol/chat-types.js";
import { chatResultToOpenAi, OpenAiChunkRenderer } from "../protocol/openai/chat-to-openai.js";
import { openAiChatRequestSchema } from "../protocol/openai/openai-schema.js";
import { openAiToChatRequest } from "../protocol/openai/openai-to-chat.js";
import { contextWindowsFromConfig, fitRouteToContext } from "../routing/context-fit.js";
import { abortOnDisconnect, SSE_HEADERS, writeChunk } from "./http-stream.js";
import { parseBody } from "./parse-body.js";
import { escalationHeaders, routeHeaders } from "./route-headers.js";

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
    const signal = abortOnDisconnect(reply);
    const input = {
      request: chatRequest,
      route,
      frontDoor: "openai",
      signal,
      arrivedAt,
      caller: chatRequest.user,
      forbidDowngrade: forbidsDowngrade(request),
      checkCommands: checkCommandsFrom(request, runtime.config),
    };
    const created = Math.floor(Date.now() / 1000);
    const includeUsage = body.stream_options?.include_usage === true;

    // Non-streaming answers (and streams, when buffered) go through the gates and the ladder.
    if (!chatRequest.stream || runtime.escalator.buffersStreams) {
      const answer = await runtime.escalator.answer(input);
      const id = `chatcmpl-${answer.dispatch.id}`;
      const model = answer.result.model ?? answer.dispatch.step.model;
      const headers = { ...routeHeaders(answer.route, answer.dispatch), ...escalationHeaders(answer) };
      if (!chatRequest.stream) {
        return reply.headers(headers).send(chatResultToOpenAi(answer.result, id, model, created));
      }
      const renderer = new OpenAiChunkRenderer(id, answer.dispatch.step.model, created, includeUsage);
      return streamAnswer(reply, headers, renderer, resultEvents(answer.result), runtime, answer.dispatch.id);
    }

    const dispatch = await runtime.escalator.dispatchObserved(input);
    const id = `chatcmpl-${dispatch.id}`;
    const renderer = new OpenAiChunkRenderer(id, dispatch.step.model, created, includeUsage);
    return streamAnswer(
      reply,
      routeHeaders(dispatch.route, dispatch),
      renderer,
      dispatch.events,
      runtime,
      dispatch.id,
    );
  });
}

async function streamAnswer(
  reply: FastifyReply,
  headers: Record<string, string>,
  renderer: OpenAiChunkRenderer,
  events: AsyncIterable<ChatEvent>,
  runtime: SwitchyardRuntime,
  requestId: string,
): Promise<void> {
  reply.hijack();
  const response = reply.raw;
  response.writeHead(200, { ...SSE_HEADERS, ...headers });
  try {
    for await (const event of events) {
      if (!(await writeChunk(response, renderer.push(event)))) break;
    }
    await writeChunk(response, renderer.done());
  } catch (thrown) {
    const error = toSwitchyardError(thrown);
    if (error.code !== "aborted") {
      runtime.logger.warn({ requestId, code: error.code, backend: error.backend }, error.message);
      await writeChunk(response, renderer.error(error));
    }
  } finally {
    response.end();
  }
}

/**
 * `x-switchyard-check: <command>` (repeatable) names check commands for the executable gate. They
 * run on the Brain, so they are refused unless `escalation.allow_check_header` is true.
 */
export function checkCommandsFrom(request: FastifyRequest, config: SwitchyardConfig): string[] {
  const raw = request.headers["x-switchyard-check"];
  const commands = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw])
    .map((command) => command.trim())
    .filter((command) => command !== "");
  if (commands.length > 0 && !config.escalation.allow_check_header) {
    throw new SwitchyardError(
      "invalid-request",
      "x-switchyard-check runs commands on the Brain and is off; set escalation.allow_check_header: true in the config to allow it, or name the commands in gates.<task>.executable.commands",
    );
  }
  return commands;
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
