/**
 * The OpenAI front door: POST /v1/chat/completions, streaming and not. Parse, hand to the spine,
 * render; routing, budgets, gates and the ledger are the spine's.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ChatAnswer } from "../core/chat-call.js";
import type { SwitchyardRuntime } from "../core/switchyard-runtime.js";
import { toSwitchyardError } from "../errors/switchyard-error.js";
import { collectChatEvents } from "../protocol/chat-types.js";
import { chatResultToOpenAi, OpenAiChunkRenderer } from "../protocol/openai/chat-to-openai.js";
import { openAiChatRequestSchema } from "../protocol/openai/openai-schema.js";
import { openAiToChatRequest } from "../protocol/openai/openai-to-chat.js";
import { callerFromRequest } from "./caller-headers.js";
import { SSE_HEADERS, writeChunk } from "./http-stream.js";
import { parseBody } from "./parse-body.js";
import { answerHeaders } from "./route-headers.js";

export function registerOpenAiRoutes(app: FastifyInstance, runtime: SwitchyardRuntime): void {
  app.post("/v1/chat/completions", async (request: FastifyRequest, reply: FastifyReply) => {
    const arrivedAt = performance.now();
    const body = parseBody(openAiChatRequestSchema, request.body);
    const chatRequest = openAiToChatRequest(body);
    const caller = callerFromRequest("openai", request, reply, arrivedAt, chatRequest.user);
    const call = runtime.switchyard.chat(chatRequest, caller);
    // Set now so an error response names the request too; an answer's own headers replace it.
    reply.header("x-switchyard-request-id", call.id);
    const answer = await call.answer;
    const id = `chatcmpl-${answer.id}`;
    const created = Math.floor(Date.now() / 1000);
    if (!chatRequest.stream) {
      const result = answer.gated?.result ?? (await collectChatEvents(answer.events));
      return reply
        .headers(answerHeaders(answer))
        .send(chatResultToOpenAi(result, id, result.model ?? answer.step.model, created));
    }
    const includeUsage = body.stream_options?.include_usage === true;
    const renderer = new OpenAiChunkRenderer(id, answer.step.model, created, includeUsage);
    return streamAnswer(reply, answer, renderer, runtime);
  });
}

async function streamAnswer(
  reply: FastifyReply,
  answer: ChatAnswer,
  renderer: OpenAiChunkRenderer,
  runtime: SwitchyardRuntime,
): Promise<void> {
  reply.hijack();
  const response = reply.raw;
  response.writeHead(200, { ...SSE_HEADERS, ...answerHeaders(answer) });
  try {
    for await (const event of answer.events) {
      if (!(await writeChunk(response, renderer.push(event)))) break;
    }
    await writeChunk(response, renderer.done());
  } catch (thrown) {
    const error = toSwitchyardError(thrown);
    if (error.code !== "aborted") {
      runtime.logger.warn({ requestId: answer.id, code: error.code, backend: error.backend }, error.message);
      await writeChunk(response, renderer.error(error));
    }
  } finally {
    response.end();
  }
}
