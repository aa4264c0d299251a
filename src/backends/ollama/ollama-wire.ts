/**
 * Owns Ollama's `/api/chat` wire format: the request body built from a `ChatRequest` (a pure
 * function) and the lenient zod schema for one line of the NDJSON answer. Turning those lines into
 * `ChatEvent`s lives in `ollama-stream-decoder.ts`.
 */
import { z } from "zod";
import { SwitchyardError } from "../../errors/switchyard-error.js";
import type {
  ChatMessage,
  ChatRequest,
  ContentPart,
  JsonObject,
  ToolDefinition,
} from "../../protocol/chat-types.js";
import { parseJson } from "../../protocol/safe-json.js";
import type { ModelOptions } from "../backend.js";

export interface OllamaToolCall {
  /** Sent back so newer Ollama versions can pair results with calls; older ones ignore it. */
  id?: string;
  function: { name: string; arguments: JsonObject };
}

export interface OllamaMessage {
  role: "system" | "user" | "assistant" | "tool";
  content: string;
  /** Base64 images, without a `data:` prefix. */
  images?: string[];
  thinking?: string;
  tool_calls?: OllamaToolCall[];
  tool_name?: string;
  tool_call_id?: string;
}

export interface OllamaChatOptions {
  num_ctx?: number;
  num_predict?: number;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  stop?: string[];
  seed?: number;
}

export interface OllamaChatBody {
  model: string;
  messages: OllamaMessage[];
  stream: boolean;
  tools?: Array<{
    type: "function";
    function: { name: string; description?: string; parameters: JsonObject };
  }>;
  /** `"json"` for JSON mode, or a JSON Schema for structured output. */
  format?: "json" | JsonObject;
  options?: OllamaChatOptions;
  keep_alive?: string | number;
  think?: boolean;
}

/**
 * Builds the `/api/chat` body. Streams when the caller streams; a caller that waits for the whole
 * answer gets it from Ollama as one JSON object — the same shape as the final NDJSON line, with the
 * whole message — instead of one line per token to parse and reassemble.
 */
export function toOllamaChatBody(
  request: ChatRequest,
  model: string,
  modelOptions: ModelOptions,
): OllamaChatBody {
  const body: OllamaChatBody = {
    model,
    messages: toOllamaMessages(request.messages),
    stream: request.stream,
  };
  const tools = selectTools(request);
  if (tools.length > 0) {
    body.tools = tools.map((tool) => ({
      type: "function",
      function: {
        name: tool.name,
        ...(tool.description === undefined ? {} : { description: tool.description }),
        parameters: tool.parameters,
      },
    }));
  }
  if (request.responseFormat?.type === "json") body.format = "json";
  if (request.responseFormat?.type === "json-schema") body.format = request.responseFormat.schema;
  const options = toOllamaOptions(request, modelOptions);
  if (options) body.options = options;
  if (modelOptions.keepAlive !== undefined) body.keep_alive = modelOptions.keepAlive;
  // An alias with `think: false` names a model that cannot think: Ollama answers 400 "does not
  // support thinking" if asked, so the caller's reasoning request is not passed on to it.
  const think = modelOptions.think === false ? undefined : (request.reasoning?.enabled ?? modelOptions.think);
  if (think !== undefined) body.think = think;
  return body;
}

/**
 * Ollama has no `tool_choice`. "none" is honoured by not offering tools, a named tool by offering
 * only that one; "required" cannot be enforced, so all tools are offered.
 */
function selectTools(request: ChatRequest): ToolDefinition[] {
  const tools = request.tools ?? [];
  const choice = request.toolChoice;
  if (choice === "none") return [];
  if (typeof choice === "object") return tools.filter((tool) => tool.name === choice.name);
  return tools;
}

function toOllamaOptions(request: ChatRequest, modelOptions: ModelOptions): OllamaChatOptions | undefined {
  const options: OllamaChatOptions = {};
  if (modelOptions.numCtx !== undefined) options.num_ctx = modelOptions.numCtx;
  const maxTokens = request.maxTokens ?? modelOptions.maxOutputTokens;
  if (maxTokens !== undefined) options.num_predict = maxTokens;
  if (request.temperature !== undefined) options.temperature = request.temperature;
  if (request.topP !== undefined) options.top_p = request.topP;
  if (request.topK !== undefined) options.top_k = request.topK;
  if (request.stop !== undefined && request.stop.length > 0) options.stop = request.stop;
  if (request.seed !== undefined) options.seed = request.seed;
  return Object.keys(options).length > 0 ? options : undefined;
}

export function toOllamaMessages(messages: ChatMessage[]): OllamaMessage[] {
  // Ollama names tool results by tool name, which our tool messages only know by call id.
  const toolNamesById = new Map<string, string>();
  const converted: OllamaMessage[] = [];
  for (const message of messages) {
    switch (message.role) {
      case "system":
        converted.push({ role: "system", content: message.content });
        break;
      case "user":
        converted.push(toOllamaUserMessage(message.content));
        break;
      case "assistant": {
        const assistant: OllamaMessage = { role: "assistant", content: message.content ?? "" };
        if (message.reasoning) assistant.thinking = message.reasoning;
        if (message.toolCalls && message.toolCalls.length > 0) {
          assistant.tool_calls = message.toolCalls.map((call) => {
            toolNamesById.set(call.id, call.name);
            return {
              id: call.id,
              function: { name: call.name, arguments: parseToolArguments(call.name, call.arguments) },
            };
          });
        }
        converted.push(assistant);
        break;
      }
      case "tool": {
        // Ollama has no error flag on tool results; say it in the content so the model can tell.
        const content = message.isError ? `Error: ${message.content}` : message.content;
        const result: OllamaMessage = { role: "tool", content, tool_call_id: message.toolCallId };
        const toolName = toolNamesById.get(message.toolCallId);
        if (toolName !== undefined) result.tool_name = toolName;
        converted.push(result);
        break;
      }
    }
  }
  return converted;
}

function toOllamaUserMessage(content: string | ContentPart[]): OllamaMessage {
  if (typeof content === "string") return { role: "user", content };
  const texts: string[] = [];
  const images: string[] = [];
  for (const part of content) {
    if (part.type === "text") texts.push(part.text);
    else images.push(inlineImageData(part));
  }
  const message: OllamaMessage = { role: "user", content: texts.join("\n") };
  if (images.length > 0) message.images = images;
  return message;
}

function inlineImageData(part: Extract<ContentPart, { type: "image" }>): string {
  if (part.data) return part.data;
  // A data: URL is inline data in disguise; only its base64 payload goes on the wire.
  if (part.url?.startsWith("data:")) {
    const comma = part.url.indexOf(",");
    if (comma !== -1 && part.url.slice(0, comma).endsWith(";base64")) return part.url.slice(comma + 1);
  }
  throw new SwitchyardError(
    "invalid-request",
    `Ollama needs inline base64 images; it cannot fetch the image at ${part.url ?? "(no url)"}. ` +
      "Send the image bytes (or a data: URL) instead of a link.",
  );
}

/** Ollama wants tool-call arguments as an object, where our messages carry the model's JSON text. */
function parseToolArguments(toolName: string, argumentsText: string): JsonObject {
  if (argumentsText.trim() === "") return {};
  const json = parseJson(argumentsText);
  if (!json.ok) {
    throw new SwitchyardError(
      "invalid-request",
      `The arguments of the earlier call to tool "${toolName}" are not valid JSON (${json.error}), and Ollama needs them as an object.`,
    );
  }
  const parsed = json.value;
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new SwitchyardError(
      "invalid-request",
      `The arguments of the earlier call to tool "${toolName}" must be a JSON object for Ollama.`,
    );
  }
  return parsed as JsonObject;
}

const ollamaToolCallSchema = z.object({
  id: z.string().nullish(),
  function: z.object({
    name: z.string(),
    // Ollama sends an object; some compatible servers send the JSON text instead.
    arguments: z.union([z.record(z.string(), z.unknown()), z.string()]).nullish(),
  }),
});

/** One NDJSON line of `/api/chat`. Every field is optional: the final line and error lines differ. */
export const ollamaChatLineSchema = z.object({
  model: z.string().nullish(),
  message: z
    .object({
      content: z.string().nullish(),
      thinking: z.string().nullish(),
      tool_calls: z.array(ollamaToolCallSchema).nullish(),
    })
    .nullish(),
  done: z.boolean().nullish(),
  done_reason: z.string().nullish(),
  load_duration: z.number().nullish(),
  prompt_eval_count: z.number().nullish(),
  prompt_eval_duration: z.number().nullish(),
  eval_count: z.number().nullish(),
  eval_duration: z.number().nullish(),
  error: z.string().nullish(),
});

export type OllamaChatLine = z.infer<typeof ollamaChatLineSchema>;
