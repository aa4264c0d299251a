/**
 * The demo's simulated OpenRouter: an HTTP server on loopback that speaks OpenRouter's API under
 * `/api/v1` — `POST /chat/completions` (SSE with `: OPENROUTER PROCESSING` comments while the
 * provider thinks, deltas at the model's pace, a usage chunk with `cost`, `[DONE]`; or one JSON
 * completion), `GET /models` (the prices it charges by) and `GET /key` (credit used and left).
 * It checks the bearer key, answers 400 for an unknown model, 402 when the key's credit is gone,
 * and — at a configurable, seeded rate, off by default — 429 with `Retry-After`.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { seededRandom } from "../planning/seeded-random.js";
import { type AnswerWriter, type SimulatedFormat, simulatedMessages } from "./simulated-ask.js";
import { closeServer, listen, readBody, sendJson } from "./simulated-http.js";
import { type CloudModelSpec, SIMULATED_CLOUD_MODELS } from "./simulated-model-speeds.js";
import {
  type CompletionIdentity,
  completionBody,
  DONE_FRAME,
  deltaFrame,
  errorBody,
  finishFrame,
  type KeyState,
  keyBody,
  modelsBody,
  PROCESSING_COMMENT,
  usageFrame,
} from "./simulated-openrouter-wire.js";
import { pace, planReply, promptTokenCount } from "./simulated-pacing.js";
import type { SimulatedTime } from "./simulated-time.js";

export interface RateLimitOptions {
  /** Share of chat requests answered 429, 0 to 1. */
  share: number;
  seed: number;
  retryAfterSeconds: number;
}

export interface SimulatedOpenRouterOptions {
  time: SimulatedTime;
  answers: AnswerWriter;
  /** The bearer key callers must send. */
  apiKey: string;
  models?: readonly CloudModelSpec[];
  /** The key's credit, USD; default $10. */
  creditUsd?: number;
  /** Default: never rate-limited. */
  rateLimit?: RateLimitOptions;
  host?: string;
  port?: number;
}

export interface SimulatedOpenRouter {
  /** Origin, e.g. http://127.0.0.1:41235 */
  url: string;
  /** `${url}/api/v1`: what an OpenAI-compatible back end's `base_url` names. */
  baseUrl: string;
  /** What the key has been charged so far, USD. */
  usageUsd(): number;
  close(): Promise<void>;
}

/** Tokens per streamed delta; Anthropic's deltas through OpenRouter carry a few each. */
const TOKENS_PER_DELTA = 4;
/** A keep-alive comment this often (simulated) while the provider has not answered yet. */
const PROCESSING_INTERVAL_MS = 1_000;

export async function startSimulatedOpenRouter(
  options: SimulatedOpenRouterOptions,
): Promise<SimulatedOpenRouter> {
  const { time } = options;
  const models = options.models ?? SIMULATED_CLOUD_MODELS;
  const key: KeyState = { limitUsd: options.creditUsd ?? 10, usageUsd: 0 };
  const rateLimited = options.rateLimit ? seededRandom(options.rateLimit.seed) : undefined;

  const chat = async (response: ServerResponse, body: Record<string, unknown>) => {
    if (!Array.isArray(body.messages) || body.messages.length === 0)
      return sendJson(response, 400, errorBody(400, 'Input required: specify "prompt" or "messages"'));
    const model = models.find((entry) => entry.id === body.model);
    if (!model)
      return sendJson(response, 400, errorBody(400, `${String(body.model)} is not a valid model ID`));
    if (rateLimited && options.rateLimit && rateLimited() < options.rateLimit.share) {
      const retryAfter = String(options.rateLimit.retryAfterSeconds);
      return sendJson(
        response,
        429,
        errorBody(429, `${model.id} is temporarily rate-limited upstream. Please retry shortly.`, {
          provider_name: "Anthropic",
          raw: "rate_limit_error (simulated)",
        }),
        { "retry-after": retryAfter },
      );
    }
    if (key.usageUsd >= key.limitUsd)
      return sendJson(
        response,
        402,
        errorBody(
          402,
          "Key limit exceeded (simulated credit used up). Raise it in the demo with --credit or restart it.",
        ),
      );

    const gone = new AbortController();
    response.on("close", () => {
      if (!response.writableFinished) gone.abort();
    });
    const messages = simulatedMessages(body.messages);
    const think = wantsReasoning(body.reasoning);
    const reply = options.answers({
      model: model.id,
      messages,
      think,
      format: formatOf(body.response_format),
    });
    const maxTokens = typeof body.max_tokens === "number" ? body.max_tokens : model.maxCompletionTokens;
    const planned = planReply(
      {
        content: reply.content,
        reasoning: think ? (reply.thinking ?? "") : "",
        runsOutOfTokens: reply.runsOutOfTokens,
      },
      maxTokens,
    );
    const reasoningPieces = planned.reasoning;
    const contentPieces = planned.content;
    const finishReason = planned.finishReason;
    const promptTokens = promptTokenCount(messages.map((message) => message.content));
    const completionTokens = reasoningPieces.length + contentPieces.length;
    const usage = {
      promptTokens,
      completionTokens,
      reasoningTokens: reasoningPieces.length,
      costUsd:
        (promptTokens * model.promptUsdPerMillion + completionTokens * model.completionUsdPerMillion) /
        1_000_000,
    };
    const identity: CompletionIdentity = {
      id: `gen-${Math.floor(Date.now() / 1000)}-${randomBytes(10).toString("base64url")}`,
      model: model.id,
      created: Math.floor(Date.now() / 1000),
    };
    const streaming = body.stream === true;
    if (streaming) {
      response.writeHead(200, {
        "content-type": "text/event-stream",
        "cache-control": "no-cache",
        "x-generation-id": identity.id,
      });
      response.write(PROCESSING_COMMENT);
    }
    // The provider's time to the first token; a stream hears OpenRouter's keep-alive meanwhile.
    for (
      let waited = 0;
      waited < model.firstTokenMs && !gone.signal.aborted;
      waited += PROCESSING_INTERVAL_MS
    ) {
      await time.wait(Math.min(PROCESSING_INTERVAL_MS, model.firstTokenMs - waited), gone.signal);
      if (streaming && waited + PROCESSING_INTERVAL_MS < model.firstTokenMs)
        response.write(PROCESSING_COMMENT);
    }
    const pieces: Array<{ reasoning?: string; content?: string }> = [
      ...reasoningPieces.map((text) => ({ reasoning: text })),
      ...contentPieces.map((text) => ({ content: text })),
    ];
    let sent = 0;
    await pace({
      total: pieces.length,
      rate: () => model.outputTokensPerSecond,
      time,
      signal: gone.signal,
      onProgress: (released) => {
        if (!streaming) return;
        // Anthropic's stream through OpenRouter carries a few tokens per delta.
        let frames = "";
        for (let index = sent; index < released; index += TOKENS_PER_DELTA) {
          const group = pieces.slice(index, Math.min(released, index + TOKENS_PER_DELTA));
          const reasoning = group.map((piece) => piece.reasoning ?? "").join("");
          const content = group.map((piece) => piece.content ?? "").join("");
          if (reasoning) frames += deltaFrame(identity, { reasoning });
          if (content) frames += deltaFrame(identity, { content });
        }
        response.write(frames);
        sent = released;
      },
    });
    if (gone.signal.aborted) return;
    key.usageUsd += usage.costUsd;
    if (!streaming) {
      const answer = { content: contentPieces.join(""), reasoning: reasoningPieces.join(""), finishReason };
      return sendJson(response, 200, completionBody(identity, answer, usage));
    }
    response.end(finishFrame(identity, finishReason) + usageFrame(identity, usage) + DONE_FRAME);
  };

  const route = async (request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? "/").split("?")[0] ?? "/";
    const text = await readBody(request);
    if (request.method === "GET" && path === "/api/v1/models")
      return sendJson(response, 200, modelsBody(models));
    const authorization = request.headers.authorization;
    if (!authorization?.startsWith("Bearer "))
      return sendJson(response, 401, errorBody(401, "No auth credentials found"));
    if (authorization.slice("Bearer ".length) !== options.apiKey)
      return sendJson(response, 401, errorBody(401, "User not found."));
    if (request.method === "GET" && path === "/api/v1/key") return sendJson(response, 200, keyBody(key));
    if (request.method === "POST" && path === "/api/v1/chat/completions") {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return sendJson(response, 400, errorBody(400, "Invalid JSON in request body"));
      }
      if (typeof body !== "object" || body === null)
        return sendJson(response, 400, errorBody(400, "Invalid request body"));
      return chat(response, body as Record<string, unknown>);
    }
    sendJson(response, 404, errorBody(404, `Not found: ${request.method} ${path}`));
  };

  const server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      if (response.headersSent) response.destroy();
      else sendJson(response, 500, errorBody(500, `simulated OpenRouter failed: ${String(error)}`));
    });
  });
  server.keepAliveTimeout = 60_000;
  const url = await listen(server, options.host ?? "127.0.0.1", options.port ?? 0);
  return { url, baseUrl: `${url}/api/v1`, usageUsd: () => key.usageUsd, close: () => closeServer(server) };
}

function wantsReasoning(reasoning: unknown): boolean {
  if (typeof reasoning !== "object" || reasoning === null) return false;
  const fields = reasoning as Record<string, unknown>;
  if (fields.enabled === false || fields.exclude === true) return false;
  return fields.enabled === true || fields.max_tokens !== undefined || fields.effort !== undefined;
}

function formatOf(format: unknown): SimulatedFormat | undefined {
  if (typeof format !== "object" || format === null) return undefined;
  const fields = format as Record<string, unknown>;
  if (fields.type === "json_object") return { type: "json" };
  if (fields.type === "json_schema") {
    const schema = (fields.json_schema as Record<string, unknown> | undefined)?.schema;
    return { type: "json-schema", schema };
  }
  return undefined;
}
