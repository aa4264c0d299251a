#!/usr/bin/env node
/**
 * The `switchyard` command. Each subcommand is a thin shell: parse arguments, call the core,
 * render. Failures print one clear message and exit non-zero, never a stack trace.
 */
import { Command } from "commander";
import { SwitchyardError } from "../errors/switchyard-error.js";
import { VERSION } from "../version.js";
import { CliFailure } from "./cli-context.js";
import { configCheckCommand, configInitCommand, configPrintCommand } from "./config-command.js";
import { logCommand } from "./log-command.js";
import { routeCommand } from "./route-command.js";
import { serveCommand } from "./serve-command.js";

const program = new Command()
  .name("switchyard")
  .description("Send every AI task to the cheapest model that can do it well.")
  .version(VERSION)
  .option(
    "-c, --config <file>",
    "config file (default: $SWITCHYARD_CONFIG, ./switchyard.yaml, the user config dir)",
  );

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
