/**
 * Starts one built-in MCP server from the sources, as `switchyard mcp-server <kind>` does, for
 * tests whose hubs start many servers: it loads only the server's own modules, not every command
 * of the CLI, so a server is up in a fraction of the time under tsx. A failure is reported as the
 * CLI reports it (one line on stderr, its exit code).
 */
import { describeFailure } from "../../src/cli/cli-options.js";
import { mcpServerCommand } from "../../src/cli/mcp-server-command.js";

const [command, kind] = process.argv.slice(2);
if (command !== "mcp-server" || kind === undefined) {
  process.stderr.write("usage: mcp-server-entry.ts mcp-server <kind>\n");
  process.exit(2);
}
try {
  await mcpServerCommand(kind, { host: "127.0.0.1" });
} catch (error) {
  const { text, exitCode } = describeFailure(error, process.env);
  if (text) process.stderr.write(`${text}\n`);
  process.exit(exitCode);
}
