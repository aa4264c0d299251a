/**
 * `switchyard claude [args…]` starts Claude Code against the Brain; `switchyard env claude` prints
 * the same environment as `export` lines (`eval "$(switchyard env claude)"`). Both build it with
 * `claudeCodeEnvironment`, so what the shell gets is what the command runs with:
 *
 * - `ANTHROPIC_BASE_URL`: the Brain without `/v1` (Claude Code appends `/v1/messages` itself), from
 *   `--url`, `SWITCHYARD_URL`, the client config, else `server.host:server.port` of the config.
 * - `ANTHROPIC_AUTH_TOKEN` (sent as `Authorization: Bearer`): `SWITCHYARD_TOKEN`, the client
 *   config's token (for the Brain it names), the first of `server.auth_tokens`, else a placeholder
 *   the gateway ignores when it has no tokens.
 * - `ANTHROPIC_API_KEY` empty, so a real Anthropic key in the shell is never used or sent.
 * - The family defaults, so every request names a stable Claude name the `claude_code:` section
 *   maps. Behind a gateway Claude Code otherwise sends background work under the main model's
 *   name when ANTHROPIC_DEFAULT_HAIKU_MODEL is unset.
 * - `CLAUDE_CODE_AUTO_COMPACT_WINDOW`: the largest `context_window` of the aliases, so Claude Code
 *   compacts before the gateway has to refuse a prompt no rung can hold (it otherwise assumes the
 *   1M window of the Claude model it thinks it is talking to).
 * - No telemetry, error reporting or update checks (the Brain may be all it can reach), and gateway
 *   model discovery so `/model` lists what Switchyard serves.
 *
 * Before starting Claude Code, `switchyard claude` checks that the Brain answers as a Switchyard
 * and takes the token, and says in one line what is wrong when it does not.
 */
import { spawn } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { constants as osConstants } from "node:os";
import { delimiter, join } from "node:path";
import type { SwitchyardConfig } from "../config/config-schema.js";
import { CLAUDE_CODE_MODEL_NAMES } from "../routing/claude-model-map.js";
import { type BrainTarget, checkBrain, namedBrain } from "./brain-client.js";
import { CliFailure, loadCliConfig } from "./cli-context.js";

export interface ClaudeCommandOptions {
  config?: string | undefined;
  url?: string | undefined;
}

/** How long `switchyard claude` waits for the Brain's health check before saying it does not answer. */
const BRAIN_CHECK_MS = 3_000;

/** Claude Code arguments that need no Brain (help and version). */
const SKIP_BRAIN_CHECK = new Set(["--help", "-h", "--version", "-v"]);

/** The placeholder token: Claude Code wants some credential, and a token-less gateway ignores it. */
const PLACEHOLDER_TOKEN = "switchyard";

export function claudeCodeEnvironment(
  config: SwitchyardConfig,
  env: NodeJS.ProcessEnv,
  url?: string,
): Record<string, string> {
  const windows = Object.values(config.aliases).flatMap((alias) => alias.context_window ?? []);
  return {
    ANTHROPIC_BASE_URL: brainBaseUrl(config, env, url),
    ANTHROPIC_AUTH_TOKEN:
      env.SWITCHYARD_TOKEN || config.server.auth_tokens.find(Boolean) || PLACEHOLDER_TOKEN,
    ANTHROPIC_API_KEY: "",
    ANTHROPIC_DEFAULT_OPUS_MODEL: CLAUDE_CODE_MODEL_NAMES.opus,
    ANTHROPIC_DEFAULT_SONNET_MODEL: CLAUDE_CODE_MODEL_NAMES.sonnet,
    ANTHROPIC_DEFAULT_HAIKU_MODEL: CLAUDE_CODE_MODEL_NAMES.haiku,
    CLAUDE_CODE_SUBAGENT_MODEL: CLAUDE_CODE_MODEL_NAMES.sonnet,
    ...(windows.length > 0 ? { CLAUDE_CODE_AUTO_COMPACT_WINDOW: String(Math.max(...windows)) } : {}),
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY: "1",
  };
}

/** The Brain's origin, as Claude Code wants it: no trailing slash, no `/v1`. */
export function brainBaseUrl(config: SwitchyardConfig, env: NodeJS.ProcessEnv, url?: string): string {
  const given = url || env.SWITCHYARD_URL;
  if (given) return given.trim().replace(/\/+$/, "").replace(/\/v1$/, "");
  const host = config.server.host;
  // A wildcard listen address is not somewhere to connect to; the local machine is.
  const connectHost = ["0.0.0.0", "::", "[::]", ""].includes(host)
    ? "127.0.0.1"
    : host.includes(":") && !host.startsWith("[")
      ? `[${host}]`
      : host;
  return `http://${connectHost}:${config.server.port}`;
}

/** `export NAME='value'` lines, quoted for any POSIX shell. */
export function shellExports(environment: Record<string, string>): string {
  return Object.entries(environment)
    .map(([name, value]) => `export ${name}='${value.replaceAll("'", `'\\''`)}'`)
    .join("\n");
}

/** `CLAUDE_CODE_BIN`, else `claude` on PATH, else ./node_modules/.bin/claude. */
export function findClaudeBinary(env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  if (env.CLAUDE_CODE_BIN) return env.CLAUDE_CODE_BIN;
  const names = process.platform === "win32" ? ["claude.exe", "claude.cmd", "claude"] : ["claude"];
  const directories = (env.PATH ?? "").split(delimiter).filter(Boolean);
  for (const directory of [...directories, join(cwd, "node_modules", ".bin")]) {
    for (const name of names) {
      const candidate = join(directory, name);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

/**
 * The environment for the Brain the command is pointed at: on a Workstation set up with
 * `switchyard setup workstation`, the client config names it and holds its token.
 */
function brainEnvironment(config: SwitchyardConfig, env: NodeJS.ProcessEnv, url: string | undefined) {
  const environment = claudeCodeEnvironment(config, env, url);
  const named = namedBrain({ url, env, configToken: () => config.server.auth_tokens.find(Boolean) });
  if (named) {
    environment.ANTHROPIC_BASE_URL = named.url;
    if (named.token) environment.ANTHROPIC_AUTH_TOKEN = named.token;
  }
  return { environment, named };
}

/** The Brain Claude Code will talk to, as `checkBrain` wants it: where it comes from, and its token. */
function claudeBrainTarget(
  environment: Record<string, string>,
  named: BrainTarget | undefined,
  env: NodeJS.ProcessEnv,
): BrainTarget {
  if (named) return { ...named, url: environment.ANTHROPIC_BASE_URL ?? named.url };
  const token = environment.ANTHROPIC_AUTH_TOKEN;
  return {
    url: environment.ANTHROPIC_BASE_URL ?? "",
    token: token === PLACEHOLDER_TOKEN ? undefined : token,
    source: "server.host and server.port in the config",
    tokenSource: env.SWITCHYARD_TOKEN
      ? "SWITCHYARD_TOKEN"
      : token === PLACEHOLDER_TOKEN
        ? "none"
        : "server.auth_tokens in the config",
  };
}

export function envClaudeCommand(options: ClaudeCommandOptions): void {
  const { config, env } = loadCliConfig(options.config);
  process.stdout.write(`${shellExports(brainEnvironment(config, env, options.url).environment)}\n`);
}

/** Runs Claude Code with the Brain's environment; exits with its exit code. */
export async function claudeCommand(args: string[], options: ClaudeCommandOptions): Promise<void> {
  const { config, env } = loadCliConfig(options.config);
  const binary = findClaudeBinary(env, process.cwd());
  if (!binary) {
    throw new CliFailure(
      "switchyard claude: Claude Code is not installed. Install it with `npm install -g @anthropic-ai/claude-code` (or into this project), or set CLAUDE_CODE_BIN to its path. `switchyard env claude` prints the environment for running it yourself.",
      127,
    );
  }
  const { environment, named } = brainEnvironment(config, env, options.url);
  // Claude Code waits a long time, silently, for a Brain that does not answer: check it first.
  if (!args.some((arg) => SKIP_BRAIN_CHECK.has(arg))) {
    await checkBrain(claudeBrainTarget(environment, named, env), BRAIN_CHECK_MS);
  }
  const childEnv = { ...process.env, ...environment };
  // Ctrl-C reaches Claude Code directly (same process group); it decides what an interrupt means.
  const ignore = () => {};
  process.on("SIGINT", ignore);
  try {
    process.exitCode = await new Promise<number>((resolve, reject) => {
      const child = spawn(binary, args, { stdio: "inherit", env: childEnv });
      const forward = () => child.kill("SIGTERM");
      process.once("SIGTERM", forward);
      child.once("error", (error) => {
        process.off("SIGTERM", forward);
        reject(new CliFailure(`switchyard claude: could not start ${binary}: ${error.message}`, 127));
      });
      child.once("exit", (code, signal) => {
        process.off("SIGTERM", forward);
        resolve(code ?? 128 + (signal ? (osConstants.signals[signal] ?? 1) : 1));
      });
    });
  } finally {
    process.off("SIGINT", ignore);
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
