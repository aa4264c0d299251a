/**
 * Everything a running Switchyard holds, wired once from a config: back ends, router, ledger,
 * budget guard, price catalog and dispatcher. The gateway, the CLI and tests start one of these and
 * call through it, so every entry point shares the same route → budget → dispatch → ledger path.
 */
import pino, { type Logger } from "pino";
import type { Backend } from "../backends/backend.js";
import { createBackend } from "../backends/backend-registry.js";
import {
  fetchGeneration,
  openRouterApi,
  openRouterApis,
} from "../backends/openai-compatible/openrouter-api.js";
import { BlockReservations } from "../budget/block-reservations.js";
import { type AlertSink, logAlertSink } from "../budget/budget-alerts.js";
import { BudgetGuard } from "../budget/budget-guard.js";
import { budgetOptions } from "../budget/budget-options.js";
import { catalogPath, isCatalogStale, loadCatalog, syncCatalog } from "../budget/catalog-sync.js";
import { KeyGuard } from "../budget/key-guard.js";
import { type ModelCatalog, unknownConfiguredModels } from "../budget/model-catalog.js";
import { webhookAlertSink } from "../budget/webhook-alert-sink.js";
import type { SwitchyardConfig } from "../config/config-schema.js";
import { AttemptDispatcher } from "../dispatch/attempt-dispatcher.js";
import { EngineFleet } from "../engines/engine-fleet.js";
import { engineSpecs } from "../engines/engine-spec.js";
import { RoutePlanner } from "../routing/route-planner.js";
import type { LedgerStore } from "../store/ledger-store.js";
import { databaseLocation, openStores, type Stores } from "../store/open-stores.js";
import { newRequestId } from "../store/request-id.js";
import { McpToolHub } from "../tools/mcp-tool-hub.js";
import type { ToolHub } from "../tools/tool-hub.js";
import type { BuiltinLauncher } from "../tools/tool-server-specs.js";
import { VERSION } from "../version.js";
import { Switchyard } from "./switchyard.js";

export interface SwitchyardRuntime {
  version: string;
  config: SwitchyardConfig;
  logger: Logger;
  backends: Map<string, Backend>;
  /** The one request path: every door calls `switchyard.chat`. */
  switchyard: Switchyard;
  /** The MCP servers agent loops may call; undefined with none configured. */
  tools?: ToolHub | undefined;
  ledger: LedgerStore;
  stores: Stores;
  budget: BudgetGuard;
  keyGuard: KeyGuard | undefined;
  /** The price list in use; `models sync` and the start-up sync replace it. */
  catalog(): ModelCatalog;
  /** Fetches prices from OpenRouter now, saves them and uses them from the next request on. */
  syncCatalog(): Promise<ModelCatalog>;
  /** The Ollama back ends as a fleet (slots, health, warm models); undefined with none configured. */
  engines?: EngineFleet | undefined;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
  /**
   * Back ends to use instead of building them from the config, by back-end id (tests drive the
   * spine with in-memory back ends this way). Ids the config has and this map lacks are built.
   */
  backends?: ReadonlyMap<string, Backend>;
  /** The clock for throttled warnings and the Opus share's window; default Date.now. */
  now?: () => number;
  /** Waits before each look-up of a cut-short answer's billed cost (tests shorten them). */
  generationRetryDelaysMs?: readonly number[];
  /**
   * How to run this program to start a built-in MCP server (`… mcp-server git`); default: this
   * process's own node, flags and script. Tests that run from the sources pass theirs.
   */
  toolLauncher?: BuiltinLauncher;
}

export async function startRuntime(
  config: SwitchyardConfig,
  options: RuntimeOptions = {},
): Promise<SwitchyardRuntime> {
  const env = options.env ?? process.env;
  const logger = options.logger ?? pino({ level: config.logging.level, base: undefined });
  const logError = (context: string) => (error: unknown) => logger.warn({ err: error }, context);

  const stores = await openStores(databaseLocation(config, env), {
    onError: logError("ledger write failed"),
  });
  const api = openRouterApi(config);
  const cachePath = catalogPath(config, env);
  const maxAgeMs = config.budget.catalog.max_age_hours * 3_600_000;
  // Start on the cached (or built-in) prices at once; a stale cache is refreshed in the background.
  let catalog = (await loadCatalog({ cachePath, allowSync: false, maxAgeMs })).catalog;

  const keyGuard =
    api?.apiKey && config.budget.key_check_interval_minutes > 0
      ? new KeyGuard({
          api,
          intervalMs: config.budget.key_check_interval_minutes * 60_000,
          onError: logError("OpenRouter key check failed"),
        })
      : undefined;
  const alertSinks: AlertSink[] = [
    ...(config.budget.alerts.log ? [logAlertSink(logger)] : []),
    ...config.budget.alerts.webhooks.map((webhook) => webhookAlertSink(webhook)),
  ];
  // The server reserves in blocks; the report commands below read the store as it is.
  const budgetStore =
    config.budget.reservation_block_percent > 0
      ? new BlockReservations(stores.budget, {
          blockPercent: config.budget.reservation_block_percent,
          onError: logError("budget: booking settled spend failed (retried)"),
        })
      : stores.budget;
  const budget = new BudgetGuard({
    store: budgetStore,
    catalog: () => catalog,
    budget: budgetOptions(config),
    alertSinks,
    ...(keyGuard ? { keyGuard } : {}),
    onError: (error, context) => logger.warn({ err: error }, `budget: ${context}`),
  });
  const cleared = await budget.start();
  if (cleared > 0)
    logger.warn(
      `released ${cleared} budget reservation${cleared === 1 ? "" : "s"} left by a process that died`,
    );

  const backends = new Map<string, Backend>();
  for (const [id, backendConfig] of Object.entries(config.backends))
    backends.set(id, options.backends?.get(id) ?? createBackend(id, backendConfig));
  const paidModels = Object.values(config.aliases)
    .filter((alias) => config.backends[alias.backend]?.type === "openai-compatible")
    .map((alias) => alias.model);

  const refreshCatalog = async () => {
    catalog = await syncCatalog({ cachePath, ...(api ? { api } : {}) });
    for (const warning of unknownConfiguredModels(catalog, paidModels)) logger.warn(warning);
    return catalog;
  };
  const background: Array<Promise<unknown>> = [];
  if (keyGuard) background.push(keyGuard.start().catch(logError("OpenRouter key check failed")));
  if (api && config.budget.catalog.sync_on_start && isCatalogStale(catalog, Date.now(), maxAgeMs)) {
    background.push(
      refreshCatalog().catch((error: unknown) =>
        logger.warn(
          `Could not refresh model prices from OpenRouter (${(error as Error).message}); using ${catalog.source} prices`,
        ),
      ),
    );
  } else {
    for (const warning of unknownConfiguredModels(catalog, paidModels)) logger.warn(warning);
  }

  const specs = engineSpecs(config);
  const engines = specs.length > 0 ? new EngineFleet({ specs, backends, logger }) : undefined;
  // Warm-up and the first inventory reading run in the background; requests flow meanwhile.
  if (engines) background.push(engines.start());

  const now = options.now;
  const accounts = openRouterApis(config);
  let switchyard: Switchyard | undefined;
  const dispatcher = new AttemptDispatcher({
    config,
    backends,
    budget,
    admission: engines,
    logger,
    now,
    generations: {
      supports: (backendId) => accounts.has(backendId),
      lookup: (backendId, responseId) => fetchGeneration(accounts.get(backendId)!, responseId),
    },
    generationRetryDelaysMs: options.generationRetryDelaysMs,
    onCostCorrected: (attempt) => switchyard?.correct(attempt),
  });
  const tools =
    Object.keys(config.tools.servers).length > 0
      ? new McpToolHub({
          config: config.tools,
          launcher: options.toolLauncher ?? {
            command: process.execPath,
            args: [...process.execArgv, process.argv[1] ?? ""],
          },
          // One audit row per call, linked to the attempt that asked; never the arguments.
          audit: (record) =>
            stores.ledger.recordToolCall({
              id: newRequestId(),
              requestId: record.requestId ?? "",
              startedAt: Date.now() - record.durationMs,
              server: record.server,
              tool: record.tool,
              argumentsDigest: record.argumentsDigest,
              durationMs: record.durationMs,
              resultBytes: record.resultBytes,
              isError: record.isError,
              failure: record.error?.failure ?? null,
              errorMessage: record.error?.message.slice(0, 500) ?? null,
            }),
          onServerState: (server, state) => logger.info({ server, state }, "MCP server"),
        })
      : undefined;
  switchyard = new Switchyard({
    config,
    tools,
    planner: new RoutePlanner(config, { logger, ...(now ? { now } : {}) }),
    dispatcher,
    ledger: stores.ledger,
    logger,
    ...(now ? { now } : {}),
  });
  await switchyard.start();
  return {
    version: VERSION,
    config,
    logger,
    backends,
    switchyard,
    tools,
    ledger: stores.ledger,
    stores,
    budget,
    keyGuard,
    catalog: () => catalog,
    syncCatalog: refreshCatalog,
    engines,
    async close() {
      keyGuard?.stop();
      engines?.stop();
      // Requests cut off by a forced shutdown unwind (abort upstream, write their row) first.
      if (!(await switchyard.drained(5_000))) {
        logger.warn(
          `${switchyard.inFlight} requests had not ended 5 s after the server closed; closing anyway`,
        );
      }
      await tools?.close();
      // Answers cut short and still waiting for the provider's figure settle on their estimates.
      await dispatcher.close();
      await switchyard.idle();
      await Promise.allSettled(background);
      await Promise.allSettled([...backends.values()].map((backend) => backend.close()));
      await budget.close();
      await stores.close();
    },
  };
}
