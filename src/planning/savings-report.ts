/**
 * The savings report: what the same traffic (the same input and output tokens, local requests
 * included) would have cost on all-Sonnet and on all-Opus API pricing, and against the $200/month
 * subscription, next to what Switchyard actually cost — API spend plus the electricity of the two
 * always-on machines. Pure: ledger rows and a catalog in, figures out.
 */

import { formatUsd } from "../budget/budget-money.js";
import type { BudgetPeriod } from "../budget/budget-period.js";
import { type ModelCatalog, type ModelPrice, priceOf } from "../budget/model-catalog.js";
import { cacheSavingsUsd, catalogCostUsd } from "../budget/request-cost.js";
import type { RequestRecord } from "../store/ledger-store.js";
import { formatCount, formatTable } from "./report-table.js";

export const DAYS_PER_MONTH = 365.25 / 12;

export interface ElectricityOptions {
  /** Average draw per always-on machine, watts. */
  machineWatts: Record<string, number>;
  hoursPerDay: number;
  usdPerKwh: number;
}

/**
 * Engine (Mac Studio M4 Max, 64 GB): ~10 W idle, 150–250 W while generating; ~100 W is the
 * average of an always-loaded Ollama with a working day of traffic. Brain (Mac Studio, 32 GB):
 * orchestration only, ~30 W. At $0.15/kWh, 24 h a day: 130 W × 730.5 h = 95 kWh ≈ $14.25 a month,
 * inside the reference setup's $10–15.
 */
export const DEFAULT_ELECTRICITY: Readonly<ElectricityOptions> = {
  machineWatts: { engine: 100, brain: 30 },
  hoursPerDay: 24,
  usdPerKwh: 0.15,
};

export interface SavingsOptions {
  sonnetModel?: string;
  opusModel?: string;
  /** The subscription Switchyard replaces; default $200 (Claude Max 20x). */
  subscriptionUsdPerMonth?: number;
  electricity?: Partial<ElectricityOptions>;
  /**
   * The period the rows cover, and "now": with them, to-date figures prorate the subscription
   * and electricity, and the month projection scales API spend up from the days elapsed. Without
   * them the rows are taken as one whole month.
   */
  period?: BudgetPeriod;
  now?: Date;
}

export interface SavingsFigures {
  /** What Switchyard cost: API spend + electricity. */
  switchyardUsd: number;
  apiUsd: number;
  electricityUsd: number;
  subscriptionUsd: number;
  allSonnetApiUsd: number;
  allOpusApiUsd: number;
  savedVsSubscriptionUsd: number;
  savedVsAllSonnetUsd: number;
  savedVsAllOpusUsd: number;
  /** What prompt caching saved on the paid traffic, against the same prompts read fresh. */
  cachingSavedUsd: number;
}

export interface SavingsReport {
  requests: number;
  inputTokens: number;
  outputTokens: number;
  /** Prompt tokens read from the provider's cache, and written to it. */
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** Fraction of a month the rows cover (1 without a period). */
  monthFraction: number;
  electricityKwhPerMonth: number;
  electricityUsdPerMonth: number;
  toDate: SavingsFigures;
  projectedMonth: SavingsFigures;
  sonnetModel: string;
  opusModel: string;
}

export function electricityPerMonth(options: ElectricityOptions): { kwh: number; usd: number } {
  const watts = Object.values(options.machineWatts).reduce((sum, value) => sum + value, 0);
  const kwh = (watts * options.hoursPerDay * DAYS_PER_MONTH) / 1000;
  return { kwh, usd: kwh * options.usdPerKwh };
}

export function savingsReport(
  rows: readonly RequestRecord[],
  catalog: ModelCatalog,
  options: SavingsOptions = {},
): SavingsReport {
  const inWindow = options.period
    ? rows.filter(
        (row) =>
          row.startedAt >= options.period!.start.getTime() && row.startedAt < options.period!.end.getTime(),
      )
    : rows;
  const traffic: TrafficTotals = {
    requests: inWindow.length,
    inputTokens: 0,
    outputTokens: 0,
    apiUsd: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    cachingSavedUsd: 0,
  };
  for (const row of inWindow) {
    traffic.inputTokens += row.inputTokens;
    traffic.outputTokens += row.outputTokens;
    traffic.apiUsd += row.costUsd;
    if (row.cacheReadTokens || row.cacheWriteTokens) {
      const cache = { read: row.cacheReadTokens ?? 0, write: row.cacheWriteTokens ?? 0 };
      traffic.cacheReadTokens! += cache.read;
      traffic.cacheWriteTokens! += cache.write;
      const price = priceOf(catalog, row.model);
      if (price) traffic.cachingSavedUsd! += cacheSavingsUsd(price, cache);
    }
  }
  return savingsFromTotals(traffic, catalog, options);
}

/** What the report needs of the traffic: its sums (the dashboard has them from the database). */
export interface TrafficTotals {
  requests: number;
  inputTokens: number;
  outputTokens: number;
  apiUsd: number;
  /** Prompt-cache tokens and what caching saved, when the source knows them (default 0). */
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  cachingSavedUsd?: number;
}

/** The savings report from the traffic's sums, which must already be those of the period. */
export function savingsFromTotals(
  traffic: TrafficTotals,
  catalog: ModelCatalog,
  options: SavingsOptions = {},
): SavingsReport {
  const sonnetModel = options.sonnetModel ?? "anthropic/claude-sonnet-4.5";
  const opusModel = options.opusModel ?? "anthropic/claude-opus-4.6";
  const sonnet = requirePrice(catalog, sonnetModel);
  const opus = requirePrice(catalog, opusModel);
  const subscriptionUsd = options.subscriptionUsdPerMonth ?? 200;
  const electricity = electricityPerMonth({ ...DEFAULT_ELECTRICITY, ...options.electricity });
  const { inputTokens, outputTokens, apiUsd } = traffic;
  // The baselines get the same caching: the same prompts would have hit the same cache there.
  const cache = { read: traffic.cacheReadTokens ?? 0, write: traffic.cacheWriteTokens ?? 0 };
  const monthFraction = windowMonthFraction(options.period, options.now);
  const toDate = figures({
    apiUsd,
    electricityUsd: electricity.usd * monthFraction,
    subscriptionUsd: subscriptionUsd * monthFraction,
    allSonnetApiUsd: catalogCostUsd(sonnet, inputTokens, outputTokens, cache),
    allOpusApiUsd: catalogCostUsd(opus, inputTokens, outputTokens, cache),
    cachingSavedUsd: traffic.cachingSavedUsd ?? 0,
  });
  const scale = monthFraction > 0 ? 1 / monthFraction : 0;
  const projectedMonth = figures({
    apiUsd: apiUsd * scale,
    electricityUsd: electricity.usd,
    subscriptionUsd,
    allSonnetApiUsd: toDate.allSonnetApiUsd * scale,
    allOpusApiUsd: toDate.allOpusApiUsd * scale,
    cachingSavedUsd: toDate.cachingSavedUsd * scale,
  });
  return {
    requests: traffic.requests,
    inputTokens,
    outputTokens,
    cacheReadTokens: cache.read,
    cacheWriteTokens: cache.write,
    monthFraction,
    electricityKwhPerMonth: electricity.kwh,
    electricityUsdPerMonth: electricity.usd,
    toDate,
    projectedMonth,
    sonnetModel,
    opusModel,
  };
}

export function formatSavingsReport(report: SavingsReport): string {
  const columns = (label: string, pick: (figures: SavingsFigures) => number) => [
    label,
    formatUsd(pick(report.toDate)),
    formatUsd(pick(report.projectedMonth)),
  ];
  const elapsed =
    report.monthFraction >= 1 ? "a whole month" : `${(report.monthFraction * 100).toFixed(0)}% of a month`;
  return [
    `Savings over ${formatCount(report.requests)} requests (${formatCount(report.inputTokens)} input / ` +
      `${formatCount(report.outputTokens)} output tokens, ${elapsed})`,
    "",
    formatTable(
      ["", "to date", "per month"],
      [
        columns("Switchyard: API spend", (figures) => figures.apiUsd),
        columns("Switchyard: electricity", (figures) => figures.electricityUsd),
        columns("Switchyard: total", (figures) => figures.switchyardUsd),
        columns("Claude subscription", (figures) => figures.subscriptionUsd),
        columns(`All on ${report.sonnetModel} API`, (figures) => figures.allSonnetApiUsd),
        columns(`All on ${report.opusModel} API`, (figures) => figures.allOpusApiUsd),
        columns("Saved vs subscription", (figures) => figures.savedVsSubscriptionUsd),
        columns("Saved vs all-Sonnet API", (figures) => figures.savedVsAllSonnetUsd),
        columns("Saved vs all-Opus API", (figures) => figures.savedVsAllOpusUsd),
        columns("Saved by prompt caching (in the spend above)", (figures) => figures.cachingSavedUsd),
      ],
    ),
    ...(report.cacheReadTokens + report.cacheWriteTokens > 0
      ? [
          "",
          `Prompt caching: ${formatCount(report.cacheReadTokens)} input tokens read from the cache, ` +
            `${formatCount(report.cacheWriteTokens)} written to it; the all-Sonnet and all-Opus figures assume the same caching.`,
        ]
      : []),
    "",
    `Electricity: ${report.electricityKwhPerMonth.toFixed(1)} kWh ≈ ${formatUsd(report.electricityUsdPerMonth)} a month ` +
      "(configure watts per machine, hours per day and price per kWh under budget.electricity).",
  ].join("\n");
}

function figures(
  base: Pick<
    SavingsFigures,
    "apiUsd" | "electricityUsd" | "subscriptionUsd" | "allSonnetApiUsd" | "allOpusApiUsd" | "cachingSavedUsd"
  >,
): SavingsFigures {
  const switchyardUsd = base.apiUsd + base.electricityUsd;
  return {
    ...base,
    switchyardUsd,
    savedVsSubscriptionUsd: base.subscriptionUsd - switchyardUsd,
    savedVsAllSonnetUsd: base.allSonnetApiUsd - switchyardUsd,
    savedVsAllOpusUsd: base.allOpusApiUsd - switchyardUsd,
  };
}

/** How much of the period has elapsed (1 when no period is given): a budget period is one month. */
function windowMonthFraction(period: BudgetPeriod | undefined, now: Date | undefined): number {
  if (!period) return 1;
  const start = period.start.getTime();
  const end = period.end.getTime();
  const asOf = Math.min(Math.max((now ?? period.end).getTime(), start), end);
  return (asOf - start) / (end - start);
}

function requirePrice(catalog: ModelCatalog, model: string): ModelPrice {
  const price = priceOf(catalog, model);
  if (!price) throw new RangeError(`No price for "${model}" in the catalog; run \`switchyard models sync\``);
  return price;
}
