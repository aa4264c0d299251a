/**
 * What one request costs: the worst case reserved before it is sent, and the real cost settled
 * after — OpenRouter's own `usage.cost` when it reports one (it knows about cache discounts and
 * provider routing), else tokens × catalog price. Both are kept, and a disagreement above 5% is
 * reported, since it means the catalog is stale or the price model has changed.
 */
import type { ModelPrice } from "./model-catalog.js";

/** Used when neither the request, the alias nor the catalog bounds the output. */
export const FALLBACK_MAX_OUTPUT_TOKENS = 32_000;

export const COST_DISAGREEMENT_RATIO = 0.05;

export interface WorstCaseInput {
  price: ModelPrice;
  /** The request marks prompt-cache breakpoints: its prompt may be billed at the cache-write price. */
  cacheWrites?: boolean | undefined;
  /** What the prompt can cost at most, in tokens (`chatRequestTokenBound`: images and tools included). */
  promptTokens: number;
  /** The request's max_tokens (or the alias's max_output_tokens); undefined when neither is set. */
  maxOutputTokens?: number | undefined;
}

/**
 * The output bound used for the worst case: the request's, else the model's, else a fallback. A
 * model with only a context length may fill all of it: the prompt is known only as an upper bound,
 * and subtracting an upper bound would leave the output short of what the model can write.
 */
export function worstCaseOutputTokens(price: ModelPrice, requested: number | undefined): number {
  const modelLimit = price.maxOutputTokens ?? price.contextLength ?? FALLBACK_MAX_OUTPUT_TOKENS;
  if (requested === undefined || !Number.isFinite(requested) || requested <= 0) return modelLimit;
  return Math.min(requested, modelLimit);
}

/**
 * prompt tokens × input price + max output tokens × output price, in USD. A prompt with cache
 * breakpoints may all be written to the cache, which costs more than reading it fresh (1.25× on
 * Anthropic's models), so its tokens are priced at the dearer of the two.
 */
export function worstCaseCostUsd(input: WorstCaseInput): number {
  const outputTokens = worstCaseOutputTokens(input.price, input.maxOutputTokens);
  const inputPrice = input.cacheWrites
    ? Math.max(input.price.inputUsdPerToken, input.price.cacheWriteUsdPerToken ?? 0)
    : input.price.inputUsdPerToken;
  return input.promptTokens * inputPrice + outputTokens * input.price.outputUsdPerToken;
}

/** Prompt tokens read from the provider's cache and written to it (both counted in the input). */
export interface CacheTokens {
  read?: number | undefined;
  write?: number | undefined;
}

/** The catalog's price for a request: cached prompt tokens at the cache prices, the rest at list. */
export function catalogCostUsd(
  price: ModelPrice,
  inputTokens: number,
  outputTokens: number,
  cache: CacheTokens = {},
): number {
  const { read, write } = cacheCosts(price, cache);
  const fresh = Math.max(0, inputTokens - (cache.read ?? 0) - (cache.write ?? 0));
  return fresh * price.inputUsdPerToken + read + write + outputTokens * price.outputUsdPerToken;
}

/** What a request's cache reads and writes cost at the catalog's prices (the input price when it has none). */
export function cacheCosts(price: ModelPrice, cache: CacheTokens): { read: number; write: number } {
  return {
    read: (cache.read ?? 0) * (price.cacheReadUsdPerToken ?? price.inputUsdPerToken),
    write: (cache.write ?? 0) * (price.cacheWriteUsdPerToken ?? price.inputUsdPerToken),
  };
}

/**
 * What caching saved on a request against the same prompt read fresh: reads at the input price
 * less the read price, minus what writing cost above the input price. Negative when a write was
 * never read back.
 */
export function cacheSavingsUsd(price: ModelPrice, cache: CacheTokens): number {
  const { read, write } = cacheCosts(price, cache);
  const fresh = ((cache.read ?? 0) + (cache.write ?? 0)) * price.inputUsdPerToken;
  return fresh - read - write;
}

export interface CostInput {
  inputTokens: number;
  outputTokens: number;
  /** Of the input, what came from the prompt cache and what went into it. */
  cache?: CacheTokens | undefined;
  /** OpenRouter's `usage.cost`; undefined when it did not report one. */
  reportedUsd?: number | undefined;
  /** Undefined when the model has no known price. */
  price?: ModelPrice | undefined;
}

export interface RequestCost {
  /** What counts against the budget: the reported cost when present, else the catalog's. */
  costUsd: number;
  /** Tokens × catalog price; null when the model has no known price. */
  catalogCostUsd: number | null;
  reportedCostUsd: number | null;
  /** What the cache reads and writes cost at the catalog's prices, when there were any. */
  cacheReadCostUsd?: number;
  cacheWriteCostUsd?: number;
  /** Set when both are known and differ by more than 5%; the caller logs it. */
  warning?: string;
}

export function requestCost(input: CostInput): RequestCost {
  const catalog = input.price
    ? catalogCostUsd(input.price, input.inputTokens, input.outputTokens, input.cache)
    : null;
  const reported =
    input.reportedUsd !== undefined && Number.isFinite(input.reportedUsd) && input.reportedUsd >= 0
      ? input.reportedUsd
      : null;
  const result: RequestCost = {
    costUsd: reported ?? catalog ?? 0,
    catalogCostUsd: catalog,
    reportedCostUsd: reported,
  };
  if (input.price && (input.cache?.read || input.cache?.write)) {
    const costs = cacheCosts(input.price, input.cache);
    result.cacheReadCostUsd = costs.read;
    result.cacheWriteCostUsd = costs.write;
  }
  if (reported !== null && catalog !== null) {
    const warning = costDisagreement(input.price!.model, reported, catalog);
    if (warning) result.warning = warning;
  }
  return result;
}

/** A warning when reported and catalog cost differ by more than 5% of the reported cost. */
export function costDisagreement(model: string, reportedUsd: number, catalogUsd: number): string | undefined {
  const difference = Math.abs(reportedUsd - catalogUsd);
  // Sub-micro-dollar differences are rounding in OpenRouter's figures, not a price change.
  if (difference < 1e-6) return undefined;
  const base = Math.max(reportedUsd, 1e-12);
  if (difference / base <= COST_DISAGREEMENT_RATIO) return undefined;
  const percent = ((catalogUsd - reportedUsd) / base) * 100;
  return (
    `OpenRouter reported $${reportedUsd.toFixed(6)} for a ${model} request, but the catalog price gives ` +
    `$${catalogUsd.toFixed(6)} (${percent > 0 ? "+" : ""}${percent.toFixed(1)}%); the reported cost was used. ` +
    `Prompt caching discounts cause this; otherwise run \`switchyard models sync\`.`
  );
}
