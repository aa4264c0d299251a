/**
 * Pure converters between Switchyard's chat types and the OpenAI Chat Completions wire format as
 * OpenRouter, vLLM, LM Studio and llama.cpp server speak it: `ChatRequest` → request body, one
 * streamed SSE `data` payload → `ChatEvent`s, and a whole non-streamed completion → the same
 * events. No I/O here; the back end owns sockets and errors.
 */
import { z } from "zod";
import { SwitchyardError } from "../../errors/switchyard-error.js";
import type {
  ChatEvent,
  ChatMessage,
  ChatRequest,
  ContentPart,
  FinishReason,
  JsonObject,
  JsonValue,
  Usage,
} from "../../protocol/chat-types.js";
import { jsonParseError, parseJson, parseJsonOrUndefined } from "../../protocol/safe-json.js";
import type { ModelOptions } from "../backend.js";

/** OpenRouter takes a few extra parameters (`reasoning`, `usage`); "generic" sends only common ones. */
export type OpenAICompatibleFlavor = "openrouter" | "generic";

/** The request body we send to `POST {baseUrl}/chat/completions`. */
export type ChatCompletionsBody = { [key: string]: JsonValue };

export function toChatCompletionsBody(
  request: ChatRequest,
  model: string,
  options: ModelOptions,
  flavor: OpenAICompatibleFlavor,
): ChatCompletionsBody {
  const body: ChatCompletionsBody = {
    model,
    messages: request.messages.map((message) => toWireMessage(message, flavor)),
    // A caller that waits for the whole answer gets one JSON object instead of a frame per token.
    stream: request.stream,
  };
  // OpenRouter now always reports usage (the flag is deprecated but harmless); generic servers
  // (vLLM, llama.cpp) only send the final usage chunk when asked this way (a whole completion
  // always carries it).
  if (flavor === "openrouter") body.usage = { include: true };
  else if (request.stream) body.stream_options = { include_usage: true };

  if (request.tools && request.tools.length > 0) {
    body.tools = request.tools.map((tool) => {
      const definition: JsonObject = { name: tool.name, parameters: tool.parameters };
      if (tool.description !== undefined) definition.description = tool.description;
      return { type: "function", function: definition };
    });
  }
  if (request.toolChoice !== undefined) {
    body.tool_choice =
      typeof request.toolChoice === "string"
        ? request.toolChoice
        : { type: "function", function: { name: request.toolChoice.name } };
  }
  const responseFormat = request.responseFormat;
  if (responseFormat?.type === "json") body.response_format = { type: "json_object" };
  if (responseFormat?.type === "json-schema") {
    const jsonSchema: JsonObject = { name: responseFormat.name ?? "response", schema: responseFormat.schema };
    if (responseFormat.strict !== undefined) jsonSchema.strict = responseFormat.strict;
    body.response_format = { type: "json_schema", json_schema: jsonSchema };
  }

  const maxTokens = request.maxTokens ?? options.maxOutputTokens;
  if (maxTokens !== undefined) body.max_tokens = maxTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  // Not OpenAI's, but OpenRouter, vLLM, LM Studio and llama.cpp all accept it.
  if (request.topK !== undefined) body.top_k = request.topK;
  if (request.stop !== undefined && request.stop.length > 0) body.stop = request.stop;
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.user !== undefined) body.user = request.user;

  const reasoning =
    request.reasoning ?? (options.think === undefined ? undefined : { enabled: options.think });
  if (flavor === "openrouter" && reasoning !== undefined) {
    body.reasoning = !reasoning.enabled
      ? { enabled: false }
      : reasoning.budgetTokens !== undefined
        ? { max_tokens: reasoning.budgetTokens }
        : { enabled: true };
  }
  return body;
}

function toWireMessage(message: ChatMessage, flavor: OpenAICompatibleFlavor): JsonObject {
  switch (message.role) {
    case "system":
      return { role: "system", content: message.content };
    case "user":
      return {
        role: "user",
        content: typeof message.content === "string" ? message.content : message.content.map(toWirePart),
      };
    case "assistant": {
      const wire: JsonObject = { role: "assistant", content: message.content };
      if (message.toolCalls && message.toolCalls.length > 0) {
        wire.tool_calls = message.toolCalls.map((call) => ({
          id: call.id,
          type: "function",
          function: { name: call.name, arguments: call.arguments },
        }));
      } else if (message.content === null) {
        wire.content = "";
      }
      if (flavor === "openrouter" && message.reasoning) {
        // Anthropic rejects a thinking block replayed without its signature, so the signed form
        // goes back as OpenRouter's `reasoning_details`; unsigned reasoning as plain `reasoning`.
        if (message.reasoningSignature) {
          wire.reasoning_details = [
            {
              type: "reasoning.text",
              text: message.reasoning,
              signature: message.reasoningSignature,
              format: "anthropic-claude-v1",
              index: 0,
            },
          ];
        } else {
          wire.reasoning = message.reasoning;
        }
      }
      return wire;
    }
    case "tool":
      return { role: "tool", tool_call_id: message.toolCallId, content: message.content };
  }
}

function toWirePart(part: ContentPart): JsonObject {
  if (part.type === "text") return { type: "text", text: part.text };
  const url =
    part.url ??
    (part.data !== undefined ? `data:${part.mediaType ?? "image/png"};base64,${part.data}` : undefined);
  if (url === undefined) {
    throw new SwitchyardError("invalid-request", "An image part needs either `url` or `data`.");
  }
  return { type: "image_url", image_url: { url } };
}

// ---- Streaming: one SSE `data` payload at a time ------------------------------------------

const usageSchema = z
  .object({
    prompt_tokens: z.number().nullish(),
    completion_tokens: z.number().nullish(),
    completion_tokens_details: z.object({ reasoning_tokens: z.number().nullish() }).nullish(),
    cost: z.unknown().optional(),
  })
  .nullish();

const reasoningDetailsSchema = z
  .array(z.object({ type: z.string().nullish(), text: z.string().nullish(), summary: z.string().nullish() }))
  .nullish();

const errorFieldSchema = z
  .object({ code: z.union([z.string(), z.number()]).nullish(), message: z.string().nullish() })
  .nullish();

/** What a streamed `delta` and a whole `message` both carry (a delta's tool calls add `index`). */
const payloadSchema = z
  .object({
    content: z.string().nullish(),
    reasoning: z.string().nullish(),
    reasoning_content: z.string().nullish(),
    reasoning_details: reasoningDetailsSchema,
    tool_calls: z
      .array(
        z.object({
          index: z.number().nullish(),
          id: z.string().nullish(),
          function: z.object({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
        }),
      )
      .nullish(),
  })
  .nullish();

/** The fields around the choices, the same in a chunk and in a whole completion. */
const envelopeFields = {
  id: z.string().nullish(),
  model: z.string().nullish(),
  usage: usageSchema,
  error: errorFieldSchema,
};

const streamChunkSchema = z.object({
  ...envelopeFields,
  choices: z.array(z.object({ delta: payloadSchema, finish_reason: z.string().nullish() })).nullish(),
});

/** What the converter remembers between chunks of one response. */
export interface StreamState {
  metadataSent: boolean;
  startedToolCalls: Set<number>;
  /** Held back until the stream ends, because usage may arrive in a later chunk. */
  finishReason?: FinishReason;
  usage?: Usage;
}

export function createStreamState(): StreamState {
  return { metadataSent: false, startedToolCalls: new Set() };
}

/** An error the upstream reported inside the stream (HTTP status was already 200). */
export interface StreamChunkError {
  code?: string | number;
  message: string;
}

export type StreamChunkOutcome =
  | { events: ChatEvent[]; error?: undefined }
  | { events: ChatEvent[]; error: StreamChunkError };

interface PlainTextChunk {
  id?: string;
  model?: string;
  content?: string;
  finishReason?: string;
}

/**
 * The hot path: most chunks of a stream are `{id, model, choices: [{delta: {content}}]}` and
 * nothing else. Checking that shape by hand is several times cheaper than the full schema (which
 * copies the object); anything else — reasoning, tools, usage, errors — takes the schema path.
 */
function plainTextChunk(json: unknown): PlainTextChunk | undefined {
  if (typeof json !== "object" || json === null) return undefined;
  const chunk = json as Record<string, unknown>;
  if (chunk.usage != null || chunk.error != null) return undefined;
  const choices = chunk.choices;
  if (!Array.isArray(choices) || choices.length !== 1) return undefined;
  const choice = choices[0] as Record<string, unknown> | null;
  if (typeof choice !== "object" || choice === null) return undefined;
  const delta = choice.delta as Record<string, unknown> | null | undefined;
  if (typeof delta !== "object" || delta === null) return undefined;
  if (delta.tool_calls != null || delta.reasoning != null || delta.reasoning_content != null)
    return undefined;
  if (delta.reasoning_details != null) return undefined;
  const content = delta.content;
  if (content != null && typeof content !== "string") return undefined;
  const finishReason = choice.finish_reason;
  if (finishReason != null && (typeof finishReason !== "string" || finishReason === "error"))
    return undefined;
  if (chunk.id != null && typeof chunk.id !== "string") return undefined;
  if (chunk.model != null && typeof chunk.model !== "string") return undefined;
  const plain: PlainTextChunk = {};
  if (chunk.id) plain.id = chunk.id as string;
  if (chunk.model) plain.model = chunk.model as string;
  if (content) plain.content = content;
  if (finishReason) plain.finishReason = finishReason;
  return plain;
}

/** The upstream's response id and model, once per response, from the first chunk that has them. */
function pushMetadataOnce(
  events: ChatEvent[],
  state: StreamState,
  id: string | null | undefined,
  model: string | null | undefined,
): void {
  if (state.metadataSent || !(id || model)) return;
  state.metadataSent = true;
  const metadata: ChatEvent = { type: "response-metadata" };
  if (id) metadata.id = id;
  if (model) metadata.model = model;
  events.push(metadata);
}

function convertPlainTextChunk(chunk: PlainTextChunk, state: StreamState): StreamChunkOutcome {
  const events: ChatEvent[] = [];
  pushMetadataOnce(events, state, chunk.id, chunk.model);
  if (chunk.content) events.push({ type: "text-delta", text: chunk.content });
  if (chunk.finishReason) state.finishReason = toFinishReason(chunk.finishReason);
  return { events };
}

/** Converts one SSE `data` payload (not `[DONE]`) into events, updating `state`. */
export function convertStreamChunk(data: string, state: StreamState): StreamChunkOutcome {
  // The hot path: one parse per chunk and no wrapper object; the reason is worked out on failure only.
  const json = parseJsonOrUndefined(data);
  if (json === undefined) {
    return {
      events: [],
      error: {
        message: `unreadable stream chunk (not JSON: ${jsonParseError(data)}): ${data.slice(0, 200)}`,
      },
    };
  }
  const fast = plainTextChunk(json);
  if (fast !== undefined) return convertPlainTextChunk(fast, state);
  const parsed = streamChunkSchema.safeParse(json);
  if (!parsed.success) {
    return {
      events: [],
      error: { message: `unexpected stream chunk shape: ${parsed.error.issues[0]?.message}` },
    };
  }
  const chunk = parsed.data;
  const events: ChatEvent[] = [];
  pushMetadataOnce(events, state, chunk.id, chunk.model);
  if (chunk.error) {
    const error: StreamChunkError = {
      message: chunk.error.message ?? "the upstream reported an error mid-stream",
    };
    if (chunk.error.code !== null && chunk.error.code !== undefined) error.code = chunk.error.code;
    return { events, error };
  }

  const choice = chunk.choices?.[0];
  if (choice?.delta) pushPayloadEvents(events, choice.delta, state);
  if (chunk.usage) state.usage = toUsage(chunk.usage);
  if (choice?.finish_reason) {
    if (choice.finish_reason === "error") {
      return { events, error: { message: "the upstream finished the response with an error" } };
    }
    state.finishReason = toFinishReason(choice.finish_reason);
  }
  return { events };
}

type Payload = NonNullable<z.infer<typeof payloadSchema>>;

/** A delta's (or a whole message's) reasoning, text and tool calls as events; a call starts once. */
function pushPayloadEvents(events: ChatEvent[], payload: Payload, state: StreamState): void {
  // OpenRouter sends the same text in `reasoning` and `reasoning_details`; read details only
  // when the plain field is absent, or reasoning would arrive twice.
  const reasoning =
    payload.reasoning ?? payload.reasoning_content ?? reasoningFromDetails(payload.reasoning_details);
  if (reasoning) events.push({ type: "reasoning-delta", text: reasoning });
  if (payload.content) events.push({ type: "text-delta", text: payload.content });
  payload.tool_calls?.forEach((call, position) => {
    const index = call.index ?? position;
    if (!state.startedToolCalls.has(index)) {
      state.startedToolCalls.add(index);
      events.push({
        type: "tool-call-start",
        index,
        id: call.id ?? `call_${index}`,
        name: call.function?.name ?? "",
      });
    }
    const argumentsDelta = call.function?.arguments;
    if (argumentsDelta) events.push({ type: "tool-call-delta", index, argumentsDelta });
  });
}

/**
 * The closing events once the stream is over: usage (if reported), then finish. Returns
 * undefined when the stream ended without a finish reason and without `[DONE]` — it broke off.
 */
export function finishStream(state: StreamState, sawDone: boolean): ChatEvent[] | undefined {
  if (state.finishReason === undefined && !sawDone) return undefined;
  const events: ChatEvent[] = [];
  if (state.usage) events.push({ type: "usage", usage: state.usage });
  events.push({ type: "finish", reason: state.finishReason ?? "other" });
  return events;
}

function reasoningFromDetails(
  details: Array<{ type?: string | null; text?: string | null; summary?: string | null }> | null | undefined,
): string | undefined {
  if (!details || details.length === 0) return undefined;
  let text = "";
  for (const detail of details) text += detail.text ?? detail.summary ?? "";
  return text || undefined;
}

// ---- A whole answer: the body of a non-streamed completion -------------------------------

const completionSchema = z.object({
  ...envelopeFields,
  choices: z.array(z.object({ message: payloadSchema, finish_reason: z.string().nullish() })).nullish(),
});

/**
 * A non-streamed completion as the events its stream would have produced: metadata, reasoning,
 * text, tool calls, usage, finish. An error the upstream put in the body (OpenRouter reports a
 * failure during generation that way, under HTTP 200) comes back as `error`.
 */
export function convertCompletion(text: string): StreamChunkOutcome {
  const json = parseJson(text);
  if (!json.ok) {
    return {
      events: [],
      error: { message: `unreadable completion (not JSON: ${json.error}): ${text.slice(0, 200)}` },
    };
  }
  const parsed = completionSchema.safeParse(json.value);
  if (!parsed.success) {
    return {
      events: [],
      error: { message: `unexpected completion shape: ${parsed.error.issues[0]?.message}` },
    };
  }
  const completion = parsed.data;
  if (completion.error) {
    const error: StreamChunkError = {
      message: completion.error.message ?? "the upstream reported an error",
    };
    if (completion.error.code !== null && completion.error.code !== undefined) {
      error.code = completion.error.code;
    }
    return { events: [], error };
  }
  const choice = completion.choices?.[0];
  if (!choice) return { events: [], error: { message: "a completion without choices" } };
  if (choice.finish_reason === "error") {
    return { events: [], error: { message: "the upstream finished the response with an error" } };
  }
  const events: ChatEvent[] = [];
  const state = createStreamState();
  pushMetadataOnce(events, state, completion.id, completion.model);
  if (choice.message) pushPayloadEvents(events, choice.message, state);
  if (completion.usage) events.push({ type: "usage", usage: toUsage(completion.usage) });
  events.push({ type: "finish", reason: toFinishReason(choice.finish_reason ?? "other") });
  return { events };
}

type WireUsage = NonNullable<z.infer<typeof usageSchema>>;

function toUsage(wire: WireUsage): Usage {
  const usage: Usage = { inputTokens: wire.prompt_tokens ?? 0, outputTokens: wire.completion_tokens ?? 0 };
  const reasoningTokens = wire.completion_tokens_details?.reasoning_tokens;
  if (typeof reasoningTokens === "number") usage.reasoningTokens = reasoningTokens;
  if (typeof wire.cost === "number" && Number.isFinite(wire.cost)) usage.costUsd = wire.cost;
  return usage;
}

export function toFinishReason(wire: string): FinishReason {
  switch (wire) {
    case "stop":
    case "end_turn":
      return "stop";
    case "length":
    case "max_tokens":
      return "length";
    case "tool_calls":
    case "function_call":
      return "tool-calls";
    case "content_filter":
      return "content-filter";
    case "error":
      return "error";
    default:
      return "other";
  }
}
