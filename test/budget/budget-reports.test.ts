import { describe, expect, it } from "vitest";
import { budgetPeriod } from "../../src/budget/budget-period.js";
import { builtInCatalog } from "../../src/budget/model-catalog.js";
import { costReport, formatCostReport } from "../../src/planning/cost-report.js";
import {
  DEFAULT_ELECTRICITY,
  electricityPerMonth,
  formatSavingsReport,
  savingsReport,
} from "../../src/planning/savings-report.js";
import type { RequestRecord } from "../../src/store/ledger-store.js";
import { sampleRecord } from "../store/ledger-suite.js";

const period = budgetPeriod(new Date("2026-11-05T00:00:00Z"), 1, "UTC");
const now = new Date("2026-11-11T00:00:00Z"); // 10 of 30 days elapsed

function row(startedAt: string, overrides: Partial<RequestRecord>): RequestRecord {
  return sampleRecord({ startedAt: Date.parse(startedAt), ...overrides });
}

const local = {
  alias: "local-coder",
  tier: 1,
  task: "code-generation",
  inputTokens: 1_000,
  outputTokens: 500,
  costUsd: 0,
};
const sonnet = {
  alias: "cloud-sonnet",
  tier: 2,
  task: "code-review",
  inputTokens: 10_000,
  outputTokens: 2_000,
};
const rows: RequestRecord[] = [
  row("2026-10-31T23:59:59Z", { ...sonnet, costUsd: 50 }), // before the period
  row("2026-11-01T00:00:00Z", local),
  row("2026-11-01T09:00:00Z", local),
  row("2026-11-02T09:00:00Z", local),
  row("2026-11-02T10:00:00Z", { ...sonnet, costUsd: 0.5 }),
  row("2026-11-03T09:00:00Z", local),
  row("2026-11-03T10:00:00Z", local),
  row("2026-11-03T11:00:00Z", local),
  row("2026-11-05T10:00:00Z", { ...sonnet, costUsd: 1 }),
  row("2026-11-10T23:00:00Z", {
    alias: "cloud-opus",
    tier: 3,
    task: "architecture",
    inputTokens: 20_000,
    outputTokens: 4_000,
    costUsd: 1.5,
  }),
  row("2026-12-01T00:00:00Z", { ...sonnet, costUsd: 50 }), // after it
];

describe("cost report", () => {
  const report = costReport(rows, period, now);

  it("totals the period to date: cost, requests, tokens, local share", () => {
    expect(report).toMatchObject({
      requests: 9,
      inputTokens: 46_000,
      outputTokens: 11_000,
      localRequests: 6,
    });
    expect(report.totalUsd).toBeCloseTo(3, 10);
    expect(report.localShare).toBeCloseTo(6 / 9, 10);
  });

  it("forecasts the period end from the daily rate", () => {
    expect(report.elapsedDays).toBe(10);
    expect(report.periodDays).toBe(30);
    expect(report.dailyRateUsd).toBeCloseTo(0.3, 10);
    expect(report.forecastUsd).toBeCloseTo(9, 10);
    // In the first hours the rate is taken over one day, not extrapolated from minutes.
    expect(
      costReport([row("2026-11-01T01:00:00Z", { costUsd: 1 })], period, new Date("2026-11-01T02:00:00Z"))
        .forecastUsd,
    ).toBeCloseTo(1 + (30 - 2 / 24), 6);
  });

  it("breaks down by alias, tier, task and day", () => {
    expect(report.byAlias.map((line) => [line.key, line.requests, line.costUsd])).toEqual([
      ["cloud-opus", 1, 1.5],
      ["cloud-sonnet", 2, 1.5],
      ["local-coder", 6, 0],
    ]);
    expect(report.byTier.map((line) => [line.key, line.requests])).toEqual([
      ["1", 6],
      ["2", 2],
      ["3", 1],
    ]);
    expect(report.byTask.map((line) => line.key)).toEqual(["architecture", "code-review", "code-generation"]);
    expect(report.byDay.map((line) => [line.key, line.requests])).toEqual([
      ["2026-11-01", 2],
      ["2026-11-02", 2],
      ["2026-11-03", 3],
      ["2026-11-05", 1],
      ["2026-11-10", 1],
    ]);
  });

  it("groups days in the period's time zone", () => {
    const newYork = budgetPeriod(new Date("2026-11-05T12:00:00Z"), 1, "America/New_York");
    const late = costReport([row("2026-11-03T02:00:00Z", local)], newYork, now);
    expect(late.byDay.map((line) => line.key)).toEqual(["2026-11-02"]);
  });

  it("renders for the CLI", () => {
    const text = formatCostReport(report);
    expect(text).toContain("Month to date: $3.00 over 9 requests (46,000 input / 11,000 output tokens)");
    expect(text).toContain("Served locally: 6 requests (66.7%)");
    expect(text).toContain("Forecast to period end: $9.00 at $0.30/day");
    expect(text).toMatch(/cloud-opus\s+1\s+20,000\s+4,000\s+\$1\.50/);
    expect(text).toMatch(/tier 1\s+6/);
    expect(text).not.toContain("Prompt cache");
    expect(text).not.toContain("Estimated");
  });

  it("counts the prompt cache's reads and writes and the estimated part, and says so", () => {
    const cached = costReport(
      [
        row("2026-11-06T09:00:00Z", {
          ...sonnet,
          costUsd: 0.05,
          cacheReadTokens: 8_000,
          cacheWriteTokens: 1_000,
          cacheReadCostUsd: 0.0024,
          cacheWriteCostUsd: 0.00375,
        }),
        row("2026-11-06T10:00:00Z", { ...sonnet, costUsd: 0.02, costEstimated: true }),
      ],
      period,
      now,
    );
    expect(cached.total).toMatchObject({
      requests: 2,
      cacheReadTokens: 8_000,
      cacheWriteTokens: 1_000,
      cacheReadCostUsd: 0.0024,
      cacheWriteCostUsd: 0.00375,
      estimatedUsd: 0.02,
    });
    expect(cached.byAlias[0]).toMatchObject({ key: "cloud-sonnet", cacheReadTokens: 8_000 });
    const text = formatCostReport(cached);
    expect(text).toContain(
      "Prompt cache: 8,000 input tokens read from it ($0.0024), 1,000 written to it ($0.0038)",
    );
    expect(text).toContain("Estimated: $0.02 of it is from paid streams cut short");
  });
});

describe("savings report", () => {
  it("prices the same tokens on all-Sonnet and all-Opus, against the subscription and electricity", () => {
    const inPeriod = rows.slice(1, -1);
    const report = savingsReport(inPeriod, builtInCatalog());
    expect(report.monthFraction).toBe(1);
    expect(report.toDate.apiUsd).toBeCloseTo(3, 10);
    // 46k × $3/M + 11k × $15/M; 46k × $5/M + 11k × $25/M
    expect(report.toDate.allSonnetApiUsd).toBeCloseTo(0.303, 10);
    expect(report.toDate.allOpusApiUsd).toBeCloseTo(0.505, 10);
    // 130 W × 24 h × 30.4375 days = 94.965 kWh at $0.15
    expect(report.electricityKwhPerMonth).toBeCloseTo(94.965, 6);
    expect(report.electricityUsdPerMonth).toBeCloseTo(14.24475, 6);
    expect(report.toDate.switchyardUsd).toBeCloseTo(17.24475, 6);
    expect(report.toDate.savedVsSubscriptionUsd).toBeCloseTo(182.75525, 6);
    expect(report.toDate.savedVsAllOpusUsd).toBeCloseTo(0.505 - 17.24475, 6);
  });

  it("prorates to date and projects a whole month from a partial period", () => {
    const report = savingsReport(rows, builtInCatalog(), { period, now, subscriptionUsdPerMonth: 200 });
    expect(report.requests).toBe(9);
    expect(report.monthFraction).toBeCloseTo(1 / 3, 10);
    expect(report.toDate.subscriptionUsd).toBeCloseTo(200 / 3, 6);
    expect(report.toDate.electricityUsd).toBeCloseTo(14.24475 / 3, 6);
    expect(report.projectedMonth.apiUsd).toBeCloseTo(9, 6);
    expect(report.projectedMonth.allOpusApiUsd).toBeCloseTo(1.515, 6);
    expect(report.projectedMonth.savedVsSubscriptionUsd).toBeCloseTo(200 - 9 - 14.24475, 6);
  });

  it("defaults land in the reference setup's $10–15 a month for two always-on Mac Studios", () => {
    const { usd } = electricityPerMonth(DEFAULT_ELECTRICITY);
    expect(usd).toBeGreaterThanOrEqual(10);
    expect(usd).toBeLessThanOrEqual(15);
    const custom = electricityPerMonth({
      machineWatts: { engine: 60, brain: 20 },
      hoursPerDay: 12,
      usdPerKwh: 0.3,
    });
    expect(custom.kwh).toBeCloseTo(29.22, 2);
  });

  it("renders for the CLI", () => {
    const text = formatSavingsReport(savingsReport(rows.slice(1, -1), builtInCatalog()));
    expect(text).toMatch(/Switchyard: total\s+\$17\.24\s+\$17\.24/);
    expect(text).toMatch(/Saved vs subscription\s+\$182\.76/);
    expect(text).toContain("Electricity: 95.0 kWh ≈ $14.24 a month");
  });
});
