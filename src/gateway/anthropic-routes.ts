/**
 * The Anthropic front door: POST /v1/messages (streaming and not) and POST
 * /v1/messages/count_tokens, for Claude Code and the Anthropic SDKs. Parse with the Anthropic
 * protocol layer, hand to the spine (Claude model names route per `claude_code:`), render — the
 * same path as the OpenAI door, so any back end answers.
 *
 * Query strings (`/v1/messages?beta=true`, Claude Code's) and the `anthropic-version` /
 * `anthropic-beta` headers are accepted; errors come back in Anthropic's shape
 * (`renderAnthropicError`, registered for the `/v1/messages` prefix).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { SwitchyardRuntime } from "../core/switchyard-runtime.js";
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
import { collectChatEvents } from "../protocol/chat-types.js";
import { knownChatRequestTokens } from "../protocol/token-estimate.js";
import { anthropicForwardHeaders, anthropicRequestHeaders } from "../routing/claude-forward-headers.js";
import { streamAnthropicAnswer } from "./anthropic-stream-response.js";
import { callerFromRequest } from "./caller-headers.js";
import { answerHeaders } from "./route-headers.js";

export function registerAnthropicRoutes(app: FastifyInstance, runtime: SwitchyardRuntime): void {
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
    const forwardable = anthropicRequestHeaders(request.headers);
    const caller = {
      ...callerFromRequest("anthropic", request, reply, arrivedAt, chatRequest.user),
      forwardHeaders: (model: string) => anthropicForwardHeaders(model, forwardable),
    };
    const call = runtime.switchyard.chat(chatRequest, caller);
    // Set now so an error response names the request too; an answer's own headers replace it.
    reply.header("x-switchyard-request-id", call.id);

    if (!chatRequest.stream) {
      const answer = await call.answer;
      const result = answer.gated?.result ?? (await collectChatEvents(answer.events));
      return reply.headers(answerHeaders(answer)).send(chatResultToAnthropicMessage(result, body.model));
    }
    const renderer = new AnthropicStreamRenderer({
      model: body.model,
      inputTokens: knownChatRequestTokens(chatRequest) ?? 0,
    });
    await streamAnthropicAnswer({ reply, call, renderer, timing, logger: runtime.logger });
  });

  app.post("/v1/messages/count_tokens", async (request: FastifyRequest) => {
    const body = parseAnthropicCountTokensRequest(request.body);
    return { input_tokens: countAnthropicInputTokens(body) };
  });
}
