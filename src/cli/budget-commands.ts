/**
 * `switchyard costs`, `savings`, `status` and `models sync`: the money side, read straight from
 * the Brain's database (SQLite file, read-only, or PostgreSQL) — or, when a Brain is named
 * (`--url`, SWITCHYARD_URL, the client config), from its admin API, rendered the same way. On a
 * machine with neither they say so (cli-ledger.ts). `status` on the Brain asks the running
 * server first: only it knows what its requests in flight hold and what the OpenRouter key has
 * left. `--json` prints the report object itself.
 */

import { openRouterApi } from "../backends/openai-compatible/openrouter-api.js";
import { formatUsd } from "../budget/budget-money.js";
import { catalogPath, syncCatalog } from "../budget/catalog-sync.js";
import { unknownConfiguredModels } from "../budget/model-catalog.js";
import type { SwitchyardConfig } from "../config/config-schema.js";
import {
  budgetOverview,
  currentCostReport,
  currentSavingsReport,
  formatBudgetOverview,
  type ReportSources,
} from "../planning/budget-reports.js";
import { formatCostReport } from "../planning/cost-report.js";
import { formatSavingsReport } from "../planning/savings-report.js";
import { type BrainTarget, brainJson, namedBrainFor } from "./brain-client.js";
import {
  budgetOverviewSchema,
  costReportSchema,
  healthSchema,
  savingsReportSchema,
} from "./brain-responses.js";
import { brainBaseUrl } from "./claude-command.js";
import { CliFailure, loadCliConfig } from "./cli-context.js";
import { withLocalSources } from "./cli-ledger.js";
import { engineStatusSection, remoteEngineStatusSection } from "./engine-commands.js";

export interface ReportCommandOptions {
  json?: boolean;
  config?: string;
  /** The Brain to ask instead of the local database. */
  url?: string;
}

/** This machine's ledger, read-only, for `command`; none here is a one-line failure. */
function withSources<T>(
  options: ReportCommandOptions,
  command: string,
  use: (sources: ReportSources) => Promise<T>,
): Promise<T> {
  return withLocalSources(loadCliConfig(options.config), command, use);
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
    : await withSources(options, "costs", (sources) => currentCostReport(sources));
  print(options, report, formatCostReport(report));
}

export async function savingsCommand(options: ReportCommandOptions): Promise<void> {
  const brain = namedBrainFor(options);
  const report = brain
    ? await brainJson(brain, "/admin/savings", savingsReportSchema)
    : await withSources(options, "savings", (sources) => currentSavingsReport(sources));
  print(options, report, formatSavingsReport(report));
}

export async function statusCommand(options: ReportCommandOptions): Promise<void> {
  const loaded = loadCliConfig(options.config);
  const brain = namedBrainFor(options) ?? (await runningBrainHere(loaded.config, loaded.env));
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
  const overview = await withSources(options, "status", (sources) => budgetOverview(sources));
  const engines = await engineStatusSection(loaded.config, loaded.env);
  const keyNote =
    "OpenRouter key credit: known to the running Brain, which does not answer here (switchyard status shows it while switchyard serve runs)";
  print(
    options,
    { ...overview, engines: engines.value },
    `${formatBudgetOverview(overview, { keyNote })}\n${engines.text}`,
  );
}

/**
 * The Brain this machine's config describes (server.host:server.port), when it answers within a
 * second: on the Brain, `status` reads the running server rather than the database under it.
 */
async function runningBrainHere(
  config: SwitchyardConfig,
  env: NodeJS.ProcessEnv,
): Promise<BrainTarget | undefined> {
  const token = env.SWITCHYARD_TOKEN || config.server.auth_tokens.find(Boolean);
  const target: BrainTarget = {
    url: brainBaseUrl(config, env),
    token,
    source: "server.host and server.port in the config",
    tokenSource: env.SWITCHYARD_TOKEN
      ? "SWITCHYARD_TOKEN"
      : token
        ? "server.auth_tokens in the config"
        : "none",
  };
  try {
    await brainJson(target, "/healthz", healthSchema, 1_000);
    return target;
  } catch (error) {
    if (error instanceof CliFailure) return undefined;
    throw error;
  }
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
        ? `  ${model}: ${formatUsd(price.inputUsdPerToken * 1e6)} / ${formatUsd(price.outputUsdPerToken * 1e6)} per M tokens, context ${price.contextLength ?? "?"}`
        : `  ${model}: not listed`,
    ),
    ...warnings.map((warning) => `warning: ${warning}`),
  ];
  print(options, summary, lines.join("\n"));
}
