/**
 * The JSON and SSE frames the simulated OpenRouter sends, shaped as OpenRouter's: streamed
 * `chat.completion.chunk` deltas (content, or reasoning with `reasoning_details`), the finish
 * chunk, the usage chunk with `cost`, `data: [DONE]`, the non-streamed completion, error bodies,
 * and the `/models` and `/key` answers. Pure builders; `simulated-openrouter.ts` sends them.
 */
import type { CloudModelSpec } from "./simulated-model-speeds.js";

export const PROCESSING_COMMENT = ": OPENROUTER PROCESSING\n\n";
export const DONE_FRAME = "data: [DONE]\n\n";

export interface CompletionUsage {
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
  costUsd: number;
}

export interface CompletionIdentity {
  id: string;
  model: string;
  created: number;
}

export function usageFields(usage: CompletionUsage): Record<string, unknown> {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
    cost: usage.costUsd,
    is_byok: false,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    cost_details: { upstream_inference_cost: null },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens, image_tokens: 0 },
  };
}

function chunk(
  identity: CompletionIdentity,
  choices: unknown[],
  extra: Record<string, unknown> = {},
): string {
  const body = {
    id: identity.id,
    provider: "Anthropic",
    model: identity.model,
    object: "chat.completion.chunk",
    created: identity.created,
    choices,
    ...extra,
  };
  return `data: ${JSON.stringify(body)}\n\n`;
}

/** One streamed delta: answer text, or reasoning (OpenRouter sends both `reasoning` and details). */
export function deltaFrame(
  identity: CompletionIdentity,
  piece: { content?: string; reasoning?: string },
): string {
  const delta = piece.reasoning
    ? {
        role: "assistant",
        content: "",
        reasoning: piece.reasoning,
        reasoning_details: [
          { type: "reasoning.text", text: piece.reasoning, format: "anthropic-claude-v1", index: 0 },
        ],
      }
    : { role: "assistant", content: piece.content ?? "" };
  return chunk(identity, [
    { index: 0, delta, finish_reason: null, native_finish_reason: null, logprobs: null },
  ]);
}

export function finishFrame(identity: CompletionIdentity, finishReason: "stop" | "length"): string {
  const native = finishReason === "stop" ? "end_turn" : "max_tokens";
  return chunk(identity, [
    {
      index: 0,
      delta: { role: "assistant", content: "" },
      finish_reason: finishReason,
      native_finish_reason: native,
      logprobs: null,
    },
  ]);
}

export function usageFrame(identity: CompletionIdentity, usage: CompletionUsage): string {
  return chunk(identity, [], { usage: usageFields(usage) });
}

export function completionBody(
  identity: CompletionIdentity,
  answer: { content: string; reasoning: string; finishReason: "stop" | "length" },
  usage: CompletionUsage,
): unknown {
  return {
    id: identity.id,
    provider: "Anthropic",
    model: identity.model,
    object: "chat.completion",
    created: identity.created,
    choices: [
      {
        index: 0,
        logprobs: null,
        finish_reason: answer.finishReason,
        native_finish_reason: answer.finishReason === "stop" ? "end_turn" : "max_tokens",
        message: {
          role: "assistant",
          content: answer.content,
          refusal: null,
          reasoning: answer.reasoning === "" ? null : answer.reasoning,
        },
      },
    ],
    usage: usageFields(usage),
  };
}

export function modelsBody(models: readonly CloudModelSpec[]): unknown {
  return {
    data: models.map((model) => ({
      id: model.id,
      canonical_slug: model.id,
      name: `${model.id} (simulated)`,
      created: 1_759_000_000,
      description:
        "Served by the Switchyard demo's simulated OpenRouter: the answers are not a real model's.",
      context_length: model.contextLength,
      architecture: {
        modality: "text+image->text",
        input_modalities: ["text", "image"],
        output_modalities: ["text"],
      },
      pricing: {
        prompt: perToken(model.promptUsdPerMillion),
        completion: perToken(model.completionUsdPerMillion),
        request: "0",
        image: "0",
        internal_reasoning: "0",
      },
      top_provider: {
        context_length: model.contextLength,
        max_completion_tokens: model.maxCompletionTokens,
        is_moderated: false,
      },
      per_request_limits: null,
      supported_parameters: [
        "max_tokens",
        "temperature",
        "top_p",
        "stop",
        "tools",
        "tool_choice",
        "reasoning",
        "response_format",
      ],
    })),
  };
}

export interface KeyState {
  /** The key's credit limit, USD. */
  limitUsd: number;
  usageUsd: number;
}

export function keyBody(key: KeyState): unknown {
  return {
    data: {
      label: "sk-or-v1-sim...demo",
      limit: key.limitUsd,
      limit_remaining: Math.max(0, key.limitUsd - key.usageUsd),
      limit_reset: null,
      include_byok_in_limit: false,
      usage: key.usageUsd,
      usage_daily: key.usageUsd,
      usage_weekly: key.usageUsd,
      usage_monthly: key.usageUsd,
      byok_usage: 0,
      is_free_tier: false,
      is_provisioning_key: false,
    },
  };
}

export function errorBody(code: number, message: string, metadata?: Record<string, unknown>): unknown {
  return { error: { code, message, ...(metadata ? { metadata } : {}) } };
}

/** USD per million tokens as OpenRouter writes a price: USD per token, a decimal string. */
function perToken(usdPerMillion: number): string {
  return (usdPerMillion / 1_000_000).toFixed(12).replace(/0+$/, "").replace(/\.$/, "");
}
