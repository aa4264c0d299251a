/**
 * The budget's settings as one typed object with the reference-setup defaults ($100 a month,
 * Sonnet $60, Opus $30, reset on the 1st at midnight UTC, alerts at 50/80/100%). The config
 * loader maps `budget:` in switchyard.yaml onto this; nothing here reads files or the environment.
 */

import type { SwitchyardConfig } from "../config/config-schema.js";
import { assertTimeZone } from "./budget-period.js";

export interface BudgetOptions {
  /** The hard monthly total for all paid traffic, USD. */
  monthlyUsd: number;
  /** Per-alias ceilings inside the total, USD. Aliases not listed are bound by the total only. */
  aliasCeilingsUsd: Record<string, number>;
  /** Day of the month the budget resets, 1–28, at local midnight. */
  resetDay: number;
  /** IANA zone the reset day is counted in. */
  timeZone: string;
  /** Percent of each budget at which an alert fires, once per period. */
  alertThresholdsPercent: number[];
  /** A reservation older than this is abandoned even if its process still looks alive. */
  maxRequestMs: number;
  /** How often a process proves it is alive (and sweeps stale reservations). */
  heartbeatIntervalMs: number;
  /** A process silent for this long is dead: its reservations are cleared. */
  staleAfterMs: number;
}

export const DEFAULT_BUDGET_OPTIONS: Readonly<BudgetOptions> = {
  monthlyUsd: 100,
  aliasCeilingsUsd: { "cloud-sonnet": 60, "cloud-opus": 30 },
  resetDay: 1,
  timeZone: "UTC",
  alertThresholdsPercent: [50, 80, 100],
  // Opus writing 128k tokens at ~50 tokens/s takes ~45 min; an hour covers the longest answer.
  maxRequestMs: 60 * 60 * 1000,
  heartbeatIntervalMs: 30_000,
  staleAfterMs: 90_000,
};

/** Defaults merged with overrides, checked; throws a RangeError naming the bad field. */
export function resolveBudgetOptions(overrides: Partial<BudgetOptions> = {}): BudgetOptions {
  const options: BudgetOptions = {
    ...DEFAULT_BUDGET_OPTIONS,
    ...overrides,
    aliasCeilingsUsd: { ...(overrides.aliasCeilingsUsd ?? DEFAULT_BUDGET_OPTIONS.aliasCeilingsUsd) },
    alertThresholdsPercent: [
      ...(overrides.alertThresholdsPercent ?? DEFAULT_BUDGET_OPTIONS.alertThresholdsPercent),
    ].sort((left, right) => left - right),
  };
  const nonNegative = (value: number, field: string) => {
    if (!Number.isFinite(value) || value < 0)
      throw new RangeError(`${field} must be a number ≥ 0; got ${value}`);
  };
  nonNegative(options.monthlyUsd, "monthlyUsd");
  for (const [alias, limit] of Object.entries(options.aliasCeilingsUsd))
    nonNegative(limit, `aliasCeilingsUsd.${alias}`);
  for (const threshold of options.alertThresholdsPercent) {
    if (!Number.isFinite(threshold) || threshold <= 0)
      throw new RangeError(`alert thresholds must be percentages above 0; got ${threshold}`);
  }
  if (!Number.isInteger(options.resetDay) || options.resetDay < 1 || options.resetDay > 28)
    throw new RangeError(`resetDay must be a whole number from 1 to 28; got ${options.resetDay}`);
  assertTimeZone(options.timeZone);
  return options;
}

/** The budget section of the config as the guard's options. */
export function budgetOptions(config: SwitchyardConfig): Partial<BudgetOptions> {
  const budget = config.budget;
  return {
    monthlyUsd: budget.monthly_usd,
    aliasCeilingsUsd: budget.aliases,
    resetDay: budget.reset_day,
    timeZone: budget.time_zone,
    alertThresholdsPercent: budget.alert_thresholds,
    maxRequestMs: budget.max_request_minutes * 60_000,
  };
}
