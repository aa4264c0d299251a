/**
 * Finding, reading and validating the config file. Order: `--config`, then SWITCHYARD_CONFIG, then
 * ./switchyard.yaml, then the user's config dir; with none of them, the built-in defaults. `${VAR}`
 * is interpolated from the environment (plus `.env` beside the config file and in the working
 * directory), the user's file is merged over the defaults, and every problem is reported with its
 * key path, the bad value and what to do — never a stack trace.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { DEFAULT_CONFIG_YAML } from "./config-defaults.js";
import { isSecretPath, redactValue } from "./config-redact.js";
import { configSchema, type SwitchyardConfig } from "./config-schema.js";
import { environmentWithEnvFiles } from "./env-file.js";
import { TASK_KINDS } from "./task-kinds.js";
import { readTokenFile } from "./token-file.js";
import { userDirs } from "./user-dirs.js";

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(source: string, problems: string[]) {
    super(`Invalid configuration (${source}):\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

export interface LoadedConfig {
  config: SwitchyardConfig;
  /** The file that was read, or undefined when running on defaults alone. */
  path: string | undefined;
  /** The environment used for interpolation (process env plus .env files). */
  env: NodeJS.ProcessEnv;
}

export interface LoadConfigOptions {
  /** `--config` from the command line. */
  explicitPath?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export function resolveConfigPath(options: LoadConfigOptions = {}): string | undefined {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  if (options.explicitPath) return resolve(cwd, options.explicitPath);
  if (env.SWITCHYARD_CONFIG) return resolve(cwd, env.SWITCHYARD_CONFIG);
  for (const candidate of [join(cwd, "switchyard.yaml"), join(userDirs(env).config, "switchyard.yaml")]) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const cwd = options.cwd ?? process.cwd();
  const path = resolveConfigPath(options);
  let text: string | undefined;
  if (path !== undefined) {
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : String(error);
      throw new ConfigError(path, [
        `the config file ${path} ${reason}; create it (switchyard config init > ${path}) or drop --config / SWITCHYARD_CONFIG to run on defaults`,
      ]);
    }
  }
  const envFiles = [...(path ? [join(dirname(path), ".env")] : []), join(cwd, ".env")];
  const env = environmentWithEnvFiles(envFiles, options.env ?? process.env);
  const source = path ?? "built-in defaults";
  const config = parseConfigText(text, source, env);
  const tokenFile = config.server.auth_tokens_file;
  if (tokenFile) {
    const read = readTokenFile(resolve(path ? dirname(path) : cwd, tokenFile));
    if ("problem" in read) {
      throw new ConfigError(source, [
        `server.auth_tokens_file: ${read.problem} (switchyard setup brain writes one; SWITCHYARD_TOKEN_FILE sets the path)`,
      ]);
    }
    config.server.auth_tokens = [...config.server.auth_tokens, ...read.tokens];
  }
  return { config, path, env };
}

/** Parses a user's YAML (or none), merges it over the defaults and validates the result. */
export function parseConfigText(
  text: string | undefined,
  source: string,
  env: NodeJS.ProcessEnv,
): SwitchyardConfig {
  const defaults = readYaml(DEFAULT_CONFIG_YAML, "built-in defaults");
  const user = text === undefined ? {} : readYaml(text, source);
  if (!isPlainObject(user)) {
    throw new ConfigError(source, [
      "the file must be a YAML mapping (key: value), not a list or a single value",
    ]);
  }
  const problems: string[] = [];
  const merged = interpolate(deepMerge(defaults, user), env, [], problems);
  if (problems.length > 0) throw new ConfigError(source, problems);
  const result = configSchema.safeParse(merged);
  if (!result.success)
    throw new ConfigError(
      source,
      result.error.issues.map((issue) => describeIssue(issue, merged)),
    );
  return result.data;
}

function readYaml(text: string, source: string): unknown {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      source,
      document.errors.map((error) => {
        const position = lineCounter.linePos(error.pos[0]);
        return `YAML syntax error at line ${position.line}, column ${position.col}: ${error.message.split("\n")[0]}`;
      }),
    );
  }
  if (!isMap(document.contents) && !isSeq(document.contents) && !isScalar(document.contents)) return {};
  return document.toJS() ?? {};
}

const VARIABLE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

const WHOLE_VARIABLE = /^\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}$/;

function typedScalar(text: string): string | number | boolean {
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (text === "true" || text === "false") return text === "true";
  return text;
}

function interpolate(value: unknown, env: NodeJS.ProcessEnv, path: string[], problems: string[]): unknown {
  if (typeof value === "string") {
    const replaced = value.replace(
      VARIABLE,
      (match, name: string | undefined, fallback: string | undefined) => {
        if (match === "$${") return "${";
        const found = env[name!];
        if (found !== undefined && found !== "") return found;
        if (fallback !== undefined) return fallback;
        problems.push(
          `${path.join(".")}: \${${name}} is not set; set ${name} in the environment or in a .env file, or write \${${name}:-default}`,
        );
        return "";
      },
    );
    // `port: ${PORT}` should read as a number, as if the value had been written in the file.
    return replaced !== value && WHOLE_VARIABLE.test(value) ? typedScalar(replaced) : replaced;
  }
  if (Array.isArray(value))
    return value.map((item, index) => interpolate(item, env, [...path, String(index)], problems));
  if (isPlainObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, interpolate(item, env, [...path, key], problems)]),
    );
  }
  return value;
}

/** Objects merge key by key; anything else (lists included) from the user replaces the default. */
function deepMerge(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override === undefined ? base : override;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) merged[key] = deepMerge(base[key], value);
  return merged;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describeIssue(issue: z.core.$ZodIssue, root: unknown): string {
  const path = issue.path.map(String).join(".") || "(top level)";
  const got = valueAt(root, issue.path);
  if (issue.code === "unrecognized_keys" && path === "tasks") {
    return `tasks: ${issue.keys.map((key) => `"${key}"`).join(", ")} must be one of the 15 task kinds: ${TASK_KINDS.join(", ")}`;
  }
  if (issue.code === "unrecognized_keys") {
    return `${path === "(top level)" ? "" : `${path}: `}unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((key) => `"${key}"`).join(", ")}; check the spelling (see switchyard config init for every key)`;
  }
  if (got === undefined && issue.code === "invalid_type") {
    return `${path} is required (${issue.message})`;
  }
  const keys = issue.path.map(String);
  // An entry shown whole (a server with a typo in its kind) may hold secrets of its own.
  const shown = isSecretPath(keys) ? "[redacted]" : JSON.stringify(redactValue(got, keys));
  return `${path} ${issue.message.replace(/^Invalid input: /, "")}; got ${shown}`;
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let current = root;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
