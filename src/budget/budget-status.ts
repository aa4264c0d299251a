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

export interface BudgetStatus {
  period: BudgetPeriod;
  /** The monthly total first, then each alias ceiling. */
  lines: BudgetLine[];
  /** The key's own remaining credit; null when it has no limit or is not watched. */
  keyRemainingUsd: number | null;
  /** min(monthly remaining, key remaining): what paid traffic may still spend. */
  effectiveRemainingUsd: number;
}

export function budgetStatus(
  options: Pick<BudgetOptions, "monthlyUsd" | "aliasCeilingsUsd">,
  period: BudgetPeriod,
  spending: PeriodSpending,
  keyRemainingUsd: number | null,
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
    effectiveRemainingUsd: effectiveRemainingUsd(monthly.remainingUsd, keyRemainingUsd),
  };
}
