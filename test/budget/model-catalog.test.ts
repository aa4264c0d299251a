import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadCatalog, readCachedCatalog, syncCatalog } from "../../src/budget/catalog-sync.js";
import { builtInCatalog, priceOf, unknownConfiguredModels } from "../../src/budget/model-catalog.js";
import { type FakeOpenRouter, startFakeOpenRouter } from "../fakes/fake-openrouter.js";

const DAY = 86_400_000;

describe("model catalog", () => {
  let fake: FakeOpenRouter;
  let cachePath: string;
  let clock: number;
  const now = () => clock;

  beforeEach(async () => {
    fake = await startFakeOpenRouter({ apiKey: "sk-or-test" });
    cachePath = join(mkdtempSync(join(tmpdir(), "switchyard-catalog-")), "cache", "model-catalog.json");
    clock = Date.parse("2026-11-17T10:00:00Z");
  });
  afterEach(() => fake.close());

  it("syncs prices and context lengths from GET /api/v1/models into the cache file", async () => {
    fake.models.push({ id: "acme/cheap", promptPrice: 0.1, completionPrice: 0.4, contextLength: 32_000 });
    const catalog = await syncCatalog({ cachePath, api: { baseUrl: fake.baseUrl }, now });
    expect(catalog.source).toBe("openrouter");
    expect(catalog.syncedAt).toBe(clock);
    expect(catalog.models["anthropic/claude-opus-4.6"]).toEqual({
      model: "anthropic/claude-opus-4.6",
      inputUsdPerToken: 5e-6,
      outputUsdPerToken: 25e-6,
      contextLength: 200_000,
      maxOutputTokens: 128_000,
    });
    expect(priceOf(catalog, "acme/cheap")).toMatchObject({ inputUsdPerToken: 1e-7, contextLength: 32_000 });
    expect(await readCachedCatalog(cachePath)).toEqual(catalog);
    expect(fake.requests.filter((request) => request.path === "/api/v1/models")).toHaveLength(1);
  });

  it("on start uses a fresh cache without calling OpenRouter, and re-syncs once it is a day old", async () => {
    await syncCatalog({ cachePath, api: { baseUrl: fake.baseUrl }, now });
    clock += DAY - 1;
    expect(await loadCatalog({ cachePath, api: { baseUrl: fake.baseUrl }, now })).toMatchObject({
      synced: false,
    });
    clock += 2;
    const stale = await loadCatalog({ cachePath, api: { baseUrl: fake.baseUrl }, now });
    expect(stale.synced).toBe(true);
    expect(stale.catalog.syncedAt).toBe(clock);
    expect(fake.requests.filter((request) => request.path === "/api/v1/models")).toHaveLength(2);
  });

  it("keeps the stale cache, or the built-in prices, when OpenRouter cannot be reached", async () => {
    await syncCatalog({ cachePath, api: { baseUrl: fake.baseUrl }, now });
    await fake.close();
    clock += 2 * DAY;
    const stale = await loadCatalog({ cachePath, api: { baseUrl: fake.baseUrl, timeoutMs: 2_000 }, now });
    expect(stale.catalog.source).toBe("openrouter");
    expect(stale.warning).toMatch(/using the cached catalog from 48 h ago/);

    const missing = join(cachePath, "..", "none.json");
    const fallback = await loadCatalog({
      cachePath: missing,
      api: { baseUrl: fake.baseUrl, timeoutMs: 2_000 },
      now,
    });
    expect(fallback.catalog.source).toBe("built-in");
    expect(priceOf(fallback.catalog, "anthropic/claude-sonnet-4.5")?.inputUsdPerToken).toBeCloseTo(3e-6, 15);
    expect(fallback.warning).toMatch(/using built-in prices/);
    fake = await startFakeOpenRouter(); // afterEach closes it
  });

  it("treats a corrupt cache file as missing", async () => {
    await syncCatalog({ cachePath, api: { baseUrl: fake.baseUrl }, now });
    writeFileSync(cachePath, "{ not json");
    expect(await readCachedCatalog(cachePath)).toBeUndefined();
    const offline = await loadCatalog({ cachePath, allowSync: false, now });
    expect(offline.catalog.source).toBe("built-in");
    expect(readFileSync(cachePath, "utf8")).toBe("{ not json");
  });

  it("warns about configured models the catalog does not list", async () => {
    const catalog = await syncCatalog({ cachePath, api: { baseUrl: fake.baseUrl }, now });
    const warnings = unknownConfiguredModels(catalog, [
      "anthropic/claude-sonnet-4.5",
      "anthropic/claude-opus-4.6",
      "anthropic/claude-sonet-4.5",
    ]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /"anthropic\/claude-sonet-4\.5" is configured but not in the OpenRouter catalog/,
    );
    expect(unknownConfiguredModels(builtInCatalog(), ["anthropic/claude-opus-4.6"])).toEqual([]);
  });
});
