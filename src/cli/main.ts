#!/usr/bin/env node
/**
 * The `switchyard` command. Each subcommand is a thin shell: parse arguments, call the core,
 * render. Every command takes `-c, --config` before or after it; failures print one line that
 * says what to do (exit 2 for a usage error, 1 for a failure), never a stack trace.
 *
 * The `*-register.ts` modules define the commands (names, options, help) and load nothing heavy;
 * each command's implementation is imported when its action runs, so `--help`, `--version` and
 * the everyday commands do not pay for the gateway, the stores or the workflow runtime
 * (test/cli/cli-module-loads.test.ts checks what they load).
 */
import { Command } from "commander";
import { VERSION } from "../version.js";
import { registerAskCommand } from "./ask-register.js";
import { registerModelsCommands, registerReportCommands } from "./budget-register.js";
import { registerCalibrateCommand } from "./calibrate-register.js";
import { registerClaudeCommands } from "./claude-register.js";
import { describeFailure, prepareCommands } from "./cli-options.js";
import { registerConfigCommands } from "./config-register.js";
import { registerDoctorCommand } from "./doctor-register.js";
import { registerEngineCommands } from "./engine-register.js";
import { registerEvalCommand } from "./eval-register.js";
import { registerLogCommand } from "./log-register.js";
import { registerMcpCommand } from "./mcp-register.js";
import { registerMcpServerCommand } from "./mcp-server-register.js";
import { registerRouteCommand } from "./route-register.js";
import { registerRunCommands } from "./run-register.js";
import { registerDemoCommand, registerServeCommand } from "./serve-register.js";
import { registerSetupCommands } from "./setup-register.js";
import { registerCompletionCommand } from "./shell-completion.js";
import { registerStatuslineCommand } from "./statusline-register.js";
import { registerToolsCommand } from "./tools-register.js";

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

// In the order `--help` lists them.
registerServeCommand(program, globalConfig);
registerDemoCommand(program);
registerConfigCommands(program, globalConfig);
registerRouteCommand(program, globalConfig);
registerLogCommand(program, globalConfig);
const claude = registerClaudeCommands(program, globalConfig);
registerReportCommands(program, globalConfig);
registerCalibrateCommand(program, globalConfig);
registerEngineCommands(program, globalConfig);
registerDoctorCommand(program, globalConfig);
registerMcpServerCommand(program, globalConfig);
registerMcpCommand(program, globalConfig);
registerToolsCommand(program, globalConfig);
registerEvalCommand(program, globalConfig);
registerRunCommands(program, globalConfig);
registerModelsCommands(program, globalConfig);
registerAskCommand(program, globalConfig);
registerStatuslineCommand(program, globalConfig);
registerSetupCommands(program, globalConfig);
registerCompletionCommand(program);
prepareCommands(program, [claude]);

program.parseAsync(process.argv).catch((error: unknown) => {
  const { text, exitCode } = describeFailure(error, process.env);
  if (text) process.stderr.write(`${text}\n`);
  process.exit(exitCode);
});
