/**
 * What the guard says when a budget has no room: which budget, its limit, what is spent and
 * reserved, and when it resets — as data for the caller (downgrade to a local alias, or answer
 * 402) and as one sentence a person can act on.
 */
import { SwitchyardError } from "../errors/switchyard-error.js";
import { formatUsd } from "./budget-money.js";
import { formatResetTime } from "./budget-period.js";

export interface BudgetDenial {
  /** Which budget had no room. */
  budget: "monthly" | "alias" | "openrouter-key";
  /** The alias the request asked for (also the ceiling's alias when budget is "alias"). */
  alias: string;
  /** The monthly total, the alias ceiling, or what the key had left at the last check. */
  limitUsd: number;
  /** Settled spend plus open reservations against that budget (for the key: since the check). */
  spentUsd: number;
  /** The part of spentUsd that is reserved by requests still running. */
  reservedUsd: number;
  /** This request's worst case. */
  requestedUsd: number;
  periodKey: string;
  /** When the monthly and alias budgets reset. */
  resetsAt: Date;
  timeZone: string;
}

export function budgetExceededMessage(denial: BudgetDenial): string {
  const spent = `spent ${formatUsd(denial.spentUsd)} (incl. ${formatUsd(denial.reservedUsd)} reserved)`;
  const needs = `this request needs up to ${formatUsd(denial.requestedUsd)}`;
  if (denial.budget === "openrouter-key") {
    return (
      `OpenRouter key credit exhausted: ${formatUsd(denial.limitUsd)} left on the key at the last check, ` +
      `${spent} since, ${needs}. Add credit or raise the key's limit at https://openrouter.ai/settings/keys. ` +
      "The request was not sent."
    );
  }
  const which =
    denial.budget === "monthly"
      ? `monthly total ${formatUsd(denial.limitUsd)}`
      : `${denial.alias} ceiling ${formatUsd(denial.limitUsd)}`;
  return (
    `Monthly budget exhausted: ${which}, ${spent}, ${needs}; ` +
    `resets ${formatResetTime(denial.resetsAt, denial.timeZone)}. The request was not sent.`
  );
}

/** The 402 for callers configured to reject rather than downgrade. */
export function budgetExceededError(denial: BudgetDenial): SwitchyardError {
  return new SwitchyardError("budget-exceeded", budgetExceededMessage(denial), {
    details: {
      budget: denial.budget,
      alias: denial.alias,
      limit_usd: denial.limitUsd,
      spent_usd: denial.spentUsd,
      reserved_usd: denial.reservedUsd,
      requested_usd: denial.requestedUsd,
      resets_at: denial.resetsAt.toISOString(),
    },
  });
}
