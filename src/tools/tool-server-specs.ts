/**
 * From the `tools:` config section to what the hub starts: for each server, its allow-list and
 * how to reach it. A built-in server is this same program run as `mcp-server <kind>` over stdio,
 * with its settings in an environment variable (argv would show them in `ps`); how to run "this
 * program" is the caller's to say (the CLI knows its own entry point; tests run the sources).
 */
import type { BuiltinServerKind, ToolServerConfig, ToolsConfig } from "../config/tools-schema.js";

/** The variable a built-in server reads its settings from, as JSON. */
export const BUILTIN_SETTINGS_VARIABLE = "SWITCHYARD_MCP_SETTINGS";

/**
 * The variable's value for a warm spare (tool-server-spares.ts): load the kind's code, say so with
 * a `SPARE_READY_METHOD` notification on stdout, then read the settings as the first line of
 * stdin (never argv, which `ps` shows) and serve MCP on the rest of it.
 */
export const SETTINGS_FROM_STDIN = "stdin";

/** The notification a spare writes once loaded; it comes before any MCP message. */
export const SPARE_READY_METHOD = "notifications/switchyard/spare-ready";

/** How to run the `switchyard` CLI: `command args… mcp-server <kind>` starts a built-in server. */
export interface BuiltinLauncher {
  command: string;
  args: readonly string[];
}

export type ToolServerTransportSpec =
  | {
      kind: "stdio";
      command: string;
      args: string[];
      /** Added to the SDK's minimal inherited environment (PATH, HOME, …). */
      env: Record<string, string>;
      cwd?: string;
    }
  | { kind: "http"; url: string; headers: Record<string, string> };

export interface ToolServerSpec {
  name: string;
  /** Tool names (or "*") a model may use. */
  allow: readonly string[];
  builtin?: BuiltinServerKind;
  transport: ToolServerTransportSpec;
}

export function toolServerSpecs(tools: ToolsConfig, launcher: BuiltinLauncher): ToolServerSpec[] {
  return Object.entries(tools.servers).map(([name, server]) => toolServerSpec(name, server, launcher));
}

export function toolServerSpec(
  name: string,
  server: ToolServerConfig,
  launcher: BuiltinLauncher,
): ToolServerSpec {
  if ("builtin" in server) {
    const { allow, ...settings } = server;
    return {
      name,
      allow,
      builtin: server.builtin,
      transport: {
        kind: "stdio",
        command: launcher.command,
        args: [...launcher.args, "mcp-server", server.builtin],
        env: { [BUILTIN_SETTINGS_VARIABLE]: JSON.stringify(settings) },
      },
    };
  }
  if ("command" in server) {
    return {
      name,
      allow: server.allow,
      transport: {
        kind: "stdio",
        command: server.command,
        args: server.args,
        env: server.env,
        ...(server.cwd ? { cwd: server.cwd } : {}),
      },
    };
  }
  return { name, allow: server.allow, transport: { kind: "http", url: server.url, headers: server.headers } };
}
