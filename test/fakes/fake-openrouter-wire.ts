/**
 * The exact JSON and SSE frames OpenRouter sends, built for the fake in `fake-openrouter.ts`:
 * chat.completion.chunk deltas (content, reasoning + reasoning_details, tool-call fragments), the
 * finish chunk, the usage chunk with `cost`, mid-stream error chunks, the non-streaming body, error
 * bodies, and the `/models` and `/key` answers.
 */
import { randomBytes } from "node:crypto";
import type { FakeOpenRouter, FakeOpenRouterModel, FakeOpenRouterReply } from "./fake-openrouter.js";

export interface ReplyUsage {
  promptTokens: number;
  completionTokens: number;
  cost: number | undefined;
}

export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function wireUsage(usage: ReplyUsage): Record<string, unknown> {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
    ...(usage.cost !== undefined ? { cost: usage.cost, is_byok: false } : {}),
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0 },
  };
}

function finishReasonOf(reply: FakeOpenRouterReply): string {
  return reply.finishReason ?? (reply.toolCalls && reply.toolCalls.length > 0 ? "tool_calls" : "stop");
}

/** Splits by code point so a delta never ends inside a surrogate pair. */
function pieces(text: string, size: number): string[] {
  const characters = Array.from(text);
  const result: string[] = [];
  for (let start = 0; start < characters.length; start += size) {
    result.push(characters.slice(start, start + size).join(""));
  }
  return result;
}

const PROCESSING_COMMENT = ": OPENROUTER PROCESSING\n\n";

function chunkFrame(
  id: string,
  model: string,
  choices: unknown[],
  extra: Record<string, unknown> = {},
): string {
  const chunk = {
    id,
    provider: "Fake",
    model,
    object: "chat.completion.chunk",
    created: nowSeconds(),
    choices,
    ...extra,
  };
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

function deltaFrame(
  id: string,
  model: string,
  delta: Record<string, unknown>,
  finishReason: string | null = null,
): string {
  const choice = {
    index: 0,
    delta: { role: "assistant", ...delta },
    finish_reason: finishReason,
    native_finish_reason: finishReason,
    logprobs: null,
  };
  return chunkFrame(id, model, [choice]);
}

export function buildStreamFrames(
  id: string,
  model: string,
  reply: FakeOpenRouterReply,
  usage: ReplyUsage,
): string[] {
  const size = Math.max(1, reply.chunkSize ?? 8);
  const comments = reply.commentLines ?? true;
  const frames: string[] = comments ? [PROCESSING_COMMENT] : [];
  for (const piece of pieces(reply.reasoning ?? "", size)) {
    const details = [{ type: "reasoning.text", text: piece, format: "unknown", index: 0 }];
    frames.push(deltaFrame(id, model, { content: "", reasoning: piece, reasoning_details: details }));
  }
  pieces(reply.content ?? "", size).forEach((piece, position) => {
    frames.push(deltaFrame(id, model, { content: piece }));
    // OpenRouter also sends its keep-alive between data events while a provider is slow.
    if (comments && position === 0) frames.push(PROCESSING_COMMENT);
  });
  reply.toolCalls?.forEach((call, index) => {
    const callId = `toolu_fake_${index}_${randomBytes(6).toString("hex")}`;
    const start = { index, id: callId, type: "function", function: { name: call.name, arguments: "" } };
    frames.push(deltaFrame(id, model, { content: null, tool_calls: [start] }));
    for (const piece of pieces(call.arguments, size)) {
      frames.push(
        deltaFrame(id, model, { content: null, tool_calls: [{ index, function: { arguments: piece } }] }),
      );
    }
  });
  frames.push(deltaFrame(id, model, { content: "" }, finishReasonOf(reply)));
  frames.push(chunkFrame(id, model, [], { usage: wireUsage(usage) }));
  frames.push("data: [DONE]\n\n");
  return frames;
}

/** The start of an answer: the keep-alive comment, then `afterContent` in deltas of 8 characters. */
export function buildPartialFrames(id: string, model: string, afterContent: string): string[] {
  const frames = [PROCESSING_COMMENT];
  for (const piece of pieces(afterContent, 8)) frames.push(deltaFrame(id, model, { content: piece }));
  return frames;
}

export function buildErrorMidStreamFrames(
  id: string,
  model: string,
  behaviour: { afterContent: string; code?: number; message: string },
): string[] {
  const frames = buildPartialFrames(id, model, behaviour.afterContent);
  const choice = { index: 0, delta: { content: "" }, finish_reason: "error", native_finish_reason: "error" };
  frames.push(
    chunkFrame(id, model, [choice], { error: { code: behaviour.code ?? 502, message: behaviour.message } }),
  );
  return frames; // OpenRouter terminates the stream after the error event, without [DONE]
}

/**
 * The same failure without streaming: OpenRouter has already answered 200 once generation began,
 * so the error is the body — the completion shape with `finish_reason: "error"` and an `error`.
 */
export function buildErrorCompletion(
  id: string,
  model: string,
  behaviour: { code?: number; message: string },
): unknown {
  return {
    ...completion(id, model, "error", { role: "assistant", content: "" }),
    error: { code: behaviour.code ?? 502, message: behaviour.message },
  };
}

export function buildCompletion(
  id: string,
  model: string,
  reply: FakeOpenRouterReply,
  usage: ReplyUsage,
): unknown {
  const toolCalls = reply.toolCalls?.map((call, index) => ({
    id: `toolu_fake_${index}_${randomBytes(6).toString("hex")}`,
    type: "function",
    index,
    function: { name: call.name, arguments: call.arguments },
  }));
  const message = {
    role: "assistant",
    content: reply.content ?? (toolCalls ? null : ""),
    refusal: null,
    reasoning: reply.reasoning ?? null,
    ...(toolCalls ? { tool_calls: toolCalls } : {}),
  };
  return { ...completion(id, model, finishReasonOf(reply), message), usage: wireUsage(usage) };
}

/** A `chat.completion` body with one choice, as OpenRouter shapes it. */
function completion(id: string, model: string, finishReason: string, message: object): object {
  return {
    id,
    provider: "Fake",
    model,
    object: "chat.completion",
    created: nowSeconds(),
    choices: [
      { index: 0, logprobs: null, finish_reason: finishReason, native_finish_reason: finishReason, message },
    ],
  };
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export function modelsBody(models: readonly FakeOpenRouterModel[]): unknown {
  return {
    data: models.map((model) => ({
      id: model.id,
      canonical_slug: model.id,
      name: model.id,
      created: 1_750_000_000,
      description: "A model served by the fake OpenRouter.",
      context_length: model.contextLength,
      architecture: {
        modality: "text+image->text",
        input_modalities: ["text", "image"],
        output_modalities: ["text"],
      },
      pricing: {
        prompt: formatUsd(model.promptPrice / 1_000_000),
        completion: formatUsd(model.completionPrice / 1_000_000),
        request: "0",
        image: "0",
        internal_reasoning: "0",
      },
      top_provider: {
        context_length: model.contextLength,
        max_completion_tokens: model.maxCompletionTokens ?? null,
        is_moderated: false,
      },
      per_request_limits: null,
      supported_parameters: [
        "max_tokens",
        "temperature",
        "top_p",
        "top_k",
        "stop",
        "seed",
        "tools",
        "tool_choice",
        "reasoning",
        "response_format",
      ],
    })),
  };
}

export function keyBody(keyInfo: FakeOpenRouter["keyInfo"]): unknown {
  const { limit, usage, limitRemaining } = keyInfo;
  return {
    data: {
      label: "sk-or-v1-fak...key",
      limit,
      limit_remaining: limitRemaining,
      limit_reset: null,
      include_byok_in_limit: false,
      usage,
      usage_daily: usage,
      usage_weekly: usage,
      usage_monthly: usage,
      byok_usage: 0,
      is_free_tier: false,
      is_provisioning_key: false,
    },
  };
}

const DEFAULT_ERROR_MESSAGES: Record<number, string> = {
  400: "Bad Request",
  401: "User not found.",
  402: "Insufficient credits. Add more using https://openrouter.ai/settings/credits",
  403: "Your chosen model requires moderation and your input was flagged",
  408: "Request timed out",
  429: "Rate limit exceeded",
  502: "Provider returned error",
  503: "No available model provider that meets your routing requirements",
};

export function errorBody(status: number): unknown {
  return { error: { code: status, message: DEFAULT_ERROR_MESSAGES[status] ?? `HTTP ${status}` } };
}

function formatUsd(value: number): string {
  if (value === 0) return "0";
  return value.toFixed(12).replace(/0+$/, "").replace(/\.$/, "");
}
