import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { effectiveRemainingUsd, KeyGuard } from "../../src/budget/key-guard.js";
import { type FakeOpenRouter, startFakeOpenRouter } from "../fakes/fake-openrouter.js";

const API_KEY = "sk-or-test-key";

describe("key guard", () => {
  let fake: FakeOpenRouter;
  beforeEach(async () => {
    fake = await startFakeOpenRouter({ apiKey: API_KEY });
  });
  afterEach(() => fake.close());

  it("reads the key's remaining credit from GET /api/v1/key and polls on its interval", async () => {
    fake.keyInfo = { limit: 25, usage: 21, limitRemaining: 4 };
    const guard = new KeyGuard({ api: { baseUrl: fake.baseUrl, apiKey: API_KEY }, intervalMs: 50 });
    await guard.start();
    expect(guard.remainingUsd()).toBe(4);
    expect(guard.lastCheck()?.info).toMatchObject({ limitUsd: 25, usageUsd: 21 });
    fake.keyInfo = { limit: 25, usage: 24, limitRemaining: 1 };
    await expect.poll(() => guard.remainingUsd(), { timeout: 2_000 }).toBe(1);
    guard.stop();
    const keyCalls = fake.requests.filter((request) => request.path === "/api/v1/key");
    expect(keyCalls.length).toBeGreaterThanOrEqual(2);
    expect(keyCalls[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  it("has no opinion when the key has no limit", async () => {
    fake.keyInfo = { limit: null, usage: 3, limitRemaining: null };
    const guard = new KeyGuard({ api: { baseUrl: fake.baseUrl, apiKey: API_KEY } });
    await guard.start();
    guard.stop();
    expect(guard.remainingUsd()).toBeNull();
    expect(effectiveRemainingUsd(42, guard.remainingUsd())).toBe(42);
    expect(effectiveRemainingUsd(42, 7)).toBe(7);
    expect(effectiveRemainingUsd(5, 7)).toBe(5);
  });

  it("keeps the last answer when a poll fails, and reports the failure", async () => {
    const errors: unknown[] = [];
    const guard = new KeyGuard({
      api: { baseUrl: fake.baseUrl, apiKey: API_KEY },
      onError: (error) => errors.push(error),
    });
    await guard.refresh();
    expect(guard.remainingUsd()).toBe(100);
    const wrongKey = new KeyGuard({
      api: { baseUrl: fake.baseUrl, apiKey: "sk-or-wrong" },
      onError: (error) => errors.push(error),
    });
    expect(await wrongKey.refresh()).toBeUndefined();
    expect(wrongKey.remainingUsd()).toBeNull();
    await fake.close();
    expect(await guard.refresh()).toBeUndefined();
    expect(guard.remainingUsd()).toBe(100);
    expect(errors).toHaveLength(2);
    fake = await startFakeOpenRouter();
  });
});
