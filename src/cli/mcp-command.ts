/**
 * `switchyard mcp`: Switchyard itself as an MCP server over stdio, for Claude Code and IDEs —
 * `claude mcp add switchyard -- switchyard mcp --url http://brain:8787`. With a Brain (`--url`,
 * SWITCHYARD_URL or the client config, as for every client command) the tools call its HTTP API
 * with the token from `--token`, else as the other client commands find it; without one they run
 * in this process on the local config (a single machine: its own ledger, budgets and back ends).
 * Stdout carries the protocol only; logs go to stderr.
 */
import { startRuntime } from "../core/switchyard-runtime.js";
import { localSwitchyardService } from "../mcp/mcp-local-service.js";
import { remoteSwitchyardService } from "../mcp/mcp-remote-service.js";
import { switchyardToolSet } from "../mcp/mcp-tools.js";
import type { SwitchyardService } from "../mcp/switchyard-service.js";
import { serveToolsOverStdio } from "../tools/servers/tool-server-serve.js";
import { namedBrainFor } from "./brain-client.js";
import { loadCliConfig } from "./cli-context.js";
import { cliLogger } from "./cli-logger.js";

export interface McpCommandOptions {
  config?: string | undefined;
  url?: string | undefined;
  token?: string | undefined;
}

export async function mcpCommand(options: McpCommandOptions): Promise<void> {
  const service = await serviceFor(options);
  const onError = (error: Error) => process.stderr.write(`switchyard mcp: ${error.message}\n`);
  const running = serveToolsOverStdio(switchyardToolSet(service), { onError });
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => void running.close());
  await running.closed;
  process.exit(0);
}

async function serviceFor(options: McpCommandOptions): Promise<SwitchyardService> {
  const brain = namedBrainFor(options);
  if (brain) return remoteSwitchyardService({ url: brain.url, token: options.token || brain.token });
  const loaded = loadCliConfig(options.config);
  // Stdout is the protocol channel: every log line goes to stderr.
  const logger = cliLogger(loaded.config.logging.level);
  const runtime = await startRuntime(loaded.config, { logger, env: loaded.env });
  return localSwitchyardService(runtime, { onClose: () => runtime.close() });
}
