/**
 * OpenAI Chat Completions request → Switchyard's ChatRequest. Pure; the schema has already
 * validated the shape, so this only translates.
 */
import { SwitchyardError } from "../../errors/switchyard-error.js";
import type { ChatMessage, ChatRequest, ContentPart, JsonObject, ReasoningOptions } from "../chat-types.js";
import type { OpenAiChatRequest, OpenAiMessage } from "./openai-schema.js";

export function openAiToChatRequest(body: OpenAiChatRequest): ChatRequest {
  const request: ChatRequest = {
    model: body.model,
    messages: body.messages.map(convertMessage),
    stream: body.stream === true,
  };
  if (body.tools?.length) {
    request.tools = body.tools.map((tool) => ({
      name: tool.function.name,
      ...(tool.function.description ? { description: tool.function.description } : {}),
      parameters: (tool.function.parameters ?? { type: "object", properties: {} }) as JsonObject,
    }));
  }
  if (body.tool_choice) {
    request.toolChoice =
      typeof body.tool_choice === "string" ? body.tool_choice : { name: body.tool_choice.function.name };
  }
  const format = body.response_format;
  if (format?.type === "json_object") request.responseFormat = { type: "json" };
  if (format?.type === "json_schema") {
    request.responseFormat = {
      type: "json-schema",
      schema: (format.json_schema.schema ?? {}) as JsonObject,
      ...(format.json_schema.name ? { name: format.json_schema.name } : {}),
      ...(format.json_schema.strict != null ? { strict: format.json_schema.strict } : {}),
    };
  }
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (maxTokens != null) request.maxTokens = maxTokens;
  if (body.temperature != null) request.temperature = body.temperature;
  if (body.top_p != null) request.topP = body.top_p;
  if (body.top_k != null) request.topK = body.top_k;
  if (body.stop != null) request.stop = typeof body.stop === "string" ? [body.stop] : body.stop;
  if (body.seed != null) request.seed = body.seed;
  const reasoning = reasoningOptions(body);
  if (reasoning) request.reasoning = reasoning;
  if (body.user) request.user = body.user;
  return request;
}

function reasoningOptions(body: OpenAiChatRequest): ReasoningOptions | undefined {
  if (body.reasoning) {
    const enabled = body.reasoning.enabled ?? true;
    return body.reasoning.max_tokens ? { enabled, budgetTokens: body.reasoning.max_tokens } : { enabled };
  }
  if (body.reasoning_effort) return { enabled: body.reasoning_effort !== "none" };
  return undefined;
}

function convertMessage(message: OpenAiMessage, index: number): ChatMessage {
  switch (message.role) {
    case "system":
    case "developer":
      return { role: "system", content: textOf(message.content) };
    case "user":
      return {
        role: "user",
        content:
          typeof message.content === "string" ? message.content : message.content.map(convertPart(index)),
      };
    case "assistant": {
      const converted: ChatMessage = {
        role: "assistant",
        content: message.content == null ? null : textOf(message.content),
      };
      const reasoning = message.reasoning_content ?? message.reasoning;
      if (reasoning) converted.reasoning = reasoning;
      if (message.tool_calls?.length) {
        converted.toolCalls = message.tool_calls.map((call) => ({
          id: call.id,
          name: call.function.name,
          arguments: call.function.arguments,
        }));
      }
      return converted;
    }
    case "tool":
      return { role: "tool", toolCallId: message.tool_call_id, content: textOf(message.content) };
  }
}

function textOf(content: string | Array<{ type: string; text?: unknown }>): string {
  if (typeof content === "string") return content;
  return content
    .map((part) => (part.type === "text" && typeof part.text === "string" ? part.text : ""))
    .join("");
}

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;

function convertPart(messageIndex: number) {
  return (part: { type: string; text?: unknown; image_url?: unknown }, partIndex: number): ContentPart => {
    if (part.type === "text" && typeof part.text === "string") return { type: "text", text: part.text };
    if (part.type === "image_url") {
      const imageUrl = part.image_url as string | { url: string };
      const url = typeof imageUrl === "string" ? imageUrl : imageUrl.url;
      const inline = DATA_URL.exec(url);
      return inline ? { type: "image", mediaType: inline[1]!, data: inline[2]! } : { type: "image", url };
    }
    throw new SwitchyardError(
      "invalid-request",
      `messages.${messageIndex}.content.${partIndex}: content part type "${part.type}" is not supported; use "text" or "image_url"`,
    );
  };
}
