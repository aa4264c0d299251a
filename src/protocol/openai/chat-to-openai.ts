/**
 * Switchyard's answers rendered as OpenAI Chat Completions: the collected response, the streamed
 * `chat.completion.chunk` SSE lines, and errors. The chunk renderer is on the hot path, so it
 * splices a precomputed prefix around each delta instead of building whole objects.
 */
import { httpStatusForCode, type SwitchyardError } from "../../errors/switchyard-error.js";
import type { ChatEvent, ChatResult, FinishReason, Usage } from "../chat-types.js";

export function openAiFinishReason(reason: FinishReason): string {
  switch (reason) {
    case "length":
      return "length";
    case "tool-calls":
      return "tool_calls";
    case "content-filter":
      return "content_filter";
    case "error":
      return "error";
    default:
      return "stop";
  }
}

function openAiUsage(usage: Usage) {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    ...(usage.reasoningTokens
      ? { completion_tokens_details: { reasoning_tokens: usage.reasoningTokens } }
      : {}),
    ...(usage.costUsd !== undefined ? { cost: usage.costUsd } : {}),
  };
}

export function chatResultToOpenAi(result: ChatResult, id: string, model: string, created: number) {
  const message: Record<string, unknown> = {
    role: "assistant",
    content: result.toolCalls.length && !result.text ? null : result.text,
  };
  if (result.reasoning) message.reasoning_content = result.reasoning;
  if (result.toolCalls.length) {
    message.tool_calls = result.toolCalls.map((call) => ({
      id: call.id,
      type: "function",
      function: { name: call.name, arguments: call.arguments },
    }));
  }
  return {
    id,
    object: "chat.completion",
    created,
    model,
    choices: [{ index: 0, message, finish_reason: openAiFinishReason(result.finishReason), logprobs: null }],
    usage: openAiUsage(result.usage),
  };
}

/** Turns events into `data: …\n\n` chunks for one streamed response. */
export class OpenAiChunkRenderer {
  private readonly prefix: string;
  private readonly includeUsage: boolean;
  private sentRole = false;
  private usage: Usage | undefined;
  private readonly toolIndexes = new Map<number, number>();

  constructor(id: string, model: string, created: number, includeUsage: boolean) {
    this.prefix = `data: {"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"choices":`;
    this.includeUsage = includeUsage;
  }

  /** Returns the SSE text for one event ("" when the event has nothing to show yet). */
  push(event: ChatEvent): string {
    switch (event.type) {
      case "text-delta":
        return event.text ? this.delta(`"content":${JSON.stringify(event.text)}`) : "";
      case "reasoning-delta":
        return event.text ? this.delta(`"reasoning_content":${JSON.stringify(event.text)}`) : "";
      case "tool-call-start": {
        const index = this.toolIndexes.size;
        this.toolIndexes.set(event.index, index);
        return this.delta(
          `"tool_calls":[{"index":${index},"id":${JSON.stringify(event.id)},"type":"function","function":{"name":${JSON.stringify(event.name)},"arguments":""}}]`,
        );
      }
      case "tool-call-delta": {
        const index = this.toolIndexes.get(event.index) ?? event.index;
        return event.argumentsDelta
          ? this.delta(
              `"tool_calls":[{"index":${index},"function":{"arguments":${JSON.stringify(event.argumentsDelta)}}}]`,
            )
          : "";
      }
      case "usage":
        this.usage = this.usage ? { ...this.usage, ...event.usage } : event.usage;
        return "";
      case "response-metadata":
        return "";
      case "finish": {
        const role = this.sentRole ? "" : `"role":"assistant"`;
        this.sentRole = true;
        let text = `${this.prefix}[{"index":0,"delta":{${role}},"finish_reason":"${openAiFinishReason(event.reason)}"}]}\n\n`;
        if (this.includeUsage && this.usage) {
          text += `${this.prefix}[],"usage":${JSON.stringify(openAiUsage(this.usage))}}\n\n`;
        }
        return text;
      }
    }
  }

  done(): string {
    return "data: [DONE]\n\n";
  }

  error(error: SwitchyardError): string {
    return `data: ${JSON.stringify(openAiErrorBody(error))}\n\n`;
  }

  private delta(fields: string): string {
    const role = this.sentRole ? "" : `"role":"assistant",`;
    this.sentRole = true;
    return `${this.prefix}[{"index":0,"delta":{${role}${fields}},"finish_reason":null}]}\n\n`;
  }
}

/** OpenAI's error envelope. `type` follows OpenAI's names; `code` is Switchyard's own code. */
export function openAiErrorBody(error: SwitchyardError) {
  const status = httpStatusForCode(error);
  return {
    error: {
      message: error.message,
      type: openAiErrorType(status),
      code: error.code,
      param: null,
      ...(error.backend ? { backend: error.backend } : {}),
      ...(error.details ? { details: error.details } : {}),
    },
  };
}

function openAiErrorType(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 402) return "insufficient_quota";
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}
