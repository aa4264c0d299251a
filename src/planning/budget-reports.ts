/**
 * The reports as the CLI and the admin API serve them: cost to date, savings, and where each
 * budget stands with the alerts fired this period. Reads the ledger for the current period and
 * hands the rows to the pure report functions.
 */

import { BudgetGuard } from "../budget/budget-guard.js";
import { formatUsd } from "../budget/budget-money.js";
import { budgetOptions } from "../budget/budget-options.js";
import type { BudgetPeriod } from "../budget/budget-period.js";
import type { BudgetStatus, KeyCredit } from "../budget/budget-status.js";
import { catalogPath, loadCatalog } from "../budget/catalog-sync.js";
import type { ModelCatalog } from "../budget/model-catalog.js";
import type { SwitchyardConfig } from "../config/config-schema.js";
import type { BudgetStore, FiredAlert } from "../store/budget-store.js";
import type { EvalStore } from "../store/eval-store.js";
import type { LedgerStore } from "../store/ledger-store.js";
import { databaseLocation, openStores } from "../store/open-stores.js";
import { type CostReport, costReport } from "./cost-report.js";
import { type SavingsOptions, type SavingsReport, savingsReport } from "./savings-report.js";

export interface ReportSources {
  config: SwitchyardConfig;
  ledger: LedgerStore;
  /** `switchyard eval`'s results (calibration reads them). */
  evals: EvalStore;
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
  const period = sources.budget.period(now.getTime());
  const rows = await sources.ledger.between(period.start.getTime(), period.end.getTime());
  return savingsReport(rows, sources.catalog, savingsOptions(sources.config, period, now));
}

/** The savings report's settings from the config, for `period` as of `now`. */
export function savingsOptions(config: SwitchyardConfig, period: BudgetPeriod, now: Date): SavingsOptions {
  return {
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
  };
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

/**
 * `switchyard status` as text. `keyNote` replaces the key line when this process does not watch the
 * key (the CLI reading the ledger itself, with the Brain not answering).
 */
export function formatBudgetOverview(overview: BudgetOverview, options: { keyNote?: string } = {}): string {
  const { status } = overview;
  const lines = [
    `Budget period ${status.period.start.toISOString().slice(0, 10)} → ${status.period.end.toISOString().slice(0, 10)} (${status.period.timeZone}); at a cap: ${overview.onExhausted}`,
    "budget          limit      spent   reserved  remaining   used",
  ];
  for (const line of status.lines) {
    const used = line.limitUsd > 0 ? ((line.settledUsd + line.reservedUsd) / line.limitUsd) * 100 : 0;
    lines.push(
      `${line.budget.padEnd(14)} ${formatUsd(line.limitUsd).padStart(7)} ${formatUsd(line.settledUsd).padStart(10)} ${formatUsd(line.reservedUsd).padStart(10)} ${formatUsd(line.remainingUsd).padStart(10)} ${`${used.toFixed(0)}%`.padStart(6)}`,
    );
  }
  lines.push(options.keyNote ?? keyLine(status.key));
  lines.push(`Paid traffic may still spend: ${formatUsd(status.effectiveRemainingUsd)}`);
  lines.push(
    overview.alerts.length === 0
      ? "Alerts this period: none"
      : `Alerts this period: ${overview.alerts.map((alert) => `${alert.budget} ${alert.thresholdPercent}% (${new Date(alert.firedAt).toISOString().slice(0, 16).replace("T", " ")})`).join(", ")}`,
  );
  return `${lines.join("\n")}\n`;
}

function keyLine(key: KeyCredit | null): string {
  if (!key) {
    return "OpenRouter key credit: not checked (no API key, or budget.key_check_interval_minutes is 0)";
  }
  const checked = `checked ${new Date(key.checkedAt).toISOString().slice(0, 16).replace("T", " ")} UTC`;
  if (key.limitUsd === null) {
    return `OpenRouter key credit: no limit on the key (${formatUsd(key.usageUsd)} used; ${checked}); set one at https://openrouter.ai/settings/keys and Switchyard obeys it too`;
  }
  return `OpenRouter key credit: ${formatUsd(key.remainingUsd ?? 0)} left of its ${formatUsd(key.limitUsd)} limit (${formatUsd(key.usageUsd)} used; ${checked})`;
}

/**
 * The ledger, budget and prices without the server: what `switchyard costs`, `savings` and
 * `status` read on the Brain. Nothing is started, nothing is fetched; with `readOnly` (the report
 * commands) a SQLite ledger is only read, and must exist.
 */
export async function openReportSources(
  config: SwitchyardConfig,
  env: NodeJS.ProcessEnv = process.env,
  options: { readOnly?: boolean } = {},
): Promise<ReportSources & { close(): Promise<void> }> {
  const stores = await openStores(databaseLocation(config, env), { readOnly: options.readOnly ?? false });
  const maxAgeMs = config.budget.catalog.max_age_hours * 3_600_000;
  const { catalog } = await loadCatalog({ cachePath: catalogPath(config, env), allowSync: false, maxAgeMs });
  const budget = new BudgetGuard({ store: stores.budget, catalog, budget: budgetOptions(config) });
  return {
    config,
    ledger: stores.ledger,
    evals: stores.evals,
    budget,
    budgetStore: stores.budget,
    catalog,
    close: () => stores.close(),
  };
}
