#!/usr/bin/env node
/**
 * The `switchyard` command. Each subcommand is a thin shell: parse arguments, call the core,
 * render. Failures print one clear message and exit non-zero, never a stack trace.
 */
import { Command } from "commander";
import { SwitchyardError } from "../errors/switchyard-error.js";
import { VERSION } from "../version.js";
import { costsCommand, modelsSyncCommand, savingsCommand, statusCommand } from "./budget-commands.js";
import { calibrateCommand } from "./calibrate-command.js";
import { acceptConfigOptionAfterSubcommands, claudeCommand, envClaudeCommand } from "./claude-command.js";
import { CliFailure } from "./cli-context.js";
import { configCheckCommand, configInitCommand, configPrintCommand } from "./config-command.js";
import { registerDoctorCommand } from "./doctor-command.js";
import { registerEngineCommands } from "./engine-commands.js";
import { logCommand } from "./log-command.js";
import { registerMcpServerCommand } from "./mcp-server-command.js";
import { routeCommand } from "./route-command.js";
import { registerRunCommands } from "./run-commands.js";
import { serveCommand } from "./serve-command.js";
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

program
  .command("serve")
  .description("run the gateway (the Brain's main job)")
  .option("--host <host>", "listen address (overrides server.host)")
  .option("--port <port>", "listen port (overrides server.port)")
  .action((options: { host?: string; port?: string }) =>
    serveCommand({ ...options, config: globalConfig() }),
  );

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
  .action((options) => logCommand({ ...options, config: globalConfig() }));

const claude = program
  .command("claude")
  .description("start Claude Code against the Brain; every other argument goes to Claude Code")
  .argument("[args...]", 'arguments for Claude Code, e.g. -p "explain this repo"')
  .option("--url <url>", "the Brain (default: $SWITCHYARD_URL, else server.host:server.port)")
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

acceptConfigOptionAfterSubcommands(program, [claude]);

program
  .command("costs")
  .description("spend this budget period: by alias, tier, task and day, with a month-end forecast")
  .option("--json", "print the report as JSON")
  .action((options: { json?: boolean }) => costsCommand({ ...options, config: globalConfig() }));

program
  .command("savings")
  .description("what this traffic would have cost on all-Sonnet or all-Opus, against the subscription")
  .option("--json", "print the report as JSON")
  .action((options: { json?: boolean }) => savingsCommand({ ...options, config: globalConfig() }));

program
  .command("status")
  .description("where each budget stands, the alerts fired this period, and the Engines")
  .option("--json", "print the status as JSON")
  .option(
    "--url <url>",
    "the Brain, for live Engine figures (default: $SWITCHYARD_URL, else server.host:server.port)",
  )
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
registerToolsCommand(program, globalConfig);
registerRunCommands(program, globalConfig);

const models = program.command("models").description("the price catalog");
models
  .command("sync")
  .description("fetch prices and context lengths from OpenRouter and cache them")
  .option("--json", "print the result as JSON")
  .action((options: { json?: boolean }) => modelsSyncCommand({ ...options, config: globalConfig() }));

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CliFailure) {
    process.stderr.write(`${error.message}\n`);
    process.exit(error.exitCode);
  }
  if (error instanceof SwitchyardError) {
    process.stderr.write(`switchyard: ${error.message}\n`);
    process.exit(1);
  }
  process.stderr.write(
    `switchyard: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
