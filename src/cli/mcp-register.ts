/**
 * The command line of `switchyard mcp`; the MCP server and the runtime or Brain client behind it
 * (mcp-command.ts) are loaded when it runs.
 */
import type { Command } from "commander";
import type { McpCommandOptions } from "./mcp-command.js";

export function registerMcpCommand(program: Command, globalConfig: () => string | undefined): void {
  program
    .command("mcp")
    .description(
      "serve Switchyard's tools (ask, route, costs, budget_status, engine_status) to an MCP client over stdio",
    )
    .option(
      "--url <url>",
      "the Brain to call (default: $SWITCHYARD_URL, else the client config, else run the tools in this process)",
    )
    .option(
      "--token <token>",
      "the Brain's bearer token (default: $SWITCHYARD_TOKEN, the client config's, else server.auth_tokens)",
    )
    .action(async (options: McpCommandOptions) =>
      (await import("./mcp-command.js")).mcpCommand({ ...options, config: globalConfig() }),
    );
}
