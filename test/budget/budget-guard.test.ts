import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AlertSink, BudgetAlert } from "../../src/budget/budget-alerts.js";
import { budgetExceededError, budgetExceededMessage } from "../../src/budget/budget-denial.js";
import { type BudgetDecision, BudgetGuard, type BudgetGuardOptions } from "../../src/budget/budget-guard.js";
import { KeyGuard } from "../../src/budget/key-guard.js";
import { builtInCatalog } from "../../src/budget/model-catalog.js";
import { httpStatusForCode } from "../../src/errors/switchyard-error.js";
import { SqliteBudgetStore } from "../../src/store/sqlite-budget-store.js";
import { type FakeOpenRouter, startFakeOpenRouter } from "../fakes/fake-openrouter.js";

const OPUS = { alias: "cloud-opus", model: "anthropic/claude-opus-4.6", local: false };
const SONNET = { alias: "cloud-sonnet", model: "anthropic/claude-sonnet-4.5", local: false };

function recordingSink(): AlertSink & { alerts: BudgetAlert[] } {
  const alerts: BudgetAlert[] = [];
  return { name: "recording", alerts, send: async (alert) => void alerts.push(alert) };
}

function reserved(decision: BudgetDecision) {
  if (decision.kind !== "reserved") throw new Error(`expected a reservation, got ${decision.kind}`);
  return decision.reservation;
}

describe("budget guard", () => {
  let path: string;
  let store: SqliteBudgetStore;
  let clock: number;
  let guards: BudgetGuard[];
  const guard = (options: Partial<BudgetGuardOptions> = {}) => {
    const created = new BudgetGuard({ store, catalog: builtInCatalog(), now: () => clock, ...options });
    guards.push(created);
    return created;
  };

  beforeEach(() => {
    path = join(mkdtempSync(join(tmpdir(), "switchyard-guard-")), "ledger.db");
    store = SqliteBudgetStore.open(path);
    clock = Date.parse("2026-11-17T10:00:00Z");
    guards = [];
  });
  afterEach(async () => {
    for (const created of guards) await created.close();
    await store.close();
  });

  it("lets local models through without reserving anything", async () => {
    const decision = await guard().reserve({
      alias: "local-coder",
      model: "qwen2.5-coder:32b",
      local: true,
      promptTokens: 9e9,
    });
    expect(decision).toEqual({ kind: "free" });
    expect((await store.spending("2026-11-01")).total.reservedMicroUsd).toBe(0);
  });

  it("reserves the worst case: prompt × input price + max output × output price", async () => {
    const budget = guard();
    const bounded = reserved(
      await budget.reserve({ ...SONNET, promptTokens: 1_000, maxOutputTokens: 2_000 }),
    );
    expect(bounded.reservedUsd).toBeCloseTo(0.033, 12);
    // No max_tokens: the model's own output limit (64k for Sonnet 4.5).
    const unbounded = reserved(await budget.reserve({ ...SONNET, promptTokens: 1_000 }));
    expect(unbounded.reservedUsd).toBeCloseTo(0.963, 12);
    // A paid model with no known price is reserved at the dearest known price, not at zero.
    const unknown = reserved(
      await budget.reserve({
        alias: "cloud-x",
        model: "acme/new",
        local: false,
        promptTokens: 1_000,
        maxOutputTokens: 1_000,
      }),
    );
    expect(unknown.reservedUsd).toBeCloseTo(0.03, 12);
    const reportedOnly = await budget.settle(unknown, {
      inputTokens: 1_000,
      outputTokens: 200,
      costUsd: 0.002,
    });
    expect(reportedOnly).toMatchObject({ costUsd: 0.002, catalogCostUsd: null, reportedCostUsd: 0.002 });
    expect((await store.spending("2026-11-01")).total).toEqual({
      settledMicroUsd: 2_000,
      reservedMicroUsd: 33_000 + 963_000,
    });
  });

  it("denies at an alias ceiling, naming it, what is spent and reserved, and when it resets", async () => {
    const budget = guard({ budget: { aliasCeilingsUsd: { "cloud-opus": 1 } } });
    const first = reserved(await budget.reserve({ ...OPUS, promptTokens: 20_000, maxOutputTokens: 16_000 })); // $0.50
    await budget.settle(first, { inputTokens: 20_000, outputTokens: 12_000, costUsd: 0.4 });
    reserved(await budget.reserve({ ...OPUS, promptTokens: 20_000, maxOutputTokens: 12_000 })); // $0.40
    const decision = await budget.reserve({ ...OPUS, promptTokens: 20_000, maxOutputTokens: 16_000 });
    if (decision.kind !== "denied") throw new Error("expected a denial");
    expect(decision.denial).toMatchObject({
      budget: "alias",
      alias: "cloud-opus",
      limitUsd: 1,
      spentUsd: 0.8,
      reservedUsd: 0.4,
      requestedUsd: 0.5,
    });
    expect(budgetExceededMessage(decision.denial)).toBe(
      "Monthly budget exhausted: cloud-opus ceiling $1.00, spent $0.80 (incl. $0.40 reserved), " +
        "this request needs up to $0.50; resets 2026-12-01 00:00 UTC. The request was not sent.",
    );
    const error = budgetExceededError(decision.denial);
    expect(error.code).toBe("budget-exceeded");
    expect(httpStatusForCode(error)).toBe(402);
    // Sonnet still has room under the monthly total.
    expect((await budget.reserve({ ...SONNET, promptTokens: 1_000, maxOutputTokens: 1_000 })).kind).toBe(
      "reserved",
    );
  });

  it("denies at the monthly total", async () => {
    const budget = guard({ budget: { monthlyUsd: 0.05 } });
    const decision = await budget.reserve({ ...SONNET, promptTokens: 1_000, maxOutputTokens: 4_000 }); // $0.063
    if (decision.kind !== "denied") throw new Error("expected a denial");
    expect(budgetExceededMessage(decision.denial)).toMatch(
      /^Monthly budget exhausted: monthly total \$0\.05, spent \$0\.00/,
    );
  });

  it("settles to the reported cost, keeps the catalog cost, and warns on a >5% disagreement", async () => {
    const budget = guard();
    const reservation = reserved(
      await budget.reserve({ ...SONNET, promptTokens: 1_000, maxOutputTokens: 1_000 }),
    );
    const cost = await budget.settle(reservation, { inputTokens: 1_000, outputTokens: 100, costUsd: 0.004 });
    expect(cost).toMatchObject({
      costUsd: 0.004,
      catalogCostUsd: 0.0045,
      reportedCostUsd: 0.004,
      reservedUsd: 0.018,
    });
    expect(cost.warning).toMatch(/\+12\.5%/);
    expect((await store.spending("2026-11-01")).total).toEqual({
      settledMicroUsd: 4_000,
      reservedMicroUsd: 0,
    });
  });

  it("releases a reservation when the request dies", async () => {
    const budget = guard({ budget: { monthlyUsd: 1 } });
    const reservation = reserved(
      await budget.reserve({ ...SONNET, promptTokens: 0, maxOutputTokens: 60_000 }),
    ); // $0.90
    expect((await budget.reserve({ ...SONNET, promptTokens: 0, maxOutputTokens: 60_000 })).kind).toBe(
      "denied",
    );
    await budget.release(reservation);
    expect((await budget.reserve({ ...SONNET, promptTokens: 0, maxOutputTokens: 60_000 })).kind).toBe(
      "reserved",
    );
  });

  it("fires each threshold once per period, survives a restart without re-firing, fires again next period", async () => {
    const sink = recordingSink();
    const budget = guard({
      budget: { monthlyUsd: 10, aliasCeilingsUsd: { "cloud-opus": 4 } },
      alertSinks: [sink],
    });
    const spend = async (target: BudgetGuard, usd: number, route = OPUS) => {
      const reservation = reserved(
        await target.reserve({ ...route, promptTokens: 0, maxOutputTokens: 1_000 }),
      );
      await target.settle(reservation, { inputTokens: 0, outputTokens: 0, costUsd: usd });
      await target.idle();
    };
    await spend(budget, 1.9); // opus 47.5%
    expect(sink.alerts).toEqual([]);
    await spend(budget, 0.2); // opus 52.5%
    await spend(budget, 1.2); // opus 82.5%
    await spend(budget, 0.1); // opus 85%: nothing new
    expect(sink.alerts.map((alert) => `${alert.budget} ${alert.thresholdPercent}`)).toEqual([
      "cloud-opus 50",
      "cloud-opus 80",
    ]);
    expect(sink.alerts[1]?.message).toBe(
      "cloud-opus budget has reached 80%: $3.30 of $4.00 spent; resets 2026-12-01 00:00 UTC.",
    );

    const restartedSink = recordingSink();
    const restarted = guard({
      budget: { monthlyUsd: 10, aliasCeilingsUsd: { "cloud-opus": 4 } },
      alertSinks: [restartedSink],
    });
    await spend(restarted, 0.5); // opus 3.9 (97.5%), monthly 39%
    await spend(restarted, 1.2, SONNET); // monthly 5.1: 51%
    expect(restartedSink.alerts.map((alert) => `${alert.budget} ${alert.thresholdPercent}`)).toEqual([
      "monthly 50",
    ]);
    // Refused by its ceiling: that is 100% for the alias.
    expect((await restarted.reserve({ ...OPUS, promptTokens: 0, maxOutputTokens: 10_000 })).kind).toBe(
      "denied",
    );
    await restarted.idle();
    expect(restartedSink.alerts.at(-1)).toMatchObject({
      budget: "cloud-opus",
      thresholdPercent: 100,
      trigger: "denied",
    });

    clock = Date.parse("2026-12-02T10:00:00Z");
    await spend(restarted, 2.1);
    expect(restartedSink.alerts.at(-1)).toMatchObject({
      budget: "cloud-opus",
      thresholdPercent: 50,
      periodKey: "2026-12-01",
    });
  });

  it("a worst case larger than the whole cap is refused without a 100% alert: nothing was spent", async () => {
    const sink = recordingSink();
    const budget = guard({
      budget: { monthlyUsd: 100, aliasCeilingsUsd: { "cloud-opus": 1 } },
      alertSinks: [sink],
    });
    // No max_tokens: Opus's 128k output tokens at $25/M reserve $3.20, more than the $1 ceiling.
    const decision = await budget.reserve({ ...OPUS, promptTokens: 100 });
    if (decision.kind !== "denied") throw new Error("expected a denial");
    expect(decision.denial).toMatchObject({ budget: "alias", limitUsd: 1, spentUsd: 0 });
    expect(decision.denial.requestedUsd).toBeGreaterThan(3);
    await budget.idle();
    expect(sink.alerts).toEqual([]);
    expect(await store.firedAlerts("2026-11-01")).toEqual([]);
  });

  it("counts a request in the period it was reserved in, even when it settles after the reset", async () => {
    const budget = guard();
    clock = Date.parse("2026-11-30T23:59:00Z");
    const reservation = reserved(
      await budget.reserve({ ...SONNET, promptTokens: 0, maxOutputTokens: 1_000 }),
    );
    clock = Date.parse("2026-12-01T00:01:00Z");
    await budget.settle(reservation, { inputTokens: 0, outputTokens: 1_000, costUsd: 0.015 });
    expect((await store.spending("2026-11-01")).total.settledMicroUsd).toBe(15_000);
    expect((await budget.status()).lines[0]).toMatchObject({
      budget: "monthly",
      settledUsd: 0,
      remainingUsd: 100,
    });
  });

  it("clears reservations of a dead process on start, and releases its own on close", async () => {
    const crashed = guard();
    await crashed.start();
    reserved(await crashed.reserve({ ...SONNET, promptTokens: 0, maxOutputTokens: 1_000 }));
    // The crashed process never beats again; a minute and a half later another one starts.
    clock += 91_000;
    const next = guard();
    expect(await next.start()).toBe(1);
    reserved(await next.reserve({ ...SONNET, promptTokens: 0, maxOutputTokens: 1_000 }));
    await next.close();
    expect((await store.spending("2026-11-01")).total.reservedMicroUsd).toBe(0);
  });

  describe("with the OpenRouter key's credit", () => {
    let fake: FakeOpenRouter;
    beforeEach(async () => {
      fake = await startFakeOpenRouter({ apiKey: "sk-or-test" });
    });
    afterEach(() => fake.close());

    it("the lower of the key's remaining credit and the monthly budget rules", async () => {
      fake.keyInfo = { limit: 20, usage: 19.5, limitRemaining: 0.5 };
      const keyGuard = new KeyGuard({ api: { baseUrl: fake.baseUrl, apiKey: "sk-or-test" } });
      await keyGuard.start();
      const budget = guard({ keyGuard });
      const status = await budget.status();
      expect(status.keyRemainingUsd).toBe(0.5);
      expect(status.effectiveRemainingUsd).toBe(0.5);

      const first = reserved(await budget.reserve({ ...SONNET, promptTokens: 0, maxOutputTokens: 20_000 })); // $0.30
      await budget.settle(first, { inputTokens: 0, outputTokens: 20_000, costUsd: 0.3 });
      const decision = await budget.reserve({ ...SONNET, promptTokens: 0, maxOutputTokens: 20_000 });
      if (decision.kind !== "denied") throw new Error("expected a denial");
      expect(decision.denial).toMatchObject({
        budget: "openrouter-key",
        limitUsd: 0.5,
        spentUsd: 0.3,
        requestedUsd: 0.3,
      });
      expect(budgetExceededMessage(decision.denial)).toMatch(
        /^OpenRouter key credit exhausted: \$0\.50 left on the key/,
      );

      // Credit added: the next poll lifts the cap.
      fake.keyInfo = { limit: 50, usage: 19.8, limitRemaining: 30.2 };
      await keyGuard.refresh();
      expect((await budget.reserve({ ...SONNET, promptTokens: 0, maxOutputTokens: 20_000 })).kind).toBe(
        "reserved",
      );
      keyGuard.stop();
    });
  });
});
