/**
 * The price list: per-token input/output prices and context lengths by model id, as synced from
 * OpenRouter (see catalog-sync.ts), with built-in prices for the default cloud models so budgets
 * work before the first sync and while OpenRouter is unreachable.
 */

/** One model's price. USD per token, as OpenRouter states them. */
export interface ModelPrice {
  model: string;
  inputUsdPerToken: number;
  outputUsdPerToken: number;
  contextLength?: number;
  /** The most output tokens one request may produce (the worst case when a request sets none). */
  maxOutputTokens?: number;
  /** Prompt tokens read from the provider's cache, and written to it, where the model caches. */
  cacheReadUsdPerToken?: number;
  cacheWriteUsdPerToken?: number;
}

export interface ModelCatalog {
  /** Epoch ms of the sync that produced it; null for the built-in list alone. */
  syncedAt: number | null;
  source: "openrouter" | "built-in";
  models: Record<string, ModelPrice>;
}

const PER_MILLION = 1 / 1_000_000;

/**
 * Published list prices (USD per million tokens → per token). Opus 4.6: $5 / $25 per million
 * (Anthropic's pricing page; the older Opus 4/4.1 were $15 / $75). Both: 200k context. Prompt
 * caching: reads cost a tenth of the input price, 5-minute writes a quarter more.
 */
export const BUILT_IN_PRICES: Readonly<Record<string, ModelPrice>> = {
  "anthropic/claude-sonnet-4.5": {
    model: "anthropic/claude-sonnet-4.5",
    inputUsdPerToken: 3 * PER_MILLION,
    outputUsdPerToken: 15 * PER_MILLION,
    contextLength: 200_000,
    maxOutputTokens: 64_000,
    cacheReadUsdPerToken: 0.3 * PER_MILLION,
    cacheWriteUsdPerToken: 3.75 * PER_MILLION,
  },
  "anthropic/claude-opus-4.6": {
    model: "anthropic/claude-opus-4.6",
    inputUsdPerToken: 5 * PER_MILLION,
    outputUsdPerToken: 25 * PER_MILLION,
    contextLength: 200_000,
    maxOutputTokens: 128_000,
    cacheReadUsdPerToken: 0.5 * PER_MILLION,
    cacheWriteUsdPerToken: 6.25 * PER_MILLION,
  },
};

export function builtInCatalog(): ModelCatalog {
  return { syncedAt: null, source: "built-in", models: { ...BUILT_IN_PRICES } };
}

/** The synced price when there is one, else the built-in price, else undefined. */
export function priceOf(catalog: ModelCatalog, model: string): ModelPrice | undefined {
  return catalog.models[model] ?? BUILT_IN_PRICES[model];
}

/** The dearest built-in price: what a paid model with no known price is reserved at. */
export function mostExpensiveBuiltInPrice(): ModelPrice {
  return Object.values(BUILT_IN_PRICES).reduce((dearest, price) =>
    price.outputUsdPerToken > dearest.outputUsdPerToken ? price : dearest,
  );
}

/**
 * One warning per configured paid model that the synced catalog does not list (a typo, or a
 * model OpenRouter retired). Pass only the paid models; local ones cost nothing and are never
 * listed. A built-in-only catalog checks against the built-in prices.
 */
export function unknownConfiguredModels(catalog: ModelCatalog, models: readonly string[]): string[] {
  const listed = (model: string) =>
    catalog.source === "built-in" ? priceOf(catalog, model) !== undefined : model in catalog.models;
  const where =
    catalog.source === "built-in"
      ? "the built-in price list (the catalog has not been synced yet: run `switchyard models sync`)"
      : `the OpenRouter catalog synced ${new Date(catalog.syncedAt ?? 0).toISOString()}`;
  return [...new Set(models)]
    .filter((model) => !listed(model))
    .map(
      (model) =>
        `Model "${model}" is configured but not in ${where}; check the id at https://openrouter.ai/models. ` +
        `Until it is listed, its budget reservations use the dearest known price.`,
    );
}
