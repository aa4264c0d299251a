/**
 * The demo's own configuration: the reference setup (the four aliases, the 15-task table, the
 * ladder), with the Engine and OpenRouter replaced by the simulators under back-end ids that say
 * so (`simulated-engine`, `simulated-openrouter` — the ledger's `backend` column), the ledger and
 * price cache in the demo's data directory, one auth token, a small monthly budget whose alerts go
 * to the demo's inbox, and — when a TypeScript compiler is at hand — a type check on generated
 * code, so a bad answer can be caught and escalated. Built from the defaults rather than merged
 * over them: the default back ends must not exist here at all, or the Brain would try to reach a
 * real Engine and the real OpenRouter.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { DEFAULT_CONFIG_YAML } from "../config/config-defaults.js";
import { configSchema, type SwitchyardConfig } from "../config/config-schema.js";

export const SIMULATED_ENGINE_ID = "simulated-engine";
export const SIMULATED_OPENROUTER_ID = "simulated-openrouter";

export interface DemoConfigOptions {
  port: number;
  dataDirectory: string;
  engineUrl: string;
  openRouterBaseUrl: string;
  openRouterKey: string;
  authToken: string;
  /** Where budget alerts are posted (the demo's inbox). */
  alertWebhookUrl: string;
  monthlyUsd: number;
  /** A shell command that type-checks the answer's TypeScript; undefined: no executable gate. */
  typeCheckCommand: string | undefined;
}

export function demoConfig(options: DemoConfigOptions): SwitchyardConfig {
  const defaults = parse(DEFAULT_CONFIG_YAML) as Record<string, Record<string, unknown>>;
  const aliases = defaults.aliases as Record<string, Record<string, unknown>>;
  for (const alias of Object.values(aliases)) {
    alias.backend = alias.backend === "engine" ? SIMULATED_ENGINE_ID : SIMULATED_OPENROUTER_ID;
  }
  const config = {
    ...defaults,
    server: {
      host: "127.0.0.1",
      port: options.port,
      auth_tokens: [options.authToken],
      shutdown_grace_seconds: 5,
    },
    backends: {
      [SIMULATED_ENGINE_ID]: {
        type: "ollama",
        base_url: options.engineUrl,
        slots: 4,
        max_loaded_models: 2,
        memory_gb: 64,
        warm: true,
      },
      [SIMULATED_OPENROUTER_ID]: {
        type: "openai-compatible",
        flavor: "openrouter",
        base_url: options.openRouterBaseUrl,
        api_key: options.openRouterKey,
        headers: { "X-Title": "Switchyard demo (simulated)" },
      },
    },
    aliases,
    budget: {
      ...defaults.budget,
      monthly_usd: options.monthlyUsd,
      // The monthly total is the one budget of the demo: alerts name it alone.
      aliases: {},
      alert_thresholds: [50, 80, 100],
      alerts: { log: false, webhooks: [{ url: options.alertWebhookUrl, format: "json" }] },
      catalog: {
        path: join(options.dataDirectory, "model-catalog.json"),
        max_age_hours: 24,
        sync_on_start: true,
      },
    },
    gates: options.typeCheckCommand
      ? { "code-generation": { executable: { commands: [options.typeCheckCommand], timeout_ms: 60_000 } } }
      : {},
    // The tour leaves little of its small budget: a workflow's paid steps then run on the Engine
    // (marked downgraded) rather than pause the run until the cap is raised.
    workflows: { ...defaults.workflows, on_budget_exhausted: "downgrade" },
    database: { url: join(options.dataDirectory, "ledger.db") },
    logging: { level: "warn" },
  };
  const result = configSchema.safeParse(config);
  if (!result.success) {
    // The demo builds this itself: a failure here is a bug in the demo, not the user's to fix.
    throw new Error(`The demo's generated config is invalid: ${result.error.message}`);
  }
  return result.data;
}

/**
 * The config as the demo writes it for the CLI (`switchyard --config … run feature`). The CLI
 * merges a file over the built-in defaults, whose `engine` and `openrouter` back ends would come
 * back: a command run with the demo's file would poll a real Engine and check a real OpenRouter
 * key. So the file names them too, pointed at the simulators and idle (no alias routes to them).
 */
export function demoConfigFileText(config: SwitchyardConfig): string {
  const engine = config.backends[SIMULATED_ENGINE_ID];
  const openRouter = config.backends[SIMULATED_OPENROUTER_ID];
  const defaultsAsSimulators = {
    engine: {
      base_url: engine?.base_url,
      warm: false,
      health: { poll_interval_ms: 0 },
    },
    openrouter: {
      base_url: openRouter?.base_url,
      api_key: openRouter?.type === "openai-compatible" ? openRouter.api_key : "",
    },
  };
  return stringify({ ...config, backends: { ...defaultsAsSimulators, ...config.backends } });
}

/**
 * `tsc --noEmit --strict` on every `.ts` file of the answer, wherever it lies (ES2022, no DOM: half
 * the time of the default libraries), and nothing when it has none (JavaScript for a JavaScript
 * repository), run with this Node and the TypeScript this installation carries (a development
 * dependency: present in a clone, absent from a global install, where the demo escalates on a
 * cut-off answer instead).
 */
export function typeCheckCommand(): string | undefined {
  let compiler: string;
  try {
    compiler = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  } catch {
    return undefined;
  }
  const check = `${shellQuote(process.execPath)} ${shellQuote(compiler)} --noEmit --strict --skipLibCheck --target es2022 --lib es2022`;
  return `files=$(find . -name '*.ts' ! -name '*.d.ts' | sed 's|^./||' | sort); [ -z "$files" ] || ${check} $files`;
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
