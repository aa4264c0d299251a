/**
 * Reads the environment Ollama's service starts with, from where services keep it: a launchd plist
 * (`EnvironmentVariables`, in ~/Library/LaunchAgents or /Library/LaunchDaemons, any file whose name
 * says ollama), a systemd unit and its drop-ins (`Environment=` in /etc/systemd/system/ollama.service
 * and ollama.service.d/*.conf, later files winning), or — for the macOS app, which reads neither —
 * `launchctl getenv`. Every location comes from `ServiceLocations`, so tests point it at a temp dir.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

export interface ServiceLocations {
  /** The user's home (for ~/Library/LaunchAgents). */
  home: string;
  /** Prefix of system paths (/Library, /etc); "/" on a real machine. */
  root: string;
  /** `launchctl getenv NAME` on macOS; undefined elsewhere. */
  launchctlGetenv?: (name: string) => Promise<string | undefined>;
}

export interface ServiceEnvironment {
  /** The files (or "launchctl getenv") the variables came from; empty when nothing was found. */
  sources: string[];
  variables: Record<string, string>;
}

/** The variables the doctor compares, in the order it reports them. */
export const OLLAMA_SERVICE_VARIABLES = [
  "OLLAMA_HOST",
  "OLLAMA_NUM_PARALLEL",
  "OLLAMA_MAX_LOADED_MODELS",
  "OLLAMA_KV_CACHE_TYPE",
  "OLLAMA_FLASH_ATTENTION",
] as const;

export async function readOllamaServiceEnvironment(locations: ServiceLocations): Promise<ServiceEnvironment> {
  const found: ServiceEnvironment = { sources: [], variables: {} };
  const plists = [
    ...(await matching(join(locations.home, "Library", "LaunchAgents"), /ollama.*\.plist$/i)),
    ...(await matching(join(locations.root, "Library", "LaunchDaemons"), /ollama.*\.plist$/i)),
  ];
  for (const path of plists) {
    const variables = plistEnvironment(await readFile(path, "utf8").catch(() => ""));
    if (variables) merge(found, path, variables);
  }
  const systemd = join(locations.root, "etc", "systemd", "system");
  const units = [
    join(systemd, "ollama.service"),
    ...(await matching(join(systemd, "ollama.service.d"), /\.conf$/)),
  ];
  for (const path of units) {
    const text = await readFile(path, "utf8").catch(() => undefined);
    if (text !== undefined) merge(found, path, systemdEnvironment(text));
  }
  if (found.sources.length === 0 && locations.launchctlGetenv) {
    const variables: Record<string, string> = {};
    for (const name of OLLAMA_SERVICE_VARIABLES) {
      const value = await locations.launchctlGetenv(name);
      if (value) variables[name] = value;
    }
    if (Object.keys(variables).length > 0) merge(found, "launchctl getenv", variables);
  }
  return found;
}

/** The `EnvironmentVariables` dict of a launchd plist; undefined when it has none. */
export function plistEnvironment(xml: string): Record<string, string> | undefined {
  const section = /<key>\s*EnvironmentVariables\s*<\/key>\s*<dict>([\s\S]*?)<\/dict>/.exec(xml)?.[1];
  if (section === undefined) return undefined;
  const variables: Record<string, string> = {};
  for (const match of section.matchAll(/<key>([\s\S]*?)<\/key>\s*<string>([\s\S]*?)<\/string>/g))
    variables[unescapeXml(match[1]!.trim())] = unescapeXml(match[2]!);
  return variables;
}

/** `Environment=` assignments of a systemd unit; an empty `Environment=` resets the list. */
export function systemdEnvironment(text: string): Record<string, string> {
  let variables: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const value = /^\s*Environment\s*=(.*)$/.exec(line)?.[1];
    if (value === undefined) continue;
    if (value.trim() === "") {
      variables = {};
      continue;
    }
    for (const token of value.match(/"(?:[^"\\]|\\.)*"|'[^']*'|\S+/g) ?? []) {
      const assignment = /^["']/.test(token) ? token.slice(1, -1) : token;
      const equals = assignment.indexOf("=");
      if (equals > 0) variables[assignment.slice(0, equals)] = assignment.slice(equals + 1);
    }
  }
  return variables;
}

function merge(into: ServiceEnvironment, source: string, variables: Record<string, string>): void {
  if (Object.keys(variables).length === 0) return;
  into.sources.push(source);
  Object.assign(into.variables, variables);
}

async function matching(directory: string, pattern: RegExp): Promise<string[]> {
  const names = await readdir(directory).catch(() => [] as string[]);
  return names
    .filter((name) => pattern.test(name))
    .sort()
    .map((name) => join(directory, name));
}

function unescapeXml(text: string): string {
  return text
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"')
    .replaceAll("&apos;", "'")
    .replaceAll("&amp;", "&");
}
