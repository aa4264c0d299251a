/**
 * The command line of `switchyard tools`; the MCP hub that starts the servers (tools-command.ts) is
 * loaded when it runs.
 */
import type { Command } from "commander";
import type { ToolsOptions } from "./tools-command.js";

export function registerToolsCommand(program: Command, globalConfig: () => string | undefined): void {
  program
    .command("tools")
    .description("the MCP servers in tools.servers: their state and tools, and which tools are allowed")
    .option("--filter <patterns>", 'what a request limited to these tools gets, e.g. "git.*,fs.read"')
    .option("--json", "print JSON")
    .action(async (options: ToolsOptions) =>
      (await import("./tools-command.js")).toolsCommand({ ...options, config: globalConfig() }),
    );
}
