/**
 * `switchyard statusline`: one short line for Claude Code's status line — the tier, alias and
 * model that answered the session's last request, its cost and the session's so far, from the
 * Brain's ledger (`GET /admin/sessions/:id`; Claude Code puts the session id it passes on stdin
 * into every request's metadata.user_id).
 *
 * Claude Code runs it after each message with JSON on stdin, and shows whatever it prints: so it
 * never fails (exit 0, a dim line saying why when the Brain is away), never waits long (a short
 * time limit on everything), and loads little (bin/switchyard.js starts it without the rest of
 * the CLI). Which Brain: as every client command, then the Brain Claude Code itself was pointed at
 * (ANTHROPIC_BASE_URL and its token, as `switchyard claude` sets them), then the local config.
 */
import { z } from "zod";
import { parseJsonOrUndefined } from "../protocol/safe-json.js";
import { type BrainTarget, brainJson, namedBrain, normaliseBrainUrl } from "./brain-client.js";
import { callerSummarySchema } from "./brain-responses.js";
import { brainBaseUrl } from "./claude-command.js";
import { loadCliConfig } from "./cli-context.js";

export interface StatuslineOptions {
  url?: string | undefined;
  config?: string | undefined;
  /** For everything: reading stdin, then the Brain's answer. */
  timeoutMs?: number;
}

/** The fields of Claude Code's status line input that matter here; anything may be missing. */
const statuslineInput = z.looseObject({
  session_id: z.string().min(1).optional().catch(undefined),
  model: z
    .looseObject({ display_name: z.string().optional().catch(undefined) })
    .optional()
    .catch(undefined),
});

export async function statuslineCommand(options: StatuslineOptions): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 1_500;
  const stdin = await readStdin(timeoutMs);
  const line = await statuslineText(stdin, options, process.env, timeoutMs);
  process.stdout.write(`${line}\n`);
}

export async function statuslineText(
  stdin: string,
  options: StatuslineOptions,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<string> {
  const input = parseInput(stdin);
  let brain: BrainTarget;
  try {
    brain = statuslineBrain(options, env);
  } catch (error) {
    return dim(`switchyard · ${(error as Error).message.replace(/^switchyard: /, "")}`);
  }
  if (!input.session_id) return dim(`switchyard · ${brain.url} · no session id from Claude Code`);
  let summary: z.output<typeof callerSummarySchema>;
  try {
    summary = await brainJson(
      brain,
      `/admin/sessions/${encodeURIComponent(input.session_id)}`,
      callerSummarySchema,
      timeoutMs,
    );
  } catch (error) {
    return dim(`switchyard · ${shortReason((error as Error).message)}`);
  }
  const last = summary.last;
  if (!last) return dim("switchyard · no requests through the Brain yet this session");
  const tier = `${TIER_COLOURS[last.tier] ?? ""}T${last.tier} ${last.alias}\x1b[0m`;
  return [
    tier,
    last.model,
    `last ${money(last.costUsd)}`,
    `session ${money(summary.costUsd)} (${summary.requests} request${summary.requests === 1 ? "" : "s"})`,
  ].join(" · ");
}

const TIER_COLOURS: Record<number, string> = { 1: "\x1b[32m", 2: "\x1b[33m", 3: "\x1b[35m" };

function money(usd: number): string {
  return usd === 0 ? "$0" : usd < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

function dim(text: string): string {
  return `\x1b[2m${text}\x1b[0m`;
}

/** The failure line without its advice: the status line has room for what, not for how. */
function shortReason(message: string): string {
  return message
    .replace(/^switchyard: /, "")
    .replace(/; (is switchyard serve|set SWITCHYARD|the token comes|no token was).*$/, "");
}

function parseInput(stdin: string): z.output<typeof statuslineInput> {
  const parsed = statuslineInput.safeParse(parseJsonOrUndefined(stdin));
  return parsed.success ? parsed.data : {};
}

function statuslineBrain(options: StatuslineOptions, env: NodeJS.ProcessEnv): BrainTarget {
  const named = namedBrain({ url: options.url, env });
  if (named) return named;
  if (env.ANTHROPIC_BASE_URL) {
    return {
      url: normaliseBrainUrl(env.ANTHROPIC_BASE_URL),
      token: env.ANTHROPIC_AUTH_TOKEN || undefined,
      source: "ANTHROPIC_BASE_URL",
      tokenSource: env.ANTHROPIC_AUTH_TOKEN ? "ANTHROPIC_AUTH_TOKEN" : "none",
    };
  }
  const { config } = loadCliConfig(options.config);
  const token = config.server.auth_tokens.find(Boolean);
  return {
    url: brainBaseUrl(config, {}),
    token,
    source: "the config",
    tokenSource: token ? "server.auth_tokens in the config" : "none",
  };
}

/** All of stdin, or what arrived within the time limit (a terminal gives nothing). */
function readStdin(timeoutMs: number): Promise<string> {
  if (process.stdin.isTTY) return Promise.resolve("");
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const finish = () => {
      clearTimeout(timer);
      process.stdin.destroy();
      resolve(Buffer.concat(chunks).toString("utf8"));
    };
    const timer = setTimeout(finish, timeoutMs);
    process.stdin.on("data", (chunk: Buffer) => chunks.push(chunk));
    process.stdin.once("end", finish);
    process.stdin.once("error", finish);
  });
}
