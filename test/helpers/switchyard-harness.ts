/**
 * Starts a real Switchyard gateway on loopback in front of a fake Ollama and a fake OpenRouter,
 * with its ledger in a fresh SQLite file. Tests talk to it with the official clients.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { parse, stringify } from "yaml";
import { parseConfigText } from "../../src/config/config-load.js";
import type { SwitchyardConfig } from "../../src/config/config-schema.js";
import {
  type RuntimeOptions,
  type SwitchyardRuntime,
  startRuntime,
} from "../../src/core/switchyard-runtime.js";
import { buildGateway, type Gateway, type GatewayOptions } from "../../src/gateway/gateway-server.js";
import type { RequestRecord } from "../../src/store/ledger-store.js";
import { type FakeOllama, startFakeOllama } from "../fakes/fake-ollama.js";
import { type FakeOpenRouter, startFakeOpenRouter } from "../fakes/fake-openrouter.js";

export const TEST_OPENROUTER_KEY = "sk-or-test-0123456789abcdef";

export interface Harness {
  url: string;
  ollama: FakeOllama;
  openRouter: FakeOpenRouter;
  runtime: SwitchyardRuntime;
  gateway: Gateway;
  config: SwitchyardConfig;
  /** Ledger rows, newest first, after flushing the write queue. */
  ledgerRows(): Promise<RequestRecord[]>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** YAML merged over the defaults, after the fake URLs are filled in. */
  configYaml?: string;
  /** Extra config as an object (merged the same way). */
  config?: Record<string, unknown>;
  authTokens?: string[];
  /** Passed to the runtime (clocks, retry delays). */
  runtime?: Pick<RuntimeOptions, "now" | "generationRetryDelaysMs" | "toolLauncher">;
  /** Keep the shipped gates (compilers for code, a local judge for drafting); off by default. */
  shippedGates?: boolean;
  /** Options for the gateway (the dashboard's runs source and clock). */
  gateway?: GatewayOptions;
  /** Called before the gateway listens, to add routes (`/admin/runs`, as `serve` does). */
  beforeListen?: (runtime: SwitchyardRuntime, gateway: Gateway) => Promise<void>;
}

export const quietEngine = {
  warm: false,
  busy_retry: { attempts: 0 },
  health: { poll_interval_ms: 0, failure_threshold: 1_000_000 },
};

/**
 * The shipped gates (compilers for code, a local judge for drafting) each turned off: a door test
 * sees one call per request. A test about gates names its own, which win over these.
 */
export const noDefaultGates: Record<string, { executable?: false; judge?: false }> = Object.fromEntries(
  Object.entries(parseConfigText("", "defaults", {}).gates).map(([task, gates]) => [
    task,
    {
      ...(gates?.executable ? { executable: false } : {}),
      ...(gates?.judge ? { judge: false } : {}),
    },
  ]),
);

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const ollama = await startFakeOllama();
  const openRouter = await startFakeOpenRouter({ apiKey: TEST_OPENROUTER_KEY });
  const directory = mkdtempSync(join(tmpdir(), "switchyard-test-"));
  const base = {
    server: { host: "127.0.0.1", port: 0, auth_tokens: options.authTokens ?? [] },
    backends: {
      // The Engine fleet's background work (warm-up, polls), 503 retries and circuit breaker off,
      // so each test sees only its own traffic and outcomes; test/engines turns them on.
      engine: { base_url: ollama.url, ...quietEngine },
      openrouter: { base_url: openRouter.baseUrl, api_key: TEST_OPENROUTER_KEY },
    },
    database: { url: join(directory, "ledger.db") },
    // Off by default so tests are deterministic; a test that wants them turns them on.
    budget: {
      key_check_interval_minutes: 0,
      catalog: { path: join(directory, "model-catalog.json"), sync_on_start: false },
    },
    logging: { level: "silent" },
    ...(options.shippedGates ? {} : { gates: noDefaultGates }),
    ...options.config,
  };
  const yaml = stringify(mergeDeep(base, parse(options.configYaml ?? "") ?? {}));
  const config = parseConfigText(yaml, "test config", {});
  const runtime = await startRuntime(config, {
    logger: pino({ level: "silent" }),
    env: { SWITCHYARD_HOME: directory },
    ...options.runtime,
  });
  const gateway = buildGateway(runtime, options.gateway);
  await options.beforeListen?.(runtime, gateway);
  const url = await gateway.app.listen({ host: "127.0.0.1", port: 0 });
  return {
    url,
    ollama,
    openRouter,
    runtime,
    gateway,
    config,
    async ledgerRows() {
      await runtime.ledger.flush();
      return runtime.ledger.recent(1000);
    },
    async close() {
      await gateway.app.close();
      await runtime.close();
      await Promise.all([ollama.close(), openRouter.close()]);
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** Objects merge key by key; anything else from `override` wins (as the config loader merges). */
export function mergeDeep(base: unknown, override: unknown): unknown {
  const isObject = (value: unknown): value is Record<string, unknown> =>
    typeof value === "object" && value !== null && !Array.isArray(value);
  if (!isObject(base) || !isObject(override)) return override === undefined ? base : override;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) merged[key] = mergeDeep(base[key], value);
  return merged;
}
