/**
 * Everything a running Switchyard holds, wired once from a config: back ends, router, ledger and
 * dispatcher. The gateway, the CLI and tests build one of these and call through it, so every
 * entry point shares the same route → dispatch → ledger path.
 */
import { join } from "node:path";
import pino, { type Logger } from "pino";
import type { Backend } from "../backends/backend.js";
import { createBackend } from "../backends/backend-registry.js";
import type { SwitchyardConfig } from "../config/config-schema.js";
import { userDirs } from "../config/user-dirs.js";
import { ChatDispatcher } from "../dispatch/chat-dispatcher.js";
import { TaskRouter } from "../routing/task-router.js";
import type { LedgerStore } from "../store/ledger-store.js";
import { SqliteLedger } from "../store/sqlite-ledger.js";
import { VERSION } from "../version.js";

export interface SwitchyardRuntime {
  version: string;
  config: SwitchyardConfig;
  logger: Logger;
  backends: Map<string, Backend>;
  router: TaskRouter;
  ledger: LedgerStore;
  dispatcher: ChatDispatcher;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  logger?: Logger;
  /** Overrides where the ledger lives (tests). */
  ledger?: LedgerStore;
  env?: NodeJS.ProcessEnv;
}

export function ledgerPath(config: SwitchyardConfig, env: NodeJS.ProcessEnv = process.env): string {
  return config.ledger.path || join(userDirs(env).data, "ledger.db");
}

export function createRuntime(config: SwitchyardConfig, options: RuntimeOptions = {}): SwitchyardRuntime {
  const logger = options.logger ?? pino({ level: config.logging.level, base: undefined });
  const backends = new Map<string, Backend>();
  for (const [id, backendConfig] of Object.entries(config.backends))
    backends.set(id, createBackend(id, backendConfig));
  const ledger = options.ledger ?? new SqliteLedger(ledgerPath(config, options.env));
  const router = new TaskRouter(config);
  const dispatcher = new ChatDispatcher({ config, backends, ledger });
  return {
    version: VERSION,
    config,
    logger,
    backends,
    router,
    ledger,
    dispatcher,
    async close() {
      await Promise.allSettled([...backends.values()].map((backend) => backend.close()));
      await ledger.close();
    },
  };
}
