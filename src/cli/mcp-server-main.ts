/**
 * `switchyard mcp-server <kind>` started on its own by bin/switchyard.js, without loading the rest
 * of the CLI: every workflow run starts its tool servers this way (the fs server, and git for a
 * run on a repository), and most of a full start is spent loading code a tool server never uses
 * (the gateway, the stores, the workflow runtime). The command is the one main.ts registers.
 */
import { Command } from "commander";
import { VERSION } from "../version.js";
import { describeFailure, prepareCommands } from "./cli-options.js";
import { registerMcpServerCommand } from "./mcp-server-register.js";

const program = new Command()
  .name("switchyard")
  .version(VERSION)
  .option("-c, --config <file>", "config file (as the global --config)")
  .enablePositionalOptions();
registerMcpServerCommand(program, () => program.opts<{ config?: string }>().config);
prepareCommands(program, []);

program.parseAsync(process.argv).catch((error: unknown) => {
  const { text, exitCode } = describeFailure(error, process.env);
  if (text) process.stderr.write(`${text}\n`);
  process.exit(exitCode);
});
