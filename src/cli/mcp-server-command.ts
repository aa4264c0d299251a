/**
 * `switchyard mcp-server git|fs|db`: one built-in tool server on its own, over stdio (for the hub,
 * or any MCP client such as Claude Code) or over Streamable HTTP on loopback (`--http`). Its
 * settings come from the hub (SWITCHYARD_MCP_SETTINGS, JSON — or, for a warm spare, "stdin": the
 * first line of stdin, read once the kind's code has loaded), else from the config file's
 * `tools.servers` entry, with command-line flags on top.
 */
import { basename } from "node:path";
import type { Readable } from "node:stream";
import { BUILTIN_SERVER_KINDS, type BuiltinServerKind } from "../config/tools-schema.js";
import { SwitchyardError } from "../errors/switchyard-error.js";
import {
  createBuiltinTools,
  loadBuiltinKind,
  parseBuiltinSettings,
} from "../tools/servers/builtin-tool-servers.js";
import { readSettingsLine, type SettingsLine } from "../tools/servers/settings-line.js";
import { rehearseSpare } from "../tools/servers/spare-rehearsal.js";
import { serveToolsOverHttp, serveToolsOverStdio } from "../tools/servers/tool-server-serve.js";
import {
  BUILTIN_SETTINGS_VARIABLE,
  SETTINGS_FROM_STDIN,
  SPARE_READY_METHOD,
} from "../tools/tool-server-specs.js";
import { CliFailure } from "./cli-failure.js";

export interface McpServerOptions {
  config?: string;
  server?: string;
  root?: string[];
  repo?: string[];
  database?: string[];
  writes?: boolean;
  http?: string | boolean;
  host: string;
}

export async function mcpServerCommand(kind: string, options: McpServerOptions): Promise<void> {
  if (!(BUILTIN_SERVER_KINDS as string[]).includes(kind))
    throw new CliFailure(
      `switchyard: there is no built-in MCP server "${kind}"; use one of: ${BUILTIN_SERVER_KINDS.join(", ")}`,
      2,
    );
  const spare = process.env[BUILTIN_SETTINGS_VARIABLE] === SETTINGS_FROM_STDIN;
  const fromSpare = spare ? await settingsFromStdin(kind as BuiltinServerKind) : undefined;
  const settings = parseBuiltinSettings(
    kind as BuiltinServerKind,
    fromSpare?.settings ?? (await settingsFor(kind as BuiltinServerKind, options)),
  );
  const onError = (error: Error) => process.stderr.write(`switchyard mcp-server ${kind}: ${error.message}\n`);
  let tools: Awaited<ReturnType<typeof createBuiltinTools>>;
  try {
    tools = await createBuiltinTools(settings);
  } catch (error) {
    if (error instanceof SwitchyardError)
      throw new CliFailure(`switchyard mcp-server ${kind}: ${error.message}`, 2);
    throw error;
  }
  const running =
    options.http === undefined || options.http === false
      ? serveToolsOverStdio(tools, { onError, ...(fromSpare ? { input: fromSpare.input } : {}) })
      : await serveToolsOverHttp(tools, {
          host: options.host,
          port: options.http === true ? 0 : Number(options.http),
          onError,
        });
  if (running.url) process.stdout.write(`switchyard mcp-server ${kind} listening on ${running.url}\n`);
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => void running.close());
  await running.closed;
  process.exit(0);
}

async function settingsFor(
  kind: BuiltinServerKind,
  options: McpServerOptions,
): Promise<Record<string, unknown>> {
  const fromHub = process.env[BUILTIN_SETTINGS_VARIABLE];
  if (fromHub) {
    try {
      return JSON.parse(fromHub) as Record<string, unknown>;
    } catch {
      throw new CliFailure(`switchyard mcp-server: ${BUILTIN_SETTINGS_VARIABLE} is not valid JSON`, 2);
    }
  }
  const settings: Record<string, unknown> = { ...(await configEntry(kind, options)), builtin: kind };
  if (options.root) settings.roots = options.root;
  if (options.repo)
    settings.repositories = Object.fromEntries(options.repo.map((entry) => named(entry, basename)));
  if (options.database)
    settings.databases = Object.fromEntries(
      options.database.map((entry) =>
        named(entry, () => {
          throw new CliFailure(`switchyard mcp-server: --database takes name=path-or-url, got "${entry}"`, 2);
        }),
      ),
    );
  if (options.writes) settings.writes = true;
  return settings;
}

/**
 * A warm spare: the kind's code loads first (what the spare is for), then the settings line is
 * awaited. Stdin ending first means the process that started the spare is gone or has let it go:
 * the spare exits quietly, so it never outlives its parent.
 */
async function settingsFromStdin(
  kind: BuiltinServerKind,
): Promise<{ settings: Record<string, unknown>; input: Readable }> {
  await loadBuiltinKind(kind);
  const rehearsal = await rehearseSpare(kind);
  // Not fatal: an unrehearsed spare is only as cold as a spawned server. Its owner sees the line.
  for (const problem of rehearsal.problems)
    process.stderr.write(`switchyard mcp-server ${kind}: the spare's rehearsal: ${problem}\n`);
  process.stdout.write(`${JSON.stringify({ jsonrpc: "2.0", method: SPARE_READY_METHOD })}\n`);
  let read: SettingsLine | undefined;
  try {
    read = await readSettingsLine(process.stdin);
  } catch (error) {
    throw new CliFailure(`switchyard mcp-server: ${(error as Error).message}`, 2);
  }
  if (read === undefined) process.exit(0);
  try {
    return { settings: JSON.parse(read.line) as Record<string, unknown>, input: read.rest };
  } catch {
    throw new CliFailure("switchyard mcp-server: the settings line on stdin is not valid JSON", 2);
  }
}

/** `name=value`, or a bare value named by `nameOf(value)`. */
function named(entry: string, nameOf: (value: string) => string): [string, string] {
  const match = /^([A-Za-z0-9_-]+)=(.+)$/.exec(entry);
  return match ? [match[1]!, match[2]!] : [nameOf(entry), entry];
}

/** The config's entry for this kind: the one named by --server, else the only one there is. */
async function configEntry(
  kind: BuiltinServerKind,
  options: McpServerOptions,
): Promise<Record<string, unknown>> {
  const flagsSayAll = options.root ?? options.repo ?? options.database;
  if (flagsSayAll && !options.server) return {};
  // The config file is read only here: a server the hub starts has its settings from the hub.
  const { loadCliConfig } = await import("./cli-context.js");
  const { servers } = loadCliConfig(options.config).config.tools;
  const candidates = Object.entries(servers).filter(
    ([name, server]) =>
      "builtin" in server && server.builtin === kind && (!options.server || name === options.server),
  );
  if (options.server && candidates.length === 0)
    throw new CliFailure(
      `switchyard mcp-server: tools.servers.${options.server} is not a ${kind} server in the config`,
      2,
    );
  if (candidates.length > 1)
    throw new CliFailure(
      `switchyard mcp-server: the config has ${candidates.length} ${kind} servers (${candidates.map(([name]) => name).join(", ")}); pick one with --server`,
      2,
    );
  if (candidates.length === 0) {
    const flag = { fs: "--root <dir>", git: "--repo <dir>", db: "--database <name=path-or-url>" }[kind];
    throw new CliFailure(
      `switchyard mcp-server: no ${kind} server in tools.servers; add one, or pass ${flag}`,
      2,
    );
  }
  return candidates[0]![1] as Record<string, unknown>;
}
