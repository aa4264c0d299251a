#!/usr/bin/env node
/**
 * The `switchyard` command. Each subcommand is a thin shell: parse arguments, call the core,
 * render. Every command takes `-c, --config` before or after it; failures print one line that
 * says what to do (exit 2 for a usage error, 1 for a failure), never a stack trace.
 */
import { Command } from "commander";
import { VERSION } from "../version.js";
import { askCommand } from "./ask-command.js";
import { costsCommand, modelsSyncCommand, savingsCommand, statusCommand } from "./budget-commands.js";
import { calibrateCommand } from "./calibrate-command.js";
import { claudeCommand, envClaudeCommand } from "./claude-command.js";
import { describeFailure, portNumber, prepareCommands } from "./cli-options.js";
import { configCheckCommand, configInitCommand, configPrintCommand } from "./config-command.js";
import { registerDoctorCommand } from "./doctor-command.js";
import { registerEngineCommands } from "./engine-commands.js";
import { registerEvalCommand } from "./eval-command.js";
import { logCommand } from "./log-command.js";
import { registerMcpCommand } from "./mcp-command.js";
import { registerMcpServerCommand } from "./mcp-server-command.js";
import { routeCommand } from "./route-command.js";
import { registerRunCommands } from "./run-commands.js";
import { serveCommand } from "./serve-command.js";
import { registerSetupCommands } from "./setup-command.js";
import { registerCompletionCommand } from "./shell-completion.js";
import { statuslineCommand } from "./statusline-command.js";
import { registerToolsCommand } from "./tools-command.js";

const program = new Command()
  .name("switchyard")
  .description("Send every AI task to the cheapest model that can do it well.")
  .version(VERSION)
  .option(
    "-c, --config <file>",
    "config file (default: $SWITCHYARD_CONFIG, ./switchyard.yaml, the user config dir)",
  )
  .enablePositionalOptions();

const globalConfig = () => program.opts<{ config?: string }>().config;

/** Client commands read a named Brain's admin API instead of this machine's database. */
const BRAIN_URL_HELP =
  "ask this Brain (default: $SWITCHYARD_URL, else the client config, else the local database)";

program
  .command("serve")
  .description("run the gateway (the Brain's main job)")
  .option("--host <host>", "listen address (overrides server.host)")
  .option("--port <port>", "listen port (overrides server.port)", portNumber)
  .action((options: { host?: string; port?: number }) =>
    serveCommand({ ...options, config: globalConfig() }),
  );

program
  .command("demo")
  .description("try Switchyard with no Engine and no key: the Brain on simulated back ends, a guided tour")
  .option("--port <port>", "where the demo Brain listens (0: any free port)", "8788")
  .option("--speed <n>", "how much faster than real time the simulated models run (1: real time)", "10")
  .option(
    "--budget <usd>",
    "the demo's monthly budget in USD (default 0.04 with the tour, so an alert fires; 5 without)",
  )
  .option("--rate-limit <share>", "share of simulated OpenRouter requests answered 429 (seeded)", "0")
  .option("--seed <n>", "seed for the simulated rate limits", "1")
  .option("--no-tour", "skip the tour: start the demo Brain and wait")
  .option("--keep-data", "keep the last demo run's ledger instead of starting empty")
  // Loaded on use: the simulators and the tour are no part of any other command's start-up.
  .action(async (options) => (await import("./demo-command.js")).demoCommand(options));

const config = program.command("config").description("check, print or start a config file");
config
  .command("check [file]")
  .description("validate a config file")
  .action((file: string | undefined) => configCheckCommand(file, { config: globalConfig() }));
config
  .command("print")
  .description("show the effective config, secrets redacted")
  .action(() => configPrintCommand({ config: globalConfig() }));
config
  .command("init")
  .description("print the default config, to start a switchyard.yaml")
  .action(configInitCommand);

program
  .command("route <prompt...>")
  .description("show how a prompt would be routed: task kind, tier, alias, model and the signals")
  .option("--json", "print the decision as JSON")
  .option("--model <model>", "the model the request would name", "switchyard/auto")
  .option("--task <task>", "as if the x-switchyard-task header were set")
  .option("--system <text>", "a system prompt to classify with")
  .action((words: string[], options) => routeCommand(words, { ...options, config: globalConfig() }));

program
  .command("log")
  .description("show the most recent requests from the ledger")
  .option("-n, --limit <count>", "how many rows", "20")
  .option("--json", "one JSON object per line")
  .option("--url <url>", BRAIN_URL_HELP)
  .action((options) => logCommand({ ...options, config: globalConfig() }));

const claude = program
  .command("claude")
  .description("start Claude Code against the Brain; every other argument goes to Claude Code")
  .argument("[args...]", 'arguments for Claude Code, e.g. -p "explain this repo"')
  .option("--url <url>", "the Brain (default: $SWITCHYARD_URL, else server.host:server.port)")
  .option("--config <file>", "config file (before Claude Code's arguments; -c is Claude Code's own)")
  .helpOption(false)
  .allowUnknownOption()
  .passThroughOptions()
  .action((args: string[], options: { url?: string }) =>
    claudeCommand(args, { ...options, config: globalConfig() }),
  );

program
  .command("env")
  .description("print environment variables for a tool")
  .command("claude")
  .description('export lines that point Claude Code at the Brain: eval "$(switchyard env claude)"')
  .option("--url <url>", "the Brain (default: $SWITCHYARD_URL, else server.host:server.port)")
  .action((options: { url?: string }) => envClaudeCommand({ ...options, config: globalConfig() }));

program
  .command("costs")
  .description("spend this budget period: by alias, tier, task and day, with a month-end forecast")
  .option("--json", "print the report as JSON")
  .option("--url <url>", BRAIN_URL_HELP)
  .action((options: { json?: boolean; url?: string }) =>
    costsCommand({ ...options, config: globalConfig() }),
  );

program
  .command("savings")
  .description("what this traffic would have cost on all-Sonnet or all-Opus, against the subscription")
  .option("--json", "print the report as JSON")
  .option("--url <url>", BRAIN_URL_HELP)
  .action((options: { json?: boolean; url?: string }) =>
    savingsCommand({ ...options, config: globalConfig() }),
  );

program
  .command("status")
  .description("where each budget stands, the alerts fired this period, and the Engines")
  .option("--json", "print the status as JSON")
  .option("--url <url>", BRAIN_URL_HELP)
  .action((options: { json?: boolean; url?: string }) =>
    statusCommand({ ...options, config: globalConfig() }),
  );

program
  .command("calibrate")
  .description("pass rates and escalation per task and alias from the ledger, and where tasks should start")
  .option("--days <n>", "how many days of the ledger to read (default: escalation.calibration.days, 30)")
  .option("--json", "print the report as JSON")
  .option("--apply", "write the recommended task moves into the config file (shows the diff, asks first)")
  .option("--yes", "with --apply: write without asking")
  .action((options: { days?: string; json?: boolean; apply?: boolean; yes?: boolean }) =>
    calibrateCommand({ ...options, config: globalConfig() }),
  );

registerEngineCommands(program, globalConfig);
registerDoctorCommand(program, globalConfig);
registerMcpServerCommand(program, globalConfig);
registerMcpCommand(program, globalConfig);
registerToolsCommand(program, globalConfig);
registerEvalCommand(program, globalConfig);
registerRunCommands(program, globalConfig);

const models = program.command("models").description("the price catalog");
models
  .command("sync")
  .description("fetch prices and context lengths from OpenRouter and cache them")
  .option("--json", "print the result as JSON")
  .action((options: { json?: boolean }) => modelsSyncCommand({ ...options, config: globalConfig() }));

program
  .command("ask")
  .description("ask the Brain; the answer streams, then task, tier, model, tokens, cost and time")
  .argument("<prompt...>", "the question")
  .option("--task <task>", "run it as this task kind (default: the Brain classifies it)")
  .option("--model <model>", "the model field to send instead, e.g. cloud-opus or switchyard/tier1")
  .option(
    "-f, --file <path>",
    "attach a file's contents as a fenced block (repeat for more; - reads stdin)",
    (path: string, paths: string[]) => [...paths, path],
    [] as string[],
  )
  .option(
    "--url <url>",
    "the Brain (default: $SWITCHYARD_URL, else the client config, else server.host:server.port)",
  )
  .option("--connect-timeout <seconds>", "give up on a Brain that does not take the connection", "5")
  .action((words: string[], options) => askCommand(words, { ...options, config: globalConfig() }));

program
  .command("statusline")
  .description("one line for Claude Code's status line: tier, model and this session's cost, from the Brain")
  .option(
    "--url <url>",
    "the Brain (default: $SWITCHYARD_URL, the client config, ANTHROPIC_BASE_URL, the config)",
  )
  .action((options: { url?: string }) => statuslineCommand({ ...options, config: globalConfig() }));

registerSetupCommands(program, globalConfig);
registerCompletionCommand(program);
prepareCommands(program, [claude]);

program.parseAsync(process.argv).catch((error: unknown) => {
  const { text, exitCode } = describeFailure(error, process.env);
  if (text) process.stderr.write(`${text}\n`);
  process.exit(exitCode);
});
