/**
 * OpenRouter's two read-only account endpoints, typed and validated: the model catalog
 * (`GET /models`: prices and context lengths) and the calling key's spend (`GET /key`: limit,
 * remaining, usage). The budget and the doctor use them; chat traffic never does.
 */
import { type Dispatcher, request } from "undici";
import { z } from "zod";
import type { SwitchyardConfig } from "../../config/config-schema.js";
import { SwitchyardError } from "../../errors/switchyard-error.js";
import { parseJson } from "../../protocol/safe-json.js";
import {
  errorFromStatus,
  errorFromTransport,
  type UpstreamErrorContext,
} from "./openai-compatible-errors.js";

export const OPENROUTER_BASE_URL = "https://openrouter.ai/api/v1";

export interface OpenRouterApiOptions {
  /** Defaults to `https://openrouter.ai/api/v1`. */
  baseUrl?: string;
  /** Required by `/key`; `/models` works without one. */
  apiKey?: string;
  /** Attribution headers (`HTTP-Referer`, `X-Title`). */
  headers?: Record<string, string>;
  dispatcher?: Dispatcher;
  /** Whole-call timeout for these small JSON answers; default 10 s. */
  timeoutMs?: number;
  /** Cancels the call (doctor's per-check time limit). */
  signal?: AbortSignal;
  /** Names the back end in error messages; default "openrouter". */
  backendId?: string;
}

/** One catalog entry. Prices are USD per token, as OpenRouter states them. */
export interface OpenRouterModel {
  id: string;
  name?: string;
  promptUsdPerToken: number;
  completionUsdPerToken: number;
  /** Prompt-cache prices, where the model has them (Anthropic's: a tenth, and 1.25×, of the input price). */
  cacheReadUsdPerToken?: number;
  cacheWriteUsdPerToken?: number;
  contextLength?: number;
  maxCompletionTokens?: number;
  /** OpenRouter's `expiration_date`: the day after which the model may be removed (YYYY-MM-DD). */
  expirationDate?: string;
}

/** What the calling key may still spend. `null` limits mean "no limit set on this key". */
export interface OpenRouterKeyInfo {
  label?: string;
  limitUsd: number | null;
  limitRemainingUsd: number | null;
  /** All-time spend on this key, USD. */
  usageUsd: number;
  /** "daily" | "weekly" | "monthly" when the limit resets, null when it never does. */
  limitReset?: string | null;
  isFreeTier?: boolean;
}

const modelsResponseSchema = z.object({
  data: z.array(
    z.object({
      id: z.string(),
      name: z.string().nullish(),
      context_length: z.number().nullish(),
      pricing: z.object({
        prompt: z.union([z.string(), z.number()]),
        completion: z.union([z.string(), z.number()]),
        input_cache_read: z.union([z.string(), z.number()]).nullish(),
        input_cache_write: z.union([z.string(), z.number()]).nullish(),
      }),
      top_provider: z
        .object({ context_length: z.number().nullish(), max_completion_tokens: z.number().nullish() })
        .nullish(),
      expiration_date: z.string().nullish(),
    }),
  ),
});

const keyResponseSchema = z.object({
  data: z.object({
    label: z.string().nullish(),
    limit: z.number().nullish(),
    limit_remaining: z.number().nullish(),
    limit_reset: z.string().nullish(),
    usage: z.number().nullish(),
    is_free_tier: z.boolean().nullish(),
  }),
});

/**
 * The model catalog. Entries whose price is not a plain non-negative number (OpenRouter's
 * auto-router says "-1": priced per routed model) are left out, since no budget can use them.
 */
export async function fetchModels(options: OpenRouterApiOptions = {}): Promise<OpenRouterModel[]> {
  const parsed = await getJson(options, "models", modelsResponseSchema);
  const models: OpenRouterModel[] = [];
  for (const entry of parsed.data) {
    const promptUsdPerToken = Number(entry.pricing.prompt);
    const completionUsdPerToken = Number(entry.pricing.completion);
    if (!isPrice(promptUsdPerToken) || !isPrice(completionUsdPerToken)) continue;
    const model: OpenRouterModel = { id: entry.id, promptUsdPerToken, completionUsdPerToken };
    if (entry.name) model.name = entry.name;
    const contextLength = entry.context_length ?? entry.top_provider?.context_length;
    if (typeof contextLength === "number") model.contextLength = contextLength;
    const maxCompletionTokens = entry.top_provider?.max_completion_tokens;
    if (typeof maxCompletionTokens === "number") model.maxCompletionTokens = maxCompletionTokens;
    if (entry.expiration_date) model.expirationDate = entry.expiration_date;
    const cacheRead = Number(entry.pricing.input_cache_read ?? Number.NaN);
    const cacheWrite = Number(entry.pricing.input_cache_write ?? Number.NaN);
    if (isPrice(cacheRead)) model.cacheReadUsdPerToken = cacheRead;
    if (isPrice(cacheWrite)) model.cacheWriteUsdPerToken = cacheWrite;
    models.push(model);
  }
  return models;
}

/** The calling key's limit and spend (`GET /key`). Needs `apiKey`. */
export async function fetchKeyInfo(options: OpenRouterApiOptions): Promise<OpenRouterKeyInfo> {
  const { data } = await getJson(options, "key", keyResponseSchema);
  const info: OpenRouterKeyInfo = {
    limitUsd: data.limit ?? null,
    limitRemainingUsd: data.limit_remaining ?? null,
    usageUsd: data.usage ?? 0,
  };
  if (data.label) info.label = data.label;
  if (data.limit_reset !== undefined) info.limitReset = data.limit_reset;
  if (typeof data.is_free_tier === "boolean") info.isFreeTier = data.is_free_tier;
  return info;
}

/** What OpenRouter billed for one generation (`GET /generation?id=`), once it has recorded it. */
export interface GenerationStats {
  totalCostUsd: number;
  promptTokens: number | null;
  completionTokens: number | null;
  /** True when the caller (or we) cancelled the stream; it is billed for what was generated. */
  cancelled: boolean | null;
}

const generationResponseSchema = z.object({
  data: z.object({
    total_cost: z.number(),
    tokens_prompt: z.number().nullish(),
    tokens_completion: z.number().nullish(),
    native_tokens_prompt: z.number().nullish(),
    native_tokens_completion: z.number().nullish(),
    cancelled: z.boolean().nullish(),
  }),
});

/**
 * What a generation was billed, by its id (the `gen-…` id of a completion or its stream chunks).
 * Undefined while OpenRouter has not recorded it yet (a 404, for a few seconds after the end).
 */
export async function fetchGeneration(
  options: OpenRouterApiOptions,
  generationId: string,
): Promise<GenerationStats | undefined> {
  try {
    const { data } = await getJson(
      options,
      `generation?id=${encodeURIComponent(generationId)}`,
      generationResponseSchema,
    );
    return {
      totalCostUsd: data.total_cost,
      promptTokens: data.native_tokens_prompt ?? data.tokens_prompt ?? null,
      completionTokens: data.native_tokens_completion ?? data.tokens_completion ?? null,
      cancelled: data.cancelled ?? null,
    };
  } catch (error) {
    if (error instanceof SwitchyardError && error.upstreamStatus === 404) return undefined;
    throw error;
  }
}

/** Every OpenRouter back end in the config, by id, with what its account API needs. */
export function openRouterApis(config: SwitchyardConfig): Map<string, OpenRouterApiOptions> {
  const apis = new Map<string, OpenRouterApiOptions>();
  for (const [id, backend] of Object.entries(config.backends)) {
    if (backend.type === "openai-compatible" && backend.flavor === "openrouter" && backend.api_key) {
      apis.set(id, {
        backendId: id,
        baseUrl: backend.base_url,
        headers: backend.headers,
        apiKey: backend.api_key,
      });
    }
  }
  return apis;
}

function isPrice(value: number): boolean {
  return Number.isFinite(value) && value >= 0;
}

async function getJson<Schema extends z.ZodType>(
  options: OpenRouterApiOptions,
  path: string,
  schema: Schema,
): Promise<z.infer<Schema>> {
  const baseUrl = options.baseUrl ?? OPENROUTER_BASE_URL;
  const base = new URL(baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`);
  const context: UpstreamErrorContext = {
    backendId: options.backendId ?? "openrouter",
    host: base.host,
    flavor: "openrouter",
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
  };
  const timeoutMs = options.timeoutMs ?? 10_000;
  let response: Dispatcher.ResponseData;
  try {
    response = await request(new URL(path, base), {
      method: "GET",
      headers: {
        ...options.headers,
        accept: "application/json",
        ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
      },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    throw errorFromTransport(error, context, { phase: "before-response" });
  }
  let text: string;
  try {
    text = await response.body.text();
  } catch (error) {
    throw errorFromTransport(error, context, { phase: "mid-stream" });
  }
  const { statusCode } = response;
  if (statusCode < 200 || statusCode >= 300) {
    throw errorFromStatus(statusCode, response.headers["retry-after"], text, context);
  }
  const json = parseJson(text);
  if (!json.ok) {
    throw new SwitchyardError(
      "upstream-error",
      `GET /${path} on ${context.host} did not answer JSON (${json.error})`,
      { backend: context.backendId },
    );
  }
  const parsed = schema.safeParse(json.value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SwitchyardError(
      "upstream-error",
      `GET /${path} on ${context.host} answered an unexpected shape at "${issue?.path.join(".")}": ${issue?.message}`,
      { backend: context.backendId },
    );
  }
  return parsed.data;
}

/** How to reach OpenRouter's account API: the first OpenRouter back end in the config. */
export function openRouterApi(
  config: SwitchyardConfig,
): (OpenRouterApiOptions & { backendId: string }) | undefined {
  for (const [id, backend] of Object.entries(config.backends)) {
    if (backend.type === "openai-compatible" && backend.flavor === "openrouter") {
      return {
        backendId: id,
        baseUrl: backend.base_url,
        headers: backend.headers,
        ...(backend.api_key ? { apiKey: backend.api_key } : {}),
      };
    }
  }
  return undefined;
}
