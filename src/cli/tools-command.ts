/**
 * `switchyard tools`: the configured MCP servers, started here, with their state and tools —
 * which ones the allow-list lets through, and allow entries that name nothing. `--filter` shows
 * what a request with that filter would get (and fails as it would).
 */
import { SwitchyardError } from "../errors/switchyard-error.js";
import { McpToolHub } from "../tools/mcp-tool-hub.js";
import type { ToolServerStatus } from "../tools/tool-hub.js";
import type { BuiltinLauncher } from "../tools/tool-server-specs.js";
import { CliFailure, loadCliConfig } from "./cli-context.js";

/** This program as it is running now (built, or the sources through tsx): how built-in servers start. */
export function cliLauncher(): BuiltinLauncher {
  return { command: process.execPath, args: [...process.execArgv, process.argv[1] ?? ""] };
}

export interface ToolsOptions {
  config?: string;
  json?: boolean;
  filter?: string;
}

export async function toolsCommand(options: ToolsOptions): Promise<void> {
  const { config } = loadCliConfig(options.config);
  const hub = new McpToolHub({ config: config.tools, launcher: cliLauncher() });
  try {
    if (options.filter !== undefined) {
      const tools = await hub.listTools({ filter: options.filter }).catch((error: unknown) => {
        if (error instanceof SwitchyardError) throw new CliFailure(`switchyard tools: ${error.message}`);
        throw error;
      });
      process.stdout.write(
        options.json
          ? `${JSON.stringify(tools, null, 2)}\n`
          : `${tools.map((tool) => `${tool.name}  ${firstLine(tool.description)}`).join("\n")}\n`,
      );
      return;
    }
    const statuses = await hub.status({ start: true });
    process.stdout.write(options.json ? `${JSON.stringify(statuses, null, 2)}\n` : formatStatuses(statuses));
    if (statuses.some((status) => status.state !== "running"))
      throw new CliFailure("switchyard tools: some MCP servers are not running (see above)");
  } finally {
    await hub.close();
  }
}

export function formatStatuses(statuses: ToolServerStatus[]): string {
  if (statuses.length === 0)
    return 'No MCP servers are configured. Add them under tools.servers in switchyard.yaml (see README, "Tools (MCP)").\n';
  const lines: string[] = [];
  for (const status of statuses) {
    const kind = status.builtin ? `built-in ${status.builtin}, ${status.transport}` : status.transport;
    const detail = [
      status.pid ? `pid ${status.pid}` : undefined,
      status.restarts > 0 ? `${status.restarts} restarts` : undefined,
    ].filter(Boolean);
    lines.push(
      `${status.name} (${kind}): ${status.state}${detail.length > 0 ? `, ${detail.join(", ")}` : ""}`,
    );
    if (status.lastError && status.state !== "running") lines.push(`  ${status.lastError}`);
    const width = Math.max(0, ...status.tools.map((tool) => tool.name.length));
    for (const tool of status.tools) {
      const mark = tool.allowed ? "allowed" : "not allowed";
      lines.push(`  ${tool.name.padEnd(width)}  ${mark.padEnd(11)}  ${firstLine(tool.description)}`);
    }
    if (status.state === "running" && !status.tools.some((tool) => tool.allowed))
      lines.push(`  (nothing allowed: add tool names to tools.servers.${status.name}.allow)`);
    for (const entry of status.unmatchedAllow)
      lines.push(`  allow entry "${entry}" names no tool of ${status.name}`);
  }
  return `${lines.join("\n")}\n`;
}

function firstLine(text: string | undefined): string {
  const line = (text ?? "").split("\n")[0]!;
  return line.length > 90 ? `${line.slice(0, 89)}…` : line;
}
