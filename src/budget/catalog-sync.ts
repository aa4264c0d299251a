/**
 * Keeping the price list current: `syncCatalog` fetches OpenRouter's `GET /models` and writes it to
 * a JSON cache file (`switchyard models sync`); `loadCatalog` reads that file on start and syncs
 * again when it is older than the maximum age. A failed sync never stops the server: the stale
 * cache, or the built-in prices, keep budgets working, and a warning says so.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { z } from "zod";
import { fetchModels, type OpenRouterApiOptions } from "../backends/openai-compatible/openrouter-api.js";
import type { SwitchyardConfig } from "../config/config-schema.js";
import { userDirs } from "../config/user-dirs.js";
import { parseJsonOrUndefined } from "../protocol/safe-json.js";
import { builtInCatalog, type ModelCatalog, type ModelPrice } from "./model-catalog.js";

export const DEFAULT_CATALOG_MAX_AGE_MS = 24 * 60 * 60 * 1000;

export interface CatalogSyncOptions {
  /** Where the JSON cache lives (the caller picks it, e.g. `<data dir>/model-catalog.json`). */
  cachePath: string;
  /** How to reach OpenRouter; `/models` needs no key. */
  api?: OpenRouterApiOptions;
  /** Injected clock for tests; default Date.now. */
  now?: () => number;
}

export interface CatalogLoadOptions extends CatalogSyncOptions {
  /** Sync when the cache is older than this; default 24 h. */
  maxAgeMs?: number;
  /** false: never call OpenRouter (offline CLI commands); default true. */
  allowSync?: boolean;
}

export interface CatalogLoadResult {
  catalog: ModelCatalog;
  /** True when this call fetched a fresh catalog. */
  synced: boolean;
  /** Set when the catalog is stale or built-in because a sync failed; the caller logs it. */
  warning?: string;
}

const cacheSchema = z.object({
  syncedAt: z.number(),
  source: z.literal("openrouter"),
  models: z.record(
    z.string(),
    z.object({
      model: z.string(),
      inputUsdPerToken: z.number().nonnegative(),
      outputUsdPerToken: z.number().nonnegative(),
      contextLength: z.number().optional(),
      maxOutputTokens: z.number().optional(),
      cacheReadUsdPerToken: z.number().nonnegative().optional(),
      cacheWriteUsdPerToken: z.number().nonnegative().optional(),
    }),
  ),
});

/** Fetches the catalog from OpenRouter and replaces the cache file (atomically, via a rename). */
export async function syncCatalog(options: CatalogSyncOptions): Promise<ModelCatalog> {
  const now = options.now ?? Date.now;
  const models = await fetchModels(options.api);
  const catalog: ModelCatalog = { syncedAt: now(), source: "openrouter", models: {} };
  for (const entry of models) {
    const price: ModelPrice = {
      model: entry.id,
      inputUsdPerToken: entry.promptUsdPerToken,
      outputUsdPerToken: entry.completionUsdPerToken,
    };
    if (entry.contextLength !== undefined) price.contextLength = entry.contextLength;
    if (entry.maxCompletionTokens !== undefined) price.maxOutputTokens = entry.maxCompletionTokens;
    if (entry.cacheReadUsdPerToken !== undefined) price.cacheReadUsdPerToken = entry.cacheReadUsdPerToken;
    if (entry.cacheWriteUsdPerToken !== undefined) price.cacheWriteUsdPerToken = entry.cacheWriteUsdPerToken;
    catalog.models[entry.id] = price;
  }
  await mkdir(dirname(options.cachePath), { recursive: true });
  const temporary = `${options.cachePath}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(catalog, null, 2)}\n`);
  await rename(temporary, options.cachePath);
  return catalog;
}

/** The cached catalog, or undefined when there is no usable cache file. */
export async function readCachedCatalog(cachePath: string): Promise<ModelCatalog | undefined> {
  let text: string;
  try {
    text = await readFile(cachePath, "utf8");
  } catch {
    return undefined;
  }
  const parsed = cacheSchema.safeParse(parseJsonOrUndefined(text));
  return parsed.success ? parsed.data : undefined;
}

export function isCatalogStale(catalog: ModelCatalog, now: number, maxAgeMs: number): boolean {
  return catalog.syncedAt === null || now - catalog.syncedAt > maxAgeMs;
}

/** The catalog for start-up: the cache when fresh, else a sync, else the best fallback. */
export async function loadCatalog(options: CatalogLoadOptions): Promise<CatalogLoadResult> {
  const now = options.now ?? Date.now;
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_CATALOG_MAX_AGE_MS;
  const cached = await readCachedCatalog(options.cachePath);
  if (cached && !isCatalogStale(cached, now(), maxAgeMs)) return { catalog: cached, synced: false };
  if (options.allowSync === false) {
    return cached ? { catalog: cached, synced: false } : { catalog: builtInCatalog(), synced: false };
  }
  try {
    return { catalog: await syncCatalog(options), synced: true };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (cached) {
      const age = Math.round((now() - (cached.syncedAt ?? 0)) / 3_600_000);
      return {
        catalog: cached,
        synced: false,
        warning: `Could not refresh model prices from OpenRouter (${reason}); using the cached catalog from ${age} h ago`,
      };
    }
    return {
      catalog: builtInCatalog(),
      synced: false,
      warning: `Could not fetch model prices from OpenRouter (${reason}); using built-in prices for the default models`,
    };
  }
}

/** Where the price catalog is cached: `budget.catalog.path`, else in the user's data directory. */
export function catalogPath(config: SwitchyardConfig, env: NodeJS.ProcessEnv = process.env): string {
  return config.budget.catalog.path || join(userDirs(env).data, "model-catalog.json");
}
