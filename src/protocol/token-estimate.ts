/**
 * How many prompt tokens a `ChatRequest` will cost, whichever front door it came through: the
 * protocol-neutral counterpart of `countAnthropicInputTokens`, used to decide which rungs of a
 * ladder can hold the conversation (`routing/context-fit.ts`).
 *
 * Same method as the Anthropic count: every text the model reads (system prompt, messages, tool
 * definitions, tool-call arguments, tool results, reasoning) goes through `estimateTextTokens`,
 * images cost width×height/750 after downscaling, and small fixed overheads stand in for a chat
 * template's role markers and tool preamble. Expect about ±15% of a real tokenizer.
 *
 * Two entry points, because the estimate costs about 50 ms per MB of text and sits on the hot path:
 * `chatRequestTokenCeiling` is a cheap upper bound (UTF-8 bytes: no byte-level BPE token is shorter
 * than one byte) that settles most requests without estimating; `estimateChatRequestTokens` is the
 * estimate itself, remembered per request object so two callers pay for it once. Long texts are
 * also remembered by content: an agent such as Claude Code resends the same ~20k tokens of system
 * prompt and tool schemas on every turn, and a Map look-up hashes them far faster than re-estimating.
 */

import { imageTokens } from "./anthropic/anthropic-token-count.js";
import { estimateTextTokens } from "./anthropic/text-token-estimate.js";
import type { ChatMessage, ChatRequest, ContentPart } from "./chat-types.js";

/** Role header and end-of-turn markers of a chat template. */
const messageOverhead = 4;
/** The markers around a tool call or tool result (ids, names, delimiters). */
const toolCallOverhead = 8;
/** Per tool definition, the framing around its name, description and schema. */
const toolDefinitionOverhead = 6;
/** The assistant header that primes the reply. */
const replyPrimer = 3;
/** The instructions chat templates wrap around offered tools (Anthropic publishes 346). */
const toolPreambleTokens = 346;
/** An image whose size cannot be read: Anthropic's cap for one image, about 1.2 megapixels. */
const largestImageTokens = 1_600;

const estimates = new WeakMap<ChatRequest, number>();

/** Texts at least this long are remembered by content, up to about 8 MB of them in all. */
const rememberedTextLength = 1_024;
const rememberedCharacterLimit = 4_000_000;
const textEstimates = new Map<string, number>();
let rememberedCharacters = 0;

function textTokens(text: string): number {
  if (text.length < rememberedTextLength) return estimateTextTokens(text);
  const remembered = textEstimates.get(text);
  if (remembered !== undefined) return remembered;
  const tokens = estimateTextTokens(text);
  // Forgetting everything at the limit is crude but bounded, and the next request refills it.
  if (rememberedCharacters + text.length > rememberedCharacterLimit) {
    textEstimates.clear();
    rememberedCharacters = 0;
  }
  if (text.length <= rememberedCharacterLimit) {
    textEstimates.set(text, tokens);
    rememberedCharacters += text.length;
  }
  return tokens;
}

export function estimateChatRequestTokens(request: ChatRequest): number {
  const remembered = estimates.get(request);
  if (remembered !== undefined) return remembered;
  let tokens = replyPrimer;
  for (const message of request.messages) tokens += messageOverhead + messageTokens(message);
  if (request.tools && request.tools.length > 0) {
    tokens += toolPreambleTokens;
    for (const tool of request.tools) {
      tokens += toolDefinitionOverhead + textTokens(tool.name);
      if (tool.description) tokens += textTokens(tool.description);
      tokens += textTokens(JSON.stringify(tool.parameters));
    }
  }
  estimates.set(request, tokens);
  return tokens;
}

/** The estimate if one was already made for this request object, without making one. */
export function knownChatRequestTokens(request: ChatRequest): number | undefined {
  return estimates.get(request);
}

/**
 * An upper bound of `estimateChatRequestTokens`, in microseconds: text counts one token per UTF-8
 * byte (the estimate never prices a piece above its length), images at the most they can cost.
 */
export function chatRequestTokenCeiling(request: ChatRequest): number {
  return byteBound(request, ESTIMATE_FRAMING);
}

/**
 * What no real tokenizer can exceed for this request, for the budget's worst case (a reservation
 * must be an upper bound, or concurrent requests settle past a cap). Byte-level BPE tokenizers —
 * Anthropic's, OpenAI's, Llama's — never make a token of less than one byte of text, so text
 * costs at most its UTF-8 length; only the framing a provider adds around it (role markers, the
 * tool-use preamble, a SentencePiece prefix) is not text the caller sent, and it is bounded here
 * well above what any provider publishes. Images cost at most about 1,600 tokens on Anthropic
 * models and 1,105 on OpenAI's; 2,000 bounds both.
 */
export function chatRequestTokenBound(request: ChatRequest): number {
  return byteBound(request, PROVIDER_FRAMING_BOUND);
}

interface Framing {
  reply: number;
  message: number;
  toolCall: number;
  toolDefinition: number;
  toolPreamble: number;
  image: number;
}

/** The estimate's own framing: what `estimateChatRequestTokens` adds, so the ceiling bounds it. */
const ESTIMATE_FRAMING: Framing = {
  reply: replyPrimer,
  message: messageOverhead,
  toolCall: toolCallOverhead,
  toolDefinition: toolDefinitionOverhead,
  toolPreamble: toolPreambleTokens,
  image: largestImageTokens,
};

/** Several times what providers add (Anthropic's tool preamble is 346 tokens; a role marker is 3–5). */
const PROVIDER_FRAMING_BOUND: Framing = {
  reply: 16,
  message: 16,
  toolCall: 24,
  toolDefinition: 32,
  toolPreamble: 1_024,
  image: 2_000,
};

function byteBound(request: ChatRequest, framing: Framing): number {
  let tokens = framing.reply;
  for (const message of request.messages) {
    tokens += framing.message;
    switch (message.role) {
      case "system":
        tokens += Buffer.byteLength(message.content);
        break;
      case "user":
        if (typeof message.content === "string") tokens += Buffer.byteLength(message.content);
        else
          for (const part of message.content)
            tokens += part.type === "text" ? Buffer.byteLength(part.text) : framing.image;
        break;
      case "assistant":
        tokens += Buffer.byteLength(message.content ?? "") + Buffer.byteLength(message.reasoning ?? "");
        for (const call of message.toolCalls ?? []) {
          tokens += framing.toolCall + Buffer.byteLength(call.name) + Buffer.byteLength(call.arguments);
        }
        break;
      case "tool":
        tokens += framing.toolCall + Buffer.byteLength(message.content);
        break;
    }
  }
  if (request.tools && request.tools.length > 0) {
    tokens += framing.toolPreamble;
    for (const tool of request.tools) {
      tokens += framing.toolDefinition + Buffer.byteLength(tool.name);
      tokens +=
        Buffer.byteLength(tool.description ?? "") + Buffer.byteLength(JSON.stringify(tool.parameters));
    }
  }
  return tokens;
}

function messageTokens(message: ChatMessage): number {
  switch (message.role) {
    case "system":
      return textTokens(message.content);
    case "user":
      if (typeof message.content === "string") return textTokens(message.content);
      return message.content.reduce((sum, part) => sum + partTokens(part), 0);
    case "assistant": {
      let tokens = textTokens(message.content ?? "");
      if (message.reasoning) tokens += textTokens(message.reasoning);
      for (const call of message.toolCalls ?? []) {
        tokens += toolCallOverhead + textTokens(call.name) + textTokens(call.arguments);
      }
      return tokens;
    }
    case "tool":
      return toolCallOverhead + textTokens(message.content);
  }
}

function partTokens(part: ContentPart): number {
  if (part.type === "text") return textTokens(part.text);
  if (part.data === undefined) return largestImageTokens;
  return imageTokens({
    type: "image",
    source: { type: "base64", media_type: part.mediaType ?? "image/png", data: part.data },
  });
}
