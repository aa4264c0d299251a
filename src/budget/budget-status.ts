/**
 * Where each budget stands right now — limit, settled, reserved, remaining — for the CLI, the
 * admin API and the dashboard; and the effective remaining when the OpenRouter key has less.
 */

import type { PeriodSpending } from "../store/budget-store.js";
import { usdFromMicro } from "./budget-money.js";
import type { BudgetOptions } from "./budget-options.js";
import type { BudgetPeriod } from "./budget-period.js";
import { effectiveRemainingUsd } from "./key-guard.js";

export interface BudgetLine {
  /** "monthly" or an alias. */
  budget: string;
  limitUsd: number;
  settledUsd: number;
  reservedUsd: number;
  remainingUsd: number;
}

/** The OpenRouter key's credit at its last check (`GET /key`). */
export interface KeyCredit {
  /** The key's own limit, USD; null when it has none. */
  limitUsd: number | null;
  /** What the key may still spend, USD; null when it has no limit. */
  remainingUsd: number | null;
  /** All-time spend on the key, USD (other tools on the same key included). */
  usageUsd: number;
  /** When it was read, ms since the epoch. */
  checkedAt: number;
}

export interface BudgetStatus {
  period: BudgetPeriod;
  /** The monthly total first, then each alias ceiling. */
  lines: BudgetLine[];
  /** The key's own remaining credit; null when it has no limit or is not watched. */
  keyRemainingUsd: number | null;
  /** The key's last check; null when this process does not watch the key or has not read it yet. */
  key: KeyCredit | null;
  /** min(monthly remaining, key remaining): what paid traffic may still spend. */
  effectiveRemainingUsd: number;
}

export function budgetStatus(
  options: Pick<BudgetOptions, "monthlyUsd" | "aliasCeilingsUsd">,
  period: BudgetPeriod,
  spending: PeriodSpending,
  keyRemainingUsd: number | null,
  key: KeyCredit | null = null,
): BudgetStatus {
  const line = (budget: string, limitUsd: number, settled: number, reserved: number): BudgetLine => ({
    budget,
    limitUsd,
    settledUsd: usdFromMicro(settled),
    reservedUsd: usdFromMicro(reserved),
    remainingUsd: Math.max(0, limitUsd - usdFromMicro(settled + reserved)),
  });
  const monthly = line(
    "monthly",
    options.monthlyUsd,
    spending.total.settledMicroUsd,
    spending.total.reservedMicroUsd,
  );
  const lines = [monthly];
  for (const [alias, limit] of Object.entries(options.aliasCeilingsUsd)) {
    const totals = spending.byAlias[alias];
    lines.push(line(alias, limit, totals?.settledMicroUsd ?? 0, totals?.reservedMicroUsd ?? 0));
  }
  return {
    period,
    lines,
    keyRemainingUsd,
    key,
    effectiveRemainingUsd: effectiveRemainingUsd(monthly.remainingUsd, keyRemainingUsd),
  };
}
