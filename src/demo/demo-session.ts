/**
 * One run of `switchyard demo`: the simulated Engine and OpenRouter, an inbox for budget alerts,
 * and the whole Brain — `startRuntime`, `buildGateway` and the workflow runs under /admin/runs,
 * exactly as `switchyard serve` runs them — on a generated config whose ledger lives in the demo's
 * own data directory (`<data dir>/demo`), so demo rows never mix with real ones, beside a sample
 * repository to run the workflows on. The directory's files are cleared at start unless kept.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pino, { type Logger } from "pino";
import type { SwitchyardConfig } from "../config/config-schema.js";
import { userDirs } from "../config/user-dirs.js";
import { type SwitchyardRuntime, startRuntime } from "../core/switchyard-runtime.js";
import { workflowRunsSource } from "../dashboard/workflow-runs-source.js";
import { buildGateway, type Gateway } from "../gateway/gateway-server.js";
import { registerRunsRoutes } from "../gateway/runs-routes.js";
import type { BuiltinLauncher } from "../tools/tool-server-specs.js";
import { RunsService } from "../workflows/runs-service.js";
import { type AlertInbox, type ReceivedAlert, startAlertInbox } from "./demo-alert-inbox.js";
import { demoConfig, demoConfigFileText, typeCheckCommand } from "./demo-config.js";
import { prepareSampleRepository } from "./demo-sample-repository.js";
import { createAnswerWriter, type SimulatedFlaw } from "./simulated-answers.js";
import { type SimulatedOllama, startSimulatedOllama } from "./simulated-ollama.js";
import { type SimulatedOpenRouter, startSimulatedOpenRouter } from "./simulated-openrouter.js";
import { SimulatedTime } from "./simulated-time.js";

/** Not a secret: the simulated OpenRouter's key, written into the demo's config file. */
const SIMULATED_OPENROUTER_KEY = "sk-or-v1-simulated-demo-key";
/** The files a demo run writes; clearing the directory removes these and nothing else. */
const DEMO_FILES = ["ledger.db", "ledger.db-wal", "ledger.db-shm", "model-catalog.json", "switchyard.yaml"];

export interface DemoSessionOptions {
  /** Where the Brain listens; 0 picks a free port. */
  port: number;
  /** How much faster than real time the simulators run. */
  speed: number;
  /** The monthly budget, USD: small, so alerts fire during the tour. */
  budgetUsd: number;
  /** Keep the last run's ledger instead of starting empty. */
  keepData: boolean;
  /** Share of simulated OpenRouter requests answered 429 (seeded); 0 by default. */
  rateLimitShare?: number;
  seed?: number;
  env?: NodeJS.ProcessEnv;
  /** Called for every budget alert the Brain posts. */
  onAlert: (alert: ReceivedAlert) => void;
  /** The Brain's own log; default: warnings and errors to stderr. */
  logger?: Logger;
  /** How workflow runs start the built-in MCP servers (this program, `mcp-server <kind>`). */
  launcher: BuiltinLauncher;
}

export interface DemoSession {
  /** The Brain's origin, e.g. http://127.0.0.1:8788 */
  url: string;
  token: string;
  dataDirectory: string;
  /** The generated config, also written to `<dataDirectory>/switchyard.yaml` for the CLI. */
  configPath: string;
  config: SwitchyardConfig;
  runtime: SwitchyardRuntime;
  gateway: Gateway;
  /** The workflow runs the Brain serves under /admin/runs and on the dashboard. */
  runs: RunsService;
  /** The sample repository to run workflows on; undefined when git is not installed. */
  sampleRepository: string | undefined;
  engine: SimulatedOllama;
  openRouter: SimulatedOpenRouter;
  inbox: AlertInbox;
  time: SimulatedTime;
  /** True when generated code is type-checked (a TypeScript compiler was found). */
  typeChecks: boolean;
  close(): Promise<void>;
}

export function demoDataDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return join(userDirs(env).data, "demo");
}

export async function startDemoSession(options: DemoSessionOptions): Promise<DemoSession> {
  const env = options.env ?? process.env;
  const dataDirectory = demoDataDirectory(env);
  mkdirSync(dataDirectory, { recursive: true });
  if (!options.keepData) for (const file of DEMO_FILES) rmSync(join(dataDirectory, file), { force: true });

  const time = new SimulatedTime(options.speed);
  const typeCheck = typeCheckCommand();
  // The local coder gets the LRU cache wrong on its first try: the tour's escalation. Without a
  // compiler to catch a type error, it rambles past its token limit instead (the structural gate).
  const flaws: SimulatedFlaw[] = [
    {
      model: "qwen2.5-coder:32b",
      program: "lru-cache",
      kind: typeCheck ? "type-error" : "runs-out-of-tokens",
    },
  ];
  const answers = createAnswerWriter({ flaws });
  const started: Array<{ close(): Promise<void> }> = [];
  try {
    const engine = await startSimulatedOllama({ time, answers });
    started.push(engine);
    const openRouter = await startSimulatedOpenRouter({
      time,
      answers,
      apiKey: SIMULATED_OPENROUTER_KEY,
      ...(options.rateLimitShare
        ? { rateLimit: { share: options.rateLimitShare, seed: options.seed ?? 1, retryAfterSeconds: 2 } }
        : {}),
    });
    started.push(openRouter);
    const inbox = await startAlertInbox(options.onAlert);
    started.push(inbox);

    const token = `sy-demo-${randomBytes(12).toString("hex")}`;
    const config = demoConfig({
      port: options.port,
      dataDirectory,
      engineUrl: engine.url,
      openRouterBaseUrl: openRouter.baseUrl,
      openRouterKey: SIMULATED_OPENROUTER_KEY,
      authToken: token,
      alertWebhookUrl: inbox.url,
      monthlyUsd: options.budgetUsd,
      typeCheckCommand: typeCheck,
    });
    const configPath = join(dataDirectory, "switchyard.yaml");
    writeFileSync(
      configPath,
      `# Written by \`switchyard demo\`: the simulators' ports change every run. Read the demo's\n# ledger with: switchyard --config ${configPath} log (or costs, savings)\n${demoConfigFileText(config)}`,
    );
    const sampleRepository = prepareSampleRepository(dataDirectory, options.keepData);
    const logger = options.logger ?? pino({ level: "warn", base: undefined }, pino.destination(2));
    const runtime = await startRuntime(config, { logger, env });
    let runs: RunsService;
    try {
      runs = await RunsService.open({ runtime, launcher: options.launcher, configPath, env });
    } catch (error) {
      await runtime.close();
      throw error;
    }
    const gateway = buildGateway(runtime, { runs: workflowRunsSource(runs) });
    registerRunsRoutes(gateway.app, runs);
    let url: string;
    try {
      url = await gateway.app.listen({ host: config.server.host, port: config.server.port });
    } catch (error) {
      await gateway.app.close().catch(() => {});
      await runs.close();
      await runtime.close();
      throw error;
    }
    return {
      url,
      token,
      dataDirectory,
      configPath,
      config,
      runtime,
      gateway,
      runs,
      sampleRepository,
      engine,
      openRouter,
      inbox,
      time,
      typeChecks: typeCheck !== undefined,
      async close() {
        await gateway.app.close();
        // Runs mid-step stop where they are and stay resumable, as with `serve`.
        await runs.close();
        await runtime.close();
        await Promise.allSettled(started.map((server) => server.close()));
      },
    };
  } catch (error) {
    await Promise.allSettled(started.map((server) => server.close()));
    throw error;
  }
}
