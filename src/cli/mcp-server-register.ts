/**
 * The command line of `switchyard mcp-server <kind>`, registered by main.ts and by the lean entry
 * mcp-server-main.ts alike; the tool servers and the MCP SDK (mcp-server-command.ts) are loaded
 * when it runs.
 */
import type { Command } from "commander";
import { BUILTIN_SERVER_KINDS } from "../config/builtin-tools.js";
import type { McpServerOptions } from "./mcp-server-command.js";

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerMcpServerCommand(program: Command, globalConfig: () => string | undefined): void {
  program
    .command("mcp-server <kind>")
    .description(
      `run a built-in MCP tool server (${BUILTIN_SERVER_KINDS.join(", ")}) over stdio, or HTTP with --http`,
    )
    .option("--server <name>", "take settings from tools.servers.<name> in the config")
    .option("--root <dir>", "fs: a directory the tools may use (repeatable)", collect)
    .option("--repo <[name=]dir>", "git: a repository (repeatable)", collect)
    .option("--database <name=path-or-url>", "db: a SQLite file or postgres:// URL (repeatable)", collect)
    .option("--writes", "fs and git: offer the tools that write")
    .option(
      "--http [port]",
      "serve Streamable HTTP at http://<host>:<port>/mcp instead of stdio (port 0: any)",
    )
    .option("--host <host>", "with --http: a loopback address", "127.0.0.1")
    .action(async (kind: string, options: McpServerOptions) =>
      (await import("./mcp-server-command.js")).mcpServerCommand(kind, {
        ...options,
        config: globalConfig(),
      }),
    );
}
