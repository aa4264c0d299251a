/**
 * The inverse of `anthropicToChatRequest`: a `ChatRequest` as an Anthropic Messages body, for a
 * back end that speaks Anthropic natively (OpenRouter's and Anthropic's `/v1/messages`). Round
 * trips through both converters keep the meaning of a conversation (the property test proves it).
 *
 * - All system messages join into the top-level `system` (Anthropic has no mid-conversation system
 *   turns in its stable API).
 * - Consecutive `tool` messages become one user turn of `tool_result` blocks; a user message right
 *   after them joins that turn, after the results, as Anthropic requires.
 * - Reasoning is sent back as a thinking block only with its signature: Anthropic rejects unsigned
 *   thinking, and reasoning from a local model has none.
 * - `responseFormat` and `seed` have no stable Messages equivalent and are not sent.
 */
import type { ChatMessage, ChatRequest, ContentPart } from "../chat-types.js";
import type {
  AnthropicAssistantBlock,
  AnthropicImageBlock,
  AnthropicMessage,
  AnthropicMessagesRequest,
  AnthropicUserBlock,
} from "./anthropic-schema.js";
import { parseToolInput } from "./chat-to-anthropic.js";

export interface ChatRequestToAnthropicOptions {
  /** `max_tokens` is required by Anthropic; used when the request sets none. */
  defaultMaxTokens?: number;
}

export function chatRequestToAnthropic(
  request: ChatRequest,
  options: ChatRequestToAnthropicOptions = {},
): AnthropicMessagesRequest {
  const systemTexts: string[] = [];
  const messages: AnthropicMessage[] = [];
  // The user turn that holds the latest run of tool results, which later tool results and the
  // next user message join.
  let openToolTurn: AnthropicUserBlock[] | undefined;

  for (const message of request.messages) {
    switch (message.role) {
      case "system":
        systemTexts.push(message.content);
        break;
      case "tool": {
        const block: AnthropicUserBlock = {
          type: "tool_result",
          tool_use_id: message.toolCallId,
          content: message.content,
        };
        if (message.isError) block.is_error = true;
        if (openToolTurn) {
          openToolTurn.push(block);
        } else {
          openToolTurn = [block];
          messages.push({ role: "user", content: openToolTurn });
        }
        break;
      }
      case "user":
        if (openToolTurn) openToolTurn.push(...userBlocks(message.content));
        else messages.push({ role: "user", content: userContent(message.content) });
        openToolTurn = undefined;
        break;
      case "assistant":
        messages.push({ role: "assistant", content: assistantContent(message) });
        openToolTurn = undefined;
        break;
    }
  }

  const body: AnthropicMessagesRequest = {
    model: request.model,
    messages,
    max_tokens: request.maxTokens ?? options.defaultMaxTokens ?? 4096,
  };
  if (systemTexts.length > 0) body.system = systemTexts.join("\n\n");
  if (request.stream) body.stream = true;
  if (request.tools && request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({
      name: tool.name,
      ...(tool.description === undefined ? {} : { description: tool.description }),
      input_schema: tool.parameters,
    }));
  }
  if (request.toolChoice !== undefined) body.tool_choice = toolChoice(request.toolChoice);
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.topK !== undefined) body.top_k = request.topK;
  if (request.stop && request.stop.length > 0) body.stop_sequences = request.stop;
  if (request.reasoning) body.thinking = thinking(request.reasoning);
  if (request.user) body.metadata = { user_id: request.user };
  return body;
}

function userContent(content: string | ContentPart[]): string | AnthropicUserBlock[] {
  return typeof content === "string" ? content : userBlocks(content);
}

function userBlocks(content: string | ContentPart[]): AnthropicUserBlock[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  return content.map((part) => (part.type === "text" ? { type: "text", text: part.text } : imageBlock(part)));
}

function imageBlock(part: Extract<ContentPart, { type: "image" }>): AnthropicImageBlock {
  if (part.data !== undefined) {
    return {
      type: "image",
      source: { type: "base64", media_type: part.mediaType ?? "image/png", data: part.data },
    };
  }
  const url = part.url ?? "";
  // OpenAI clients inline images as data URLs; Anthropic wants those as base64 sources.
  const inline = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (inline?.[1] && inline[2] !== undefined) {
    return { type: "image", source: { type: "base64", media_type: inline[1], data: inline[2] } };
  }
  return { type: "image", source: { type: "url", url } };
}

function assistantContent(
  message: Extract<ChatMessage, { role: "assistant" }>,
): string | AnthropicAssistantBlock[] {
  const blocks: AnthropicAssistantBlock[] = [];
  // A signature with empty text is real: Anthropic can omit the thinking it signed.
  if (message.reasoningSignature) {
    blocks.push({
      type: "thinking",
      thinking: message.reasoning ?? "",
      signature: message.reasoningSignature,
    });
  }
  if (message.content) blocks.push({ type: "text", text: message.content });
  for (const call of message.toolCalls ?? []) {
    blocks.push({ type: "tool_use", id: call.id, name: call.name, input: parseToolInput(call.arguments) });
  }
  if (blocks.length === 1 && blocks[0]?.type === "text") return message.content ?? "";
  return blocks;
}

function toolChoice(
  choice: NonNullable<ChatRequest["toolChoice"]>,
): NonNullable<AnthropicMessagesRequest["tool_choice"]> {
  if (choice === "auto") return { type: "auto" };
  if (choice === "none") return { type: "none" };
  if (choice === "required") return { type: "any" };
  return { type: "tool", name: choice.name };
}

function thinking(
  reasoning: NonNullable<ChatRequest["reasoning"]>,
): NonNullable<AnthropicMessagesRequest["thinking"]> {
  if (!reasoning.enabled) return { type: "disabled" };
  if (reasoning.budgetTokens === undefined) return { type: "adaptive" };
  return { type: "enabled", budget_tokens: reasoning.budgetTokens };
}
