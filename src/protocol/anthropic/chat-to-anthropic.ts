/**
 * Renders Switchyard's answer as Anthropic Messages output: the whole message for
 * `stream: false`, and a stateful SSE renderer for `stream: true`. Both produce the same message
 * when the stream is accumulated the way the official SDK does.
 *
 * Decisions a reader would not guess:
 * - `model` is the name the caller asked for (alias or virtual model), and `id` is ours
 *   (`msg_…`): clients compare the model they asked for, and the upstream's id and concrete model
 *   travel in Switchyard's response headers instead.
 * - Thinking blocks carry `signature: ""`. No back end but Anthropic signs reasoning and the
 *   event stream has no signature event, so there is nothing to send; an empty signature keeps the
 *   block well-formed so Claude Code can replay it, and `anthropicToChatRequest` drops it again.
 * - Tool input that is not a JSON object (a model that wrote broken JSON, or was cut off by
 *   `max_tokens`) becomes `{"_raw": "<the text>"}` in the non-streamed message rather than `{}`:
 *   the client's tool validation then fails with the model's actual output in view. Streams pass
 *   the fragments through untouched.
 * - A back end that reports finish "stop" while it made tool calls (Ollama does) is reported as
 *   `tool_use`, because SDK tool runners loop on `stop_reason === "tool_use"`.
 * - Upstream tool ids are kept; an empty one becomes `toolu_<message id>_<n>`, and characters
 *   Anthropic's id pattern (`^[a-zA-Z0-9_-]+$`) forbids become `_`, so the conversation can later
 *   be replayed to Anthropic itself.
 */
import { randomBytes } from "node:crypto";
import type { SwitchyardError } from "../../errors/switchyard-error.js";
import type { ChatEvent, ChatResult, FinishReason, JsonObject, Usage } from "../chat-types.js";
import { parseJsonOrUndefined } from "../safe-json.js";
import { anthropicErrorBody } from "./anthropic-errors.js";

export type AnthropicStopReason = "end_turn" | "max_tokens" | "stop_sequence" | "tool_use" | "refusal";

export type AnthropicResponseBlock =
  | { type: "thinking"; thinking: string; signature: string }
  | { type: "text"; text: string }
  | { type: "tool_use"; id: string; name: string; input: JsonObject };

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export interface AnthropicMessageResponse {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: AnthropicResponseBlock[];
  stop_reason: AnthropicStopReason | null;
  stop_sequence: string | null;
  usage: AnthropicUsage;
}

export function chatResultToAnthropicMessage(
  result: ChatResult,
  requestedModel: string,
  id: string = newAnthropicMessageId(),
): AnthropicMessageResponse {
  const content: AnthropicResponseBlock[] = [];
  if (result.reasoning) content.push({ type: "thinking", thinking: result.reasoning, signature: "" });
  if (result.text) content.push({ type: "text", text: result.text });
  result.toolCalls.forEach((call, ordinal) => {
    content.push({
      type: "tool_use",
      id: anthropicToolUseId(call.id, id, ordinal),
      name: call.name,
      input: parseToolInput(call.arguments),
    });
  });
  const stopReason = anthropicStopReason(result.finishReason, result.toolCalls.length > 0);
  return {
    id,
    type: "message",
    role: "assistant",
    model: requestedModel,
    content,
    stop_reason: stopReason,
    stop_sequence: stopReason === "stop_sequence" ? (result.stopSequence ?? null) : null,
    usage: anthropicUsage(result.usage),
  };
}

export function anthropicStopReason(reason: FinishReason, hasToolCalls: boolean): AnthropicStopReason {
  switch (reason) {
    case "stop-sequence":
      return "stop_sequence";
    case "length":
      return "max_tokens";
    case "tool-calls":
      return "tool_use";
    case "content-filter":
      return "refusal";
    case "stop":
    case "error":
    case "other":
      return hasToolCalls ? "tool_use" : "end_turn";
  }
}

/** Tool arguments as the object Anthropic's `input` must be (see the module header). */
export function parseToolInput(argumentsText: string): JsonObject {
  if (argumentsText.trim() === "") return {};
  const parsed = parseJsonOrUndefined(argumentsText);
  if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as JsonObject;
  // Not JSON, or not an object: keep the text.
  return { _raw: argumentsText };
}

const idAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** A fresh id shaped like Anthropic's (`msg_01` and 22 base62 characters). */
export function newAnthropicMessageId(): string {
  const bytes = randomBytes(22);
  let id = "msg_01";
  for (const byte of bytes) id += idAlphabet[byte % 62];
  return id;
}

export function anthropicToolUseId(upstreamId: string, messageId: string, ordinal: number): string {
  if (upstreamId) return upstreamId.replace(/[^a-zA-Z0-9_-]/g, "_");
  const body = messageId.replace(/^msg_/, "").replace(/[^a-zA-Z0-9_-]/g, "_");
  return `toolu_${body}_${ordinal}`;
}

/**
 * Anthropic's usage: `input_tokens` counts only the prompt read fresh; what came from the cache
 * and what went into it are counted apart (Claude Code shows them so).
 */
function anthropicUsage(usage: Usage): AnthropicUsage {
  const read = usage.cacheReadTokens ?? 0;
  const write = usage.cacheWriteTokens ?? 0;
  return {
    input_tokens: Math.max(0, usage.inputTokens - read - write),
    output_tokens: usage.outputTokens,
    cache_creation_input_tokens: write,
    cache_read_input_tokens: read,
  };
}

export interface AnthropicStreamRendererOptions {
  /** The model name the caller asked for. */
  model: string;
  id?: string;
  /** Estimated prompt tokens for `message_start`, before the back end reports the real count. */
  inputTokens?: number;
}

type OpenBlock = "none" | "thinking" | "text" | "tool_use";

const pingFrame = 'event: ping\ndata: {"type":"ping"}\n\n';
const messageStopFrame = 'event: message_stop\ndata: {"type":"message_stop"}\n\n';

function frame(type: string, json: string): string {
  return `event: ${type}\ndata: ${json}\n\n`;
}

/**
 * Turns `ChatEvent`s into Anthropic's SSE sequence: `message_start`, then per content block
 * `content_block_start` / `content_block_delta`… / `content_block_stop` with increasing `index`,
 * then `message_delta` (stop reason, cumulative usage) and `message_stop`. Only one block is open
 * at a time, as in Anthropic's own streams: a change of kind closes the open block.
 *
 * Each method returns the SSE text to write (possibly ""), so the caller owns all I/O.
 */
export class AnthropicStreamRenderer {
  readonly id: string;
  private readonly model: string;
  private readonly estimatedInputTokens: number;
  private started = false;
  private ended = false;
  private open: OpenBlock = "none";
  private nextBlockIndex = 0;
  private toolCount = 0;
  /** Upstream tool-call index → the content block index it was given. */
  private readonly toolBlocks = new Map<number, number>();
  private finishReason: FinishReason = "other";
  private stopSequence: string | undefined;
  private usage: Usage | undefined;

  constructor(options: AnthropicStreamRendererOptions) {
    this.model = options.model;
    this.id = options.id ?? newAnthropicMessageId();
    this.estimatedInputTokens = options.inputTokens ?? 0;
  }

  /** `message_start`; `push` and `finish` send it themselves if it has not been sent. */
  start(): string {
    if (this.started) return "";
    this.started = true;
    const message = {
      id: this.id,
      type: "message",
      role: "assistant",
      model: this.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      // Anthropic's own streams start at output_tokens 1; message_delta carries the real count.
      usage: anthropicUsage({ inputTokens: this.estimatedInputTokens, outputTokens: 1 }),
    };
    return frame("message_start", JSON.stringify({ type: "message_start", message }));
  }

  push(event: ChatEvent): string {
    if (this.ended) return "";
    const prefix = this.started ? "" : this.start();
    switch (event.type) {
      case "text-delta":
        if (event.text === "") return prefix;
        return (
          prefix +
          this.ensureOpen("text", '{"type":"text","text":""}') +
          this.delta(`{"type":"text_delta","text":${JSON.stringify(event.text)}}`)
        );
      case "reasoning-delta":
        if (event.text === "") return prefix;
        return (
          prefix +
          this.ensureOpen("thinking", '{"type":"thinking","thinking":"","signature":""}') +
          this.delta(`{"type":"thinking_delta","thinking":${JSON.stringify(event.text)}}`)
        );
      case "tool-call-start": {
        const id = anthropicToolUseId(event.id, this.id, this.toolCount++);
        const block = JSON.stringify({ type: "tool_use", id, name: event.name, input: {} });
        const opened = this.openBlock("tool_use", block);
        this.toolBlocks.set(event.index, this.nextBlockIndex - 1);
        return prefix + opened;
      }
      case "tool-call-delta": {
        const blockIndex = this.toolBlocks.get(event.index);
        if (blockIndex === undefined || event.argumentsDelta === "") return prefix;
        // A delta for a call whose block already closed (an upstream interleaving calls) still
        // names that block's index: the SDK's accumulator assembles it; dropping it would lose data.
        const json = `{"type":"input_json_delta","partial_json":${JSON.stringify(event.argumentsDelta)}}`;
        return prefix + frame("content_block_delta", this.deltaJson(blockIndex, json));
      }
      case "usage":
        this.usage = { ...(this.usage ?? { inputTokens: 0, outputTokens: 0 }), ...event.usage };
        return prefix;
      case "finish":
        this.finishReason = event.reason;
        this.stopSequence = event.stopSequence;
        return prefix;
      case "response-metadata":
        return prefix;
    }
  }

  /** Closes the open block, then `message_delta` with the stop reason and usage, then `message_stop`. */
  finish(): string {
    if (this.ended) return "";
    const prefix = this.started ? "" : this.start();
    const closing = this.closeOpenBlock();
    this.ended = true;
    const stopReason = anthropicStopReason(this.finishReason, this.toolCount > 0);
    const delta = {
      type: "message_delta",
      delta: {
        stop_reason: stopReason,
        stop_sequence: stopReason === "stop_sequence" ? (this.stopSequence ?? null) : null,
      },
      usage: this.usage
        ? anthropicUsage(this.usage)
        : { input_tokens: this.estimatedInputTokens, output_tokens: 0 },
    };
    return prefix + closing + frame("message_delta", JSON.stringify(delta)) + messageStopFrame;
  }

  /** An `event: error` for a failure after the stream began; nothing follows it. */
  error(error: SwitchyardError): string {
    if (this.ended) return "";
    this.ended = true;
    return frame("error", JSON.stringify(anthropicErrorBody(error).body));
  }

  /** Keeps idle connections (and Claude Code's stall detection) alive while a model loads. */
  ping(): string {
    return this.ended ? "" : pingFrame;
  }

  private ensureOpen(kind: "text" | "thinking", block: string): string {
    return this.open === kind ? "" : this.openBlock(kind, block);
  }

  private openBlock(kind: OpenBlock, block: string): string {
    const closing = this.closeOpenBlock();
    this.open = kind;
    const index = this.nextBlockIndex++;
    return (
      closing +
      frame("content_block_start", `{"type":"content_block_start","index":${index},"content_block":${block}}`)
    );
  }

  private closeOpenBlock(): string {
    if (this.open === "none") return "";
    this.open = "none";
    return frame("content_block_stop", `{"type":"content_block_stop","index":${this.nextBlockIndex - 1}}`);
  }

  private delta(json: string): string {
    return frame("content_block_delta", this.deltaJson(this.nextBlockIndex - 1, json));
  }

  private deltaJson(index: number, json: string): string {
    return `{"type":"content_block_delta","index":${index},"delta":${json}}`;
  }
}
