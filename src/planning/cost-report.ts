/**
 * The month-to-date cost report: totals and breakdowns by alias, tier, task kind and day, the
 * forecast to the end of the period, and how much traffic stayed local. Pure functions over
 * ledger rows, so `switchyard cost` and the admin API only fetch rows and render.
 */

import { formatUsd } from "../budget/budget-money.js";
import { type BudgetPeriod, formatResetTime, localDate } from "../budget/budget-period.js";
import type { RequestRecord } from "../store/ledger-store.js";
import { formatCount, formatPercent, formatTable } from "./report-table.js";

const DAY_MS = 86_400_000;

export interface CostLine {
  key: string;
  requests: number;
  /** All prompt tokens, cached ones included. */
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** Prompt tokens read from and written to the provider's cache, and what they cost (in costUsd). */
  cacheReadTokens: number;
  cacheWriteTokens: number;
  cacheReadCostUsd: number;
  cacheWriteCostUsd: number;
  /** The part of costUsd that is estimated (a paid stream cut short, the provider's figure not in yet). */
  estimatedUsd: number;
}

export interface CostReport {
  period: BudgetPeriod;
  asOf: Date;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  totalUsd: number;
  /** The period's totals, with the prompt cache's reads and writes and the estimated part. */
  total: CostLine;
  /** Requests answered on tier 1 (the local models). */
  localRequests: number;
  /** localRequests / requests; 0 when there were none. */
  localShare: number;
  /** Most expensive first. */
  byAlias: CostLine[];
  /** Tier "1", "2", "3", ascending. */
  byTier: CostLine[];
  byTask: CostLine[];
  /** Local dates in the period's time zone, ascending. */
  byDay: CostLine[];
  elapsedDays: number;
  periodDays: number;
  /** Spend per day so far (over at least one day, so the first hours do not extrapolate wildly). */
  dailyRateUsd: number;
  /** Spend so far plus the daily rate for the rest of the period. */
  forecastUsd: number;
}

/** The report for `period` as of `now`; rows outside the period are ignored. */
export function costReport(rows: readonly RequestRecord[], period: BudgetPeriod, now: Date): CostReport {
  const start = period.start.getTime();
  const asOf = Math.min(Math.max(now.getTime(), start), period.end.getTime());
  const inPeriod = rows.filter((row) => row.startedAt >= start && row.startedAt < period.end.getTime());
  const byAlias = new Map<string, CostLine>();
  const byTier = new Map<string, CostLine>();
  const byTask = new Map<string, CostLine>();
  const byDay = new Map<string, CostLine>();
  const total = emptyLine("total");
  let localRequests = 0;
  for (const row of inPeriod) {
    add(total, row);
    add(lineFor(byAlias, row.alias), row);
    add(lineFor(byTier, String(row.tier)), row);
    add(lineFor(byTask, row.task), row);
    add(lineFor(byDay, localDate(row.startedAt, period.timeZone)), row);
    if (row.tier === 1) localRequests++;
  }
  const elapsedDays = (asOf - start) / DAY_MS;
  const periodDays = (period.end.getTime() - start) / DAY_MS;
  const dailyRateUsd = total.costUsd / Math.max(elapsedDays, 1);
  const byCost = (left: CostLine, right: CostLine) =>
    right.costUsd - left.costUsd || compareKeys(left, right);
  return {
    period,
    asOf: new Date(asOf),
    requests: total.requests,
    inputTokens: total.inputTokens,
    outputTokens: total.outputTokens,
    totalUsd: total.costUsd,
    total,
    localRequests,
    localShare: total.requests === 0 ? 0 : localRequests / total.requests,
    byAlias: [...byAlias.values()].sort(byCost),
    byTier: [...byTier.values()].sort(compareKeys),
    byTask: [...byTask.values()].sort(byCost),
    byDay: [...byDay.values()].sort(compareKeys),
    elapsedDays,
    periodDays,
    dailyRateUsd,
    forecastUsd: total.costUsd + dailyRateUsd * Math.max(0, periodDays - elapsedDays),
  };
}

export function formatCostReport(report: CostReport): string {
  const { period } = report;
  const header = ["", "requests", "input tokens", "output tokens", "cost"];
  const table = (lines: CostLine[], label: (key: string) => string = (key) => key) =>
    formatTable(
      header,
      lines.map((line) => [
        label(line.key),
        formatCount(line.requests),
        formatCount(line.inputTokens),
        formatCount(line.outputTokens),
        formatUsd(line.costUsd),
      ]),
    );
  return [
    `Cost for the period ${period.key} (resets ${formatResetTime(period.end, period.timeZone)})`,
    `Month to date: ${formatUsd(report.totalUsd)} over ${formatCount(report.requests)} requests ` +
      `(${formatCount(report.inputTokens)} input / ${formatCount(report.outputTokens)} output tokens)`,
    `Served locally: ${formatCount(report.localRequests)} requests (${formatPercent(report.localShare)})`,
    ...cacheLines(report.total),
    `Forecast to period end: ${formatUsd(report.forecastUsd)} at ${formatUsd(report.dailyRateUsd)}/day`,
    "",
    "By alias",
    table(report.byAlias),
    "",
    "By tier",
    table(report.byTier, (key) => `tier ${key}`),
    "",
    "By task",
    table(report.byTask),
    "",
    "By day",
    table(report.byDay),
  ].join("\n");
}

/** The prompt cache's share and the estimated part, when there is any of either. */
function cacheLines(total: CostLine): string[] {
  const lines: string[] = [];
  if (total.cacheReadTokens > 0 || total.cacheWriteTokens > 0) {
    lines.push(
      `Prompt cache: ${formatCount(total.cacheReadTokens)} input tokens read from it (${formatUsd(total.cacheReadCostUsd)}), ` +
        `${formatCount(total.cacheWriteTokens)} written to it (${formatUsd(total.cacheWriteCostUsd)})`,
    );
  }
  if (total.estimatedUsd > 0) {
    lines.push(
      `Estimated: ${formatUsd(total.estimatedUsd)} of it is from paid streams cut short, until the provider's figure arrives`,
    );
  }
  return lines;
}

function emptyLine(key: string): CostLine {
  return {
    key,
    requests: 0,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    cacheReadCostUsd: 0,
    cacheWriteCostUsd: 0,
    estimatedUsd: 0,
  };
}

function lineFor(lines: Map<string, CostLine>, key: string): CostLine {
  let line = lines.get(key);
  if (!line) {
    line = emptyLine(key);
    lines.set(key, line);
  }
  return line;
}

function add(line: CostLine, row: RequestRecord): void {
  line.requests++;
  line.inputTokens += row.inputTokens;
  line.outputTokens += row.outputTokens;
  line.costUsd += row.costUsd;
  line.cacheReadTokens += row.cacheReadTokens ?? 0;
  line.cacheWriteTokens += row.cacheWriteTokens ?? 0;
  line.cacheReadCostUsd += row.cacheReadCostUsd ?? 0;
  line.cacheWriteCostUsd += row.cacheWriteCostUsd ?? 0;
  if (row.costEstimated) line.estimatedUsd += row.costUsd;
}

function compareKeys(left: CostLine, right: CostLine): number {
  return left.key < right.key ? -1 : left.key > right.key ? 1 : 0;
}
