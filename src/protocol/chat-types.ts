/**
 * The seam every part meets at: Switchyard's internal chat request and the event stream that
 * answers it. Front doors convert their wire protocol into a `ChatRequest`; back ends convert it
 * into theirs and answer with `ChatEvent`s. Close to OpenAI Chat Completions, but protocol-neutral.
 */

/** A JSON value, for tool arguments, schemas and metadata. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** One piece of a user (or system) message. */
export type ContentPart =
  | { type: "text"; text: string }
  /**
   * An image, either by URL or inline. `data` is base64 without a `data:` prefix; `mediaType` is
   * the image's MIME type (required with `data`).
   */
  | { type: "image"; url?: string; data?: string; mediaType?: string };

/** A tool call the assistant made. `arguments` is the JSON text exactly as the model produced it. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

export type ChatMessage =
  | { role: "system"; content: string }
  | { role: "user"; content: string | ContentPart[] }
  | {
      role: "assistant";
      /** The visible answer; null when the turn is only tool calls. */
      content: string | null;
      /** Reasoning the model produced before answering, kept separate from the answer. */
      reasoning?: string;
      /** Provider signature for reasoning (Anthropic thinking blocks), passed back untouched. */
      reasoningSignature?: string;
      toolCalls?: ToolCall[];
    }
  | {
      role: "tool";
      /** The id of the tool call this answers. */
      toolCallId: string;
      content: string;
      /** True when the tool failed (Anthropic `is_error`). */
      isError?: boolean;
    };

/** A tool the model may call; `parameters` is a JSON Schema object. */
export interface ToolDefinition {
  name: string;
  description?: string;
  parameters: JsonObject;
}

/** `required` means the model must call some tool; `{ name }` forces that one. */
export type ToolChoice = "auto" | "none" | "required" | { name: string };

export type ResponseFormat =
  | { type: "text" }
  | { type: "json" }
  | { type: "json-schema"; name?: string; schema: JsonObject; strict?: boolean };

/** Reasoning controls, mapped to each back end's own (Ollama `think`, OpenRouter `reasoning`). */
export interface ReasoningOptions {
  enabled: boolean;
  /** Upper bound on reasoning tokens, where the back end supports one. */
  budgetTokens?: number;
}

export interface ChatRequest {
  /** The model name exactly as the caller sent it: a virtual model, an alias or a concrete model. */
  model: string;
  messages: ChatMessage[];
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  responseFormat?: ResponseFormat;
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stop?: string[];
  seed?: number;
  reasoning?: ReasoningOptions;
  /** Whether the caller wants the answer streamed (back ends may stream either way). */
  stream: boolean;
  /** Caller-supplied metadata (OpenAI `user`, Anthropic `metadata.user_id`), recorded, never sent on. */
  user?: string;
}

/** Why the model stopped, normalised across protocols. */
export type FinishReason =
  | "stop"
  | "stop-sequence"
  | "length"
  | "tool-calls"
  | "content-filter"
  | "error"
  | "other";

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** Reasoning tokens, when the back end reports them separately (included in outputTokens). */
  reasoningTokens?: number;
  /**
   * Prompt tokens served from the provider's cache, and written to it (Anthropic prompt caching,
   * through OpenRouter's `prompt_tokens_details`); both are included in inputTokens.
   */
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  /** USD as reported by the upstream (OpenRouter `usage.cost`); undefined when not reported. */
  costUsd?: number;
  /** Ollama's timings, in milliseconds. */
  loadMs?: number;
  promptEvalMs?: number;
  evalMs?: number;
  /** Generation speed: output tokens per second of evaluation. */
  tokensPerSecond?: number;
}

/** The streamed answer: a discriminated union with noun-verb names. */
export type ChatEvent =
  | { type: "text-delta"; text: string }
  | { type: "reasoning-delta"; text: string }
  /** A tool call begins; `index` orders calls within the turn. */
  | { type: "tool-call-start"; index: number; id: string; name: string }
  /** More JSON text of a tool call's arguments. */
  | { type: "tool-call-delta"; index: number; argumentsDelta: string }
  | { type: "usage"; usage: Usage }
  /** The upstream's response id and the concrete model that answered, when it says. */
  | { type: "response-metadata"; id?: string; model?: string }
  | { type: "finish"; reason: FinishReason; stopSequence?: string };

/** A complete, collected answer: the stream folded into one value. */
export interface ChatResult {
  text: string;
  reasoning: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  stopSequence?: string;
  usage: Usage;
  model?: string;
  id?: string;
}

/** Folds a stream of events into a result; used by non-streaming front doors and the gates. */
export async function collectChatEvents(events: AsyncIterable<ChatEvent>): Promise<ChatResult> {
  const result: ChatResult = {
    text: "",
    reasoning: "",
    toolCalls: [],
    finishReason: "other",
    usage: { inputTokens: 0, outputTokens: 0 },
  };
  const callsByIndex = new Map<number, ToolCall>();
  for await (const event of events) {
    applyChatEvent(result, callsByIndex, event);
  }
  result.toolCalls = [...callsByIndex.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
  return result;
}

function applyChatEvent(result: ChatResult, callsByIndex: Map<number, ToolCall>, event: ChatEvent): void {
  switch (event.type) {
    case "text-delta":
      result.text += event.text;
      return;
    case "reasoning-delta":
      result.reasoning += event.text;
      return;
    case "tool-call-start":
      callsByIndex.set(event.index, { id: event.id, name: event.name, arguments: "" });
      return;
    case "tool-call-delta": {
      const call = callsByIndex.get(event.index);
      if (call) call.arguments += event.argumentsDelta;
      return;
    }
    case "usage":
      result.usage = { ...result.usage, ...event.usage };
      return;
    case "response-metadata":
      if (event.id) result.id = event.id;
      if (event.model) result.model = event.model;
      return;
    case "finish":
      result.finishReason = event.reason;
      if (event.stopSequence !== undefined) result.stopSequence = event.stopSequence;
      return;
  }
}
