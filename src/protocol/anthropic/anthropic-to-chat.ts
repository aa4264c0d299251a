/**
 * Converts a validated Anthropic Messages request into Switchyard's `ChatRequest`. Pure; the body
 * must come from `parseAnthropicMessagesRequest`.
 *
 * Where the two models differ:
 * - Anthropic puts tool results inside user turns; chat gives each its own `tool` message. They are
 *   emitted in block order, before whatever text or images remain in that user turn.
 * - `tool` messages carry text only, so images inside a tool result move into the user message that
 *   follows the tool messages (ahead of that turn's own content).
 * - An assistant turn's thinking, text and tool_use blocks fold into one assistant message. Several
 *   thinking blocks are joined and keep the first signature (a signature only verifies for the one
 *   block it came with, which is the common case). `redacted_thinking` is dropped: it is encrypted
 *   for Anthropic and means nothing to any other model.
 * - Claude Code's `x-anthropic-billing-header: …; cch=…;` system line changes on every request;
 *   it is stripped so local back ends can reuse their prompt (KV) cache across turns.
 */
import type {
  CacheMark,
  ChatMessage,
  ChatRequest,
  ContentPart,
  ReasoningOptions,
  ToolCall,
  ToolChoice,
  ToolDefinition,
} from "../chat-types.js";
import type {
  AnthropicAssistantBlock,
  AnthropicDocumentBlock,
  AnthropicImageBlock,
  AnthropicMessagesRequest,
  AnthropicTextBlock,
  AnthropicTool,
  AnthropicToolResultBlock,
  AnthropicUserBlock,
} from "./anthropic-schema.js";

const billingHeaderPrefix = "x-anthropic-billing-header:";

export function anthropicToChatRequest(body: AnthropicMessagesRequest): ChatRequest {
  const messages: ChatMessage[] = [];
  const system = systemPromptText(body.system);
  if (system) {
    const cache = Array.isArray(body.system) ? lastCacheMark(body.system) : undefined;
    messages.push(cache ? { role: "system", content: system, cache } : { role: "system", content: system });
  }
  for (const message of body.messages) {
    if (message.role === "user") appendUserTurn(messages, message.content);
    else if (message.role === "assistant") messages.push(assistantMessage(message.content));
    else messages.push({ role: "system", content: joinText(message.content, "\n\n") });
  }

  const request: ChatRequest = {
    model: body.model,
    messages,
    maxTokens: body.max_tokens,
    stream: body.stream ?? false,
  };
  if (body.tools && body.tools.length > 0) request.tools = body.tools.map(toolDefinition);
  if (body.tool_choice) request.toolChoice = toolChoice(body.tool_choice);
  if (body.temperature !== undefined) request.temperature = body.temperature;
  if (body.top_p !== undefined) request.topP = body.top_p;
  if (body.top_k !== undefined) request.topK = body.top_k;
  if (body.stop_sequences && body.stop_sequences.length > 0) request.stop = body.stop_sequences;
  if (body.thinking) request.reasoning = reasoningOptions(body.thinking);
  if (body.metadata?.user_id) request.user = body.metadata.user_id;
  return request;
}

/** The system prompt as one string, without Claude Code's per-request billing line. */
export function systemPromptText(system: AnthropicMessagesRequest["system"]): string {
  if (system === undefined) return "";
  if (typeof system === "string") {
    if (!system.startsWith(billingHeaderPrefix)) return system;
    const newline = system.indexOf("\n");
    return newline === -1 ? "" : system.slice(newline + 1).replace(/^\n+/, "");
  }
  return joinText(
    system.filter((block) => !block.text.startsWith(billingHeaderPrefix)),
    "\n\n",
  );
}

function appendUserTurn(messages: ChatMessage[], content: string | AnthropicUserBlock[]): void {
  if (typeof content === "string") {
    messages.push({ role: "user", content });
    return;
  }
  const parts: ContentPart[] = [];
  const toolImages: ContentPart[] = [];
  let toolResults = 0;
  for (const block of content) {
    switch (block.type) {
      case "tool_result":
        toolResults++;
        messages.push(toolMessage(block, toolImages));
        break;
      case "text":
        parts.push(withCache({ type: "text", text: block.text }, block));
        break;
      case "image":
        parts.push(withCache(imagePart(block), block));
        break;
      case "document":
        parts.push(...documentParts(block));
        break;
    }
  }
  // A turn of nothing but tool results needs no user message; an empty turn stays a turn.
  if (parts.length > 0 || toolImages.length > 0 || toolResults === 0) {
    messages.push({ role: "user", content: [...toolImages, ...parts] });
  }
}

function toolMessage(block: AnthropicToolResultBlock, toolImages: ContentPart[]): ChatMessage {
  let content = "";
  if (typeof block.content === "string") {
    content = block.content;
  } else if (block.content) {
    const texts: string[] = [];
    for (const part of block.content) {
      if (part.type === "text") texts.push(part.text);
      else if (part.type === "image") toolImages.push(imagePart(part));
      else {
        for (const documentPart of documentParts(part)) {
          if (documentPart.type === "text") texts.push(documentPart.text);
          else toolImages.push(documentPart);
        }
      }
    }
    content = texts.join("\n");
  }
  const message: ChatMessage = { role: "tool", toolCallId: block.tool_use_id, content };
  if (block.is_error) message.isError = true;
  const cache = cacheMarkOf(block);
  if (cache) message.cache = cache;
  return message;
}

function assistantMessage(content: string | AnthropicAssistantBlock[]): ChatMessage {
  if (typeof content === "string") return { role: "assistant", content };
  let text: string | null = null;
  let reasoning = "";
  let reasoningSignature: string | undefined;
  const toolCalls: ToolCall[] = [];
  for (const block of content) {
    switch (block.type) {
      case "text":
        text = (text ?? "") + block.text;
        break;
      case "thinking":
        reasoning += block.thinking;
        if (reasoningSignature === undefined && block.signature) reasoningSignature = block.signature;
        break;
      case "tool_use":
        toolCalls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input) });
        break;
      case "redacted_thinking":
        break;
    }
  }
  const message: ChatMessage = { role: "assistant", content: text };
  if (reasoning) message.reasoning = reasoning;
  if (reasoningSignature !== undefined) message.reasoningSignature = reasoningSignature;
  if (toolCalls.length > 0) message.toolCalls = toolCalls;
  return message;
}

function imagePart(block: AnthropicImageBlock): ContentPart {
  const source = block.source;
  if (source.type === "url") return { type: "image", url: source.url };
  return { type: "image", data: source.data, mediaType: source.media_type };
}

/** Text documents become text (with their title and context first); content documents unwrap. */
function documentParts(block: AnthropicDocumentBlock): ContentPart[] {
  const heading = [block.title, block.context].filter((line): line is string => Boolean(line));
  const source = block.source;
  if (source.type === "text") {
    return [{ type: "text", text: [...heading, source.data].join("\n\n") }];
  }
  const parts: ContentPart[] = heading.length > 0 ? [{ type: "text", text: heading.join("\n\n") }] : [];
  if (typeof source.content === "string") {
    parts.push({ type: "text", text: source.content });
    return parts;
  }
  for (const part of source.content) {
    parts.push(part.type === "text" ? { type: "text", text: part.text } : imagePart(part));
  }
  return parts;
}

function toolDefinition(tool: AnthropicTool): ToolDefinition {
  const definition: ToolDefinition = {
    name: tool.name,
    parameters: tool.input_schema ?? { type: "object", properties: {} },
  };
  if (tool.description !== undefined) definition.description = tool.description;
  return definition;
}

function toolChoice(choice: NonNullable<AnthropicMessagesRequest["tool_choice"]>): ToolChoice {
  // `disable_parallel_tool_use` has no ChatRequest equivalent; back ends call tools as they will.
  switch (choice.type) {
    case "auto":
      return "auto";
    case "any":
      return "required";
    case "none":
      return "none";
    case "tool":
      return { name: choice.name };
  }
}

function reasoningOptions(thinking: NonNullable<AnthropicMessagesRequest["thinking"]>): ReasoningOptions {
  switch (thinking.type) {
    case "enabled":
      return { enabled: true, budgetTokens: thinking.budget_tokens };
    case "adaptive":
      return { enabled: true };
    case "disabled":
      return { enabled: false };
  }
}

/**
 * A block's `cache_control` as a CacheMark. The schema lets the key through without typing it
 * (Claude Code marks its system prompt, tools and the newest turn this way).
 */
function cacheMarkOf(block: object): CacheMark | undefined {
  const control = (block as { cache_control?: unknown }).cache_control;
  if (typeof control !== "object" || control === null) return undefined;
  const ttl = (control as { ttl?: unknown }).ttl;
  return ttl === "5m" || ttl === "1h" ? { ttl } : {};
}

function lastCacheMark(blocks: readonly object[]): CacheMark | undefined {
  for (let index = blocks.length - 1; index >= 0; index--) {
    const mark = cacheMarkOf(blocks[index]!);
    if (mark) return mark;
  }
  return undefined;
}

function withCache(part: ContentPart, block: object): ContentPart {
  const cache = cacheMarkOf(block);
  return cache ? { ...part, cache } : part;
}

function joinText(content: string | AnthropicTextBlock[], separator: string): string {
  return typeof content === "string" ? content : content.map((block) => block.text).join(separator);
}
