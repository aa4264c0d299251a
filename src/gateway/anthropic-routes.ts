/**
 * The Anthropic front door: POST /v1/messages (streaming and not) and POST
 * /v1/messages/count_tokens, for Claude Code and the Anthropic SDKs. Parse with the Anthropic
 * protocol layer, route (Claude model names per `claude_code:`), fit the ladder to the context,
 * hand to the escalator (gates and the ladder), render — the same spine as the OpenAI door, so any
 * back end answers.
 *
 * Query strings (`/v1/messages?beta=true`, Claude Code's) and the `anthropic-version` /
 * `anthropic-beta` headers are accepted; errors come back in Anthropic's shape
 * (`renderAnthropicError`, registered for the `/v1/messages` prefix).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { SwitchyardRuntime } from "../core/switchyard-runtime.js";
import { resultEvents } from "../escalation/result-events.js";
import {
  parseAnthropicCountTokensRequest,
  parseAnthropicMessagesRequest,
} from "../protocol/anthropic/anthropic-schema.js";
import { anthropicToChatRequest } from "../protocol/anthropic/anthropic-to-chat.js";
import { countAnthropicInputTokens } from "../protocol/anthropic/anthropic-token-count.js";
import {
  AnthropicStreamRenderer,
  chatResultToAnthropicMessage,
} from "../protocol/anthropic/chat-to-anthropic.js";
import { knownChatRequestTokens } from "../protocol/token-estimate.js";
import { anthropicForwardHeaders, anthropicRequestHeaders } from "../routing/claude-forward-headers.js";
import { contextWindowsFromConfig, fitRouteToContext } from "../routing/context-fit.js";
import { streamAnthropicAnswer } from "./anthropic-stream-response.js";
import { abortOnDisconnect } from "./http-stream.js";
import { checkCommandsFrom, forbidsDowngrade, headerValue } from "./openai-routes.js";
import { escalationHeaders, routeHeaders } from "./route-headers.js";

export function registerAnthropicRoutes(app: FastifyInstance, runtime: SwitchyardRuntime): void {
  const contextWindowOf = contextWindowsFromConfig(runtime.config);
  const timing = {
    firstByteWaitMs: runtime.config.claude_code.first_byte_wait_ms,
    pingIntervalMs: runtime.config.claude_code.ping_interval_ms,
  };

  app.post("/v1/messages", async (request: FastifyRequest, reply: FastifyReply) => {
    const arrivedAt = performance.now();
    const body = parseAnthropicMessagesRequest(request.body);
    const chatRequest = anthropicToChatRequest(body);
    // Adaptive thinking (Claude Code sends it on every main-loop turn) means "the model decides";
    // here that is the alias's own `think` setting. Forcing it on would make Ollama refuse every
    // model without the thinking capability (qwen2.5-coder) with a 400.
    if (body.thinking?.type === "adaptive") delete chatRequest.reasoning;
    const route = fitRouteToContext(
      runtime.router.route({
        model: chatRequest.model,
        taskHeader: headerValue(request, "x-switchyard-task"),
        messages: chatRequest.messages,
        hasTools: Boolean(chatRequest.tools?.length),
      }),
      chatRequest,
      contextWindowOf,
    );
    const signal = abortOnDisconnect(reply);
    const forwardable = anthropicRequestHeaders(request.headers);
    const input = {
      request: chatRequest,
      route,
      frontDoor: "anthropic",
      signal,
      arrivedAt,
      caller: chatRequest.user,
      forbidDowngrade: forbidsDowngrade(request),
      forwardHeaders: (model: string) => anthropicForwardHeaders(model, forwardable),
      checkCommands: checkCommandsFrom(request, runtime.config),
    };

    if (!chatRequest.stream) {
      const answer = await runtime.escalator.answer(input);
      return reply
        .headers({ ...routeHeaders(answer.route, answer.dispatch), ...escalationHeaders(answer) })
        .send(chatResultToAnthropicMessage(answer.result, body.model));
    }

    // A buffered stream is gated (and escalated) before its first event; `message_start` and the
    // pings keep the client waiting meanwhile. Its headers leave before the answer is known, so
    // they carry no x-switchyard-escalation-*: the ledger is where a stream's path is read.
    const dispatching = runtime.escalator.buffersStreams
      ? runtime.escalator.answer(input).then((answer) => ({
          ...answer.dispatch,
          route: answer.route,
          events: resultEvents(answer.result),
        }))
      : runtime.escalator.dispatchObserved(input);
    const renderer = new AnthropicStreamRenderer({
      model: body.model,
      inputTokens: knownChatRequestTokens(chatRequest) ?? 0,
    });
    await streamAnthropicAnswer({ reply, route, dispatching, renderer, timing, logger: runtime.logger });
  });

  app.post("/v1/messages/count_tokens", async (request: FastifyRequest) => {
    const body = parseAnthropicCountTokensRequest(request.body);
    return { input_tokens: countAnthropicInputTokens(body) };
  });
}
