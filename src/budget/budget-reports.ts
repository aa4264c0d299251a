/**
 * The reports as the CLI and the admin API serve them: cost to date, savings, and where each
 * budget stands with the alerts fired this period. Reads the ledger for the current period and
 * hands the rows to the pure report functions.
 */
import type { SwitchyardConfig } from "../config/config-schema.js";
import type { LedgerStore } from "../store/ledger-store.js";
import type { BudgetGuard } from "./budget-guard.js";
import type { BudgetStatus } from "./budget-status.js";
import type { BudgetStore, FiredAlert } from "./budget-store.js";
import { type CostReport, costReport } from "./cost-report.js";
import type { ModelCatalog } from "./model-catalog.js";
import { type SavingsReport, savingsReport } from "./savings-report.js";

export interface ReportSources {
  config: SwitchyardConfig;
  ledger: LedgerStore;
  budget: BudgetGuard;
  budgetStore: BudgetStore;
  catalog: ModelCatalog;
}

export async function currentCostReport(sources: ReportSources, now = new Date()): Promise<CostReport> {
  const period = sources.budget.period(now.getTime());
  const rows = await sources.ledger.between(period.start.getTime(), period.end.getTime());
  return costReport(rows, period, now);
}

export async function currentSavingsReport(sources: ReportSources, now = new Date()): Promise<SavingsReport> {
  const { config } = sources;
  const period = sources.budget.period(now.getTime());
  const rows = await sources.ledger.between(period.start.getTime(), period.end.getTime());
  return savingsReport(rows, sources.catalog, {
    period,
    now,
    subscriptionUsdPerMonth: config.budget.subscription_usd,
    electricity: {
      machineWatts: config.budget.electricity.watts,
      hoursPerDay: config.budget.electricity.hours_per_day,
      usdPerKwh: config.budget.electricity.usd_per_kwh,
    },
    ...(config.aliases["cloud-sonnet"] ? { sonnetModel: config.aliases["cloud-sonnet"].model } : {}),
    ...(config.aliases["cloud-opus"] ? { opusModel: config.aliases["cloud-opus"].model } : {}),
  });
}

export interface BudgetOverview {
  status: BudgetStatus;
  /** What happens at a cap: "downgrade" or "reject". */
  onExhausted: string;
  alerts: FiredAlert[];
}

export async function budgetOverview(sources: ReportSources): Promise<BudgetOverview> {
  const status = await sources.budget.status();
  return {
    status,
    onExhausted: sources.config.budget.on_exhausted,
    alerts: await sources.budgetStore.firedAlerts(status.period.key),
  };
}

export function formatBudgetOverview(overview: BudgetOverview): string {
  const { status } = overview;
  const money = (usd: number) => `$${usd.toFixed(2)}`;
  const lines = [
    `Budget period ${status.period.start.toISOString().slice(0, 10)} → ${status.period.end.toISOString().slice(0, 10)} (${status.period.timeZone}); at a cap: ${overview.onExhausted}`,
    "budget          limit      spent   reserved  remaining   used",
  ];
  for (const line of status.lines) {
    const used = line.limitUsd > 0 ? ((line.settledUsd + line.reservedUsd) / line.limitUsd) * 100 : 0;
    lines.push(
      `${line.budget.padEnd(14)} ${money(line.limitUsd).padStart(7)} ${money(line.settledUsd).padStart(10)} ${money(line.reservedUsd).padStart(10)} ${money(line.remainingUsd).padStart(10)} ${`${used.toFixed(0)}%`.padStart(6)}`,
    );
  }
  if (status.keyRemainingUsd !== null)
    lines.push(`OpenRouter key credit left: ${money(status.keyRemainingUsd)}`);
  lines.push(`Paid traffic may still spend: ${money(status.effectiveRemainingUsd)}`);
  lines.push(
    overview.alerts.length === 0
      ? "Alerts this period: none"
      : `Alerts this period: ${overview.alerts.map((alert) => `${alert.budget} ${alert.thresholdPercent}% (${new Date(alert.firedAt).toISOString().slice(0, 16).replace("T", " ")})`).join(", ")}`,
  );
  return `${lines.join("\n")}\n`;
}
