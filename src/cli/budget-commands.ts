/**
 * `switchyard costs`, `savings`, `status` and `models sync`: the money side, read straight from
 * the Brain's database (SQLite file or PostgreSQL) — or, when a Brain is named (`--url`,
 * SWITCHYARD_URL, the client config), from its admin API, rendered the same way. `--json` prints
 * the report object itself.
 */

import { openRouterApi } from "../backends/openai-compatible/openrouter-api.js";
import { catalogPath, syncCatalog } from "../budget/catalog-sync.js";
import { unknownConfiguredModels } from "../budget/model-catalog.js";
import {
  budgetOverview,
  currentCostReport,
  currentSavingsReport,
  formatBudgetOverview,
  openReportSources,
} from "../planning/budget-reports.js";
import { formatCostReport } from "../planning/cost-report.js";
import { formatSavingsReport } from "../planning/savings-report.js";
import { brainJson, namedBrainFor } from "./brain-client.js";
import { budgetOverviewSchema, costReportSchema, savingsReportSchema } from "./brain-responses.js";
import { loadCliConfig } from "./cli-context.js";
import { engineStatusSection, remoteEngineStatusSection } from "./engine-commands.js";

export interface ReportCommandOptions {
  json?: boolean;
  config?: string;
  /** The Brain to ask instead of the local database. */
  url?: string;
}

async function withSources<T>(
  options: ReportCommandOptions,
  use: (sources: Awaited<ReturnType<typeof openReportSources>>) => Promise<T>,
) {
  const loaded = loadCliConfig(options.config);
  const sources = await openReportSources(loaded.config, loaded.env);
  try {
    return await use(sources);
  } finally {
    await sources.close();
  }
}

function print(options: ReportCommandOptions, value: unknown, text: string): void {
  process.stdout.write(
    options.json ? `${JSON.stringify(value, null, 2)}\n` : text.endsWith("\n") ? text : `${text}\n`,
  );
}

export async function costsCommand(options: ReportCommandOptions): Promise<void> {
  const brain = namedBrainFor(options);
  const report = brain
    ? await brainJson(brain, "/admin/costs", costReportSchema)
    : await withSources(options, (sources) => currentCostReport(sources));
  print(options, report, formatCostReport(report));
}

export async function savingsCommand(options: ReportCommandOptions): Promise<void> {
  const brain = namedBrainFor(options);
  const report = brain
    ? await brainJson(brain, "/admin/savings", savingsReportSchema)
    : await withSources(options, (sources) => currentSavingsReport(sources));
  print(options, report, formatSavingsReport(report));
}

export async function statusCommand(options: ReportCommandOptions): Promise<void> {
  const brain = namedBrainFor(options);
  if (brain) {
    const [overview, engines] = await Promise.all([
      brainJson(brain, "/admin/budgets", budgetOverviewSchema),
      remoteEngineStatusSection(brain),
    ]);
    print(
      options,
      { ...overview, engines: engines.value },
      `${formatBudgetOverview(overview)}\n${engines.text}`,
    );
    return;
  }
  const overview = await withSources(options, (sources) => budgetOverview(sources));
  const loaded = loadCliConfig(options.config);
  const engines = await engineStatusSection(loaded.config, loaded.env);
  print(
    options,
    { ...overview, engines: engines.value },
    `${formatBudgetOverview(overview)}\n${engines.text}`,
  );
}

export async function modelsSyncCommand(options: ReportCommandOptions): Promise<void> {
  const loaded = loadCliConfig(options.config);
  const api = openRouterApi(loaded.config);
  const path = catalogPath(loaded.config, loaded.env);
  const catalog = await syncCatalog({ cachePath: path, ...(api ? { api } : {}) });
  const paid = Object.values(loaded.config.aliases)
    .filter((alias) => loaded.config.backends[alias.backend]?.type === "openai-compatible")
    .map((alias) => alias.model);
  const warnings = unknownConfiguredModels(catalog, paid);
  const summary = {
    path,
    models: Object.keys(catalog.models).length,
    configured: paid.map((model) => ({ model, price: catalog.models[model] ?? null })),
    warnings,
  };
  const lines = [
    `Synced ${summary.models} models from OpenRouter into ${path}`,
    ...summary.configured.map(({ model, price }) =>
      price
        ? `  ${model}: $${(price.inputUsdPerToken * 1e6).toFixed(2)} / $${(price.outputUsdPerToken * 1e6).toFixed(2)} per M tokens, context ${price.contextLength ?? "?"}`
        : `  ${model}: not listed`,
    ),
    ...warnings.map((warning) => `warning: ${warning}`),
  ];
  print(options, summary, lines.join("\n"));
}
