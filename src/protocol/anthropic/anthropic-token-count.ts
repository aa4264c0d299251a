/**
 * `/v1/messages/count_tokens` without a model: an estimate of the prompt tokens a Messages request
 * will cost. Claude Code calls it to size its context (and `/context` shows it), so it must track
 * the real prompt, not be a constant.
 *
 * Method: every piece of text the model will read — system prompt, message text, tool definitions
 * (name, description and the JSON of `input_schema`), tool_use inputs as JSON, tool results,
 * documents, thinking — goes through `estimateTextTokens` (a BPE-shaped estimate, ±10% of
 * cl100k/o200k on prose, code and JSON). Images cost width×height/750 after Anthropic's
 * downscaling (long edge ≤ 1568 px, ≤ ~1.2 MP), 1,600 when the size cannot be read. Small fixed
 * overheads stand in for the role and block markers of chat templates, and Anthropic's published
 * tool-use system prompt (346 tokens, 313 when a tool is forced) is added when tools are present.
 * Expect the total within about ±15% of a real tokenizer for typical coding conversations.
 */
import type {
  AnthropicCountTokensRequest,
  AnthropicImageBlock,
  AnthropicMessage,
} from "./anthropic-schema.js";
import { systemPromptText } from "./anthropic-to-chat.js";
import { imageDimensionsFromBase64 } from "./image-dimensions.js";
import { estimateTextTokens } from "./text-token-estimate.js";

/** Role header and end-of-turn markers of a chat template. */
const messageOverhead = 4;
/** The markers around a tool call or tool result block (ids, names, delimiters). */
const toolBlockOverhead = 8;
/** Per tool definition, the framing around its name, description and schema. */
const toolDefinitionOverhead = 6;
/** The assistant header that primes the reply. */
const replyPrimer = 3;
const toolSystemPromptTokens = 346;
const forcedToolSystemPromptTokens = 313;

const unknownImageTokens = 1_600;
const maximumImageEdge = 1_568;
const maximumImagePixels = 1_200_000;
const pixelsPerToken = 750;

export function countAnthropicInputTokens(body: AnthropicCountTokensRequest): number {
  let tokens = replyPrimer;
  const system = systemPromptText(body.system);
  if (system) tokens += messageOverhead + estimateTextTokens(system);
  for (const message of body.messages) tokens += messageOverhead + messageTokens(message);
  if (body.tools && body.tools.length > 0) {
    const forced = body.tool_choice?.type === "any" || body.tool_choice?.type === "tool";
    tokens += forced ? forcedToolSystemPromptTokens : toolSystemPromptTokens;
    for (const tool of body.tools) {
      tokens += toolDefinitionOverhead + estimateTextTokens(tool.name);
      if (tool.description) tokens += estimateTextTokens(tool.description);
      if (tool.input_schema) tokens += estimateTextTokens(JSON.stringify(tool.input_schema));
    }
  }
  return tokens;
}

function messageTokens(message: AnthropicMessage): number {
  if (typeof message.content === "string") return estimateTextTokens(message.content);
  let tokens = 0;
  for (const block of message.content) {
    switch (block.type) {
      case "text":
        tokens += estimateTextTokens(block.text);
        break;
      case "image":
        tokens += imageTokens(block);
        break;
      case "document":
        tokens += documentTokens(block.source, [block.title, block.context]);
        break;
      case "tool_use":
        tokens +=
          toolBlockOverhead +
          estimateTextTokens(block.name) +
          estimateTextTokens(JSON.stringify(block.input));
        break;
      case "tool_result":
        tokens += toolBlockOverhead + toolResultTokens(block.content);
        break;
      case "thinking":
        tokens += estimateTextTokens(block.thinking);
        break;
      case "redacted_thinking":
        // Encrypted reasoning: its size says nothing about the tokens it stands for.
        break;
    }
  }
  return tokens;
}

type ToolResultContent = Extract<AnthropicMessage["content"][number], { type: "tool_result" }>["content"];

function toolResultTokens(content: ToolResultContent): number {
  if (content === undefined) return 0;
  if (typeof content === "string") return estimateTextTokens(content);
  let tokens = 0;
  for (const part of content) {
    if (part.type === "text") tokens += estimateTextTokens(part.text);
    else if (part.type === "image") tokens += imageTokens(part);
    else tokens += documentTokens(part.source, [part.title, part.context]);
  }
  return tokens;
}

type DocumentSource = Extract<AnthropicMessage["content"][number], { type: "document" }>["source"];

function documentTokens(source: DocumentSource, headings: (string | null | undefined)[]): number {
  let tokens = 0;
  for (const heading of headings) if (heading) tokens += estimateTextTokens(heading);
  if (source.type === "text") return tokens + estimateTextTokens(source.data);
  if (typeof source.content === "string") return tokens + estimateTextTokens(source.content);
  for (const part of source.content) {
    tokens += part.type === "text" ? estimateTextTokens(part.text) : imageTokens(part);
  }
  return tokens;
}

/** Anthropic's rule: width × height / 750 after scaling down to its size limits. */
export function imageTokens(block: AnthropicImageBlock): number {
  if (block.source.type !== "base64") return unknownImageTokens;
  const size = imageDimensionsFromBase64(block.source.data);
  if (!size) return unknownImageTokens;
  const edgeScale = Math.min(1, maximumImageEdge / Math.max(size.width, size.height));
  let pixels = size.width * size.height * edgeScale * edgeScale;
  if (pixels > maximumImagePixels) pixels = maximumImagePixels;
  return Math.max(1, Math.ceil(pixels / pixelsPerToken));
}
