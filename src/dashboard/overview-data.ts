/**
 * The Overview's figures: each budget against its cap, the alerts fired, the forecast to the end
 * of the period, the savings, each tier's share of requests, and requests and cost per tier over
 * time (day and hour buckets). Every sum comes from the ledger rollup's hourly totals, so a view
 * never reads the period's rows one by one.
 */
import { localDate } from "../budget/budget-period.js";
import type { SwitchyardRuntime } from "../core/switchyard-runtime.js";
import { type BudgetOverview, budgetOverview, savingsOptions } from "../planning/budget-reports.js";
import { type SavingsReport, savingsFromTotals } from "../planning/savings-report.js";
import type { LedgerTotals } from "../store/ledger-store.js";
import { HOUR_MS, type LedgerRollup } from "./ledger-rollup.js";

const DAY_MS = 86_400_000;

export type Bucket = "day" | "hour";

/** Requests and cost per tier over time, one entry per bucket in every array. */
export interface TierSeries {
  bucket: Bucket;
  /** Epoch milliseconds each bucket starts at. */
  starts: number[];
  /** "2026-12-05" for days (in the budget's time zone), "2026-12-05 09:00" (UTC) for hours. */
  labels: string[];
  tiers: Array<{ tier: number; requests: number[]; costUsd: number[] }>;
}

export interface TierShare {
  tier: number;
  requests: number;
  share: number;
  costUsd: number;
}

export interface OverviewData {
  asOf: number;
  budgets: BudgetOverview;
  forecast: {
    spentUsd: number;
    dailyRateUsd: number;
    forecastUsd: number;
    elapsedDays: number;
    periodDays: number;
  };
  savings: SavingsReport | { unavailable: string };
  requests: number;
  tiers: TierShare[];
  daily: TierSeries;
  hourly: TierSeries;
}

export interface OverviewSources {
  runtime: Pick<SwitchyardRuntime, "config" | "ledger" | "budget" | "stores" | "catalog">;
  rollup: LedgerRollup;
}

export async function overviewData(
  sources: OverviewSources,
  options: { hours: number; now: number },
): Promise<OverviewData> {
  const { runtime, rollup } = sources;
  const { now } = options;
  const period = runtime.budget.period(now);
  const start = period.start.getTime();
  const end = period.end.getTime();
  const hourlyFrom = Math.floor(now / HOUR_MS) * HOUR_MS - (options.hours - 1) * HOUR_MS;
  const [budgets, periodTotals, recentTotals] = await Promise.all([
    budgetOverview({
      config: runtime.config,
      ledger: runtime.ledger,
      evals: runtime.stores.evals,
      budget: runtime.budget,
      budgetStore: runtime.stores.budget,
      catalog: runtime.catalog(),
    }),
    rollup.hourly(start, Math.min(end, now + 1)),
    rollup.hourly(hourlyFrom, now + 1),
  ]);
  const tiers = configuredTiers(runtime.config);
  let requests = 0;
  let inputTokens = 0;
  let outputTokens = 0;
  let spentUsd = 0;
  const byTier = new Map<number, TierShare>(
    tiers.map((tier) => [tier, { tier, requests: 0, share: 0, costUsd: 0 }]),
  );
  for (const totals of periodTotals) {
    requests += totals.requests;
    inputTokens += totals.inputTokens;
    outputTokens += totals.outputTokens;
    spentUsd += totals.costUsd;
    const line = byTier.get(totals.tier) ?? { tier: totals.tier, requests: 0, share: 0, costUsd: 0 };
    line.requests += totals.requests;
    line.costUsd += totals.costUsd;
    byTier.set(totals.tier, line);
  }
  for (const line of byTier.values()) line.share = requests === 0 ? 0 : line.requests / requests;
  const asOf = Math.min(Math.max(now, start), end);
  const elapsedDays = (asOf - start) / DAY_MS;
  const periodDays = (end - start) / DAY_MS;
  const dailyRateUsd = spentUsd / Math.max(elapsedDays, 1);
  let savings: OverviewData["savings"];
  try {
    savings = savingsFromTotals(
      { requests, inputTokens, outputTokens, apiUsd: spentUsd },
      runtime.catalog(),
      savingsOptions(runtime.config, period, new Date(now)),
    );
  } catch (error) {
    savings = { unavailable: (error as Error).message };
  }
  return {
    asOf: now,
    budgets,
    forecast: {
      spentUsd,
      dailyRateUsd,
      forecastUsd: spentUsd + dailyRateUsd * Math.max(0, periodDays - elapsedDays),
      elapsedDays,
      periodDays,
    },
    savings,
    requests,
    tiers: [...byTier.values()].sort((left, right) => left.tier - right.tier),
    daily: tierSeries({
      totals: periodTotals,
      bucket: "day",
      startMs: start,
      endMs: end,
      timeZone: period.timeZone,
      tiers,
    }),
    hourly: tierSeries({
      totals: recentTotals,
      bucket: "hour",
      startMs: hourlyFrom,
      endMs: now + 1,
      timeZone: period.timeZone,
      tiers,
    }),
  };
}

/** The tiers the config's aliases use, so every chart has the same series. */
export function configuredTiers(config: SwitchyardRuntime["config"]): number[] {
  return [...new Set(Object.values(config.aliases).map((alias) => alias.tier))].sort((a, b) => a - b);
}

/** Hourly totals folded into day (in `timeZone`) or hour buckets over [startMs, endMs). */
export function tierSeries(input: {
  totals: readonly LedgerTotals[];
  bucket: Bucket;
  startMs: number;
  endMs: number;
  timeZone: string;
  tiers: readonly number[];
}): TierSeries {
  const { bucket, timeZone } = input;
  const keyOf = (hourStart: number) =>
    bucket === "day" ? dayOfHour(hourStart, timeZone) : new Date(hourStart).toISOString().slice(0, 13);
  const index = new Map<string, number>();
  /** Hour start → its bucket's position: the time zone is asked once per hour, not per total. */
  const positionOfHour = new Map<number, number>();
  const starts: number[] = [];
  const labels: string[] = [];
  for (let hour = Math.floor(input.startMs / HOUR_MS) * HOUR_MS; hour < input.endMs; hour += HOUR_MS) {
    const key = keyOf(hour);
    let position = index.get(key);
    if (position === undefined) {
      position = starts.length;
      index.set(key, position);
      starts.push(Math.max(hour, input.startMs));
      labels.push(bucket === "day" ? key : `${key.replace("T", " ")}:00`);
    }
    positionOfHour.set(hour, position);
  }
  const tiers = new Map(
    [...new Set([...input.tiers, ...input.totals.map((totals) => totals.tier)])]
      .sort((a, b) => a - b)
      .map((tier) => [tier, { tier, requests: starts.map(() => 0), costUsd: starts.map(() => 0) }]),
  );
  for (const totals of input.totals) {
    const position = positionOfHour.get(totals.bucketStart);
    const line = tiers.get(totals.tier);
    if (position === undefined || !line) continue;
    line.requests[position]! += totals.requests;
    line.costUsd[position]! += totals.costUsd;
  }
  return { bucket, starts, labels, tiers: [...tiers.values()] };
}

/** Hour start → its local date, per time zone: Intl is slow, and a month's view asks 744 times. */
const dayOfHourCache = new Map<string, Map<number, string>>();

function dayOfHour(hourStart: number, timeZone: string): string {
  let days = dayOfHourCache.get(timeZone);
  if (!days) {
    days = new Map();
    dayOfHourCache.set(timeZone, days);
  }
  let day = days.get(hourStart);
  if (day === undefined) {
    day = localDate(hourStart, timeZone);
    if (days.size >= 24 * 800) days.clear();
    days.set(hourStart, day);
  }
  return day;
}
