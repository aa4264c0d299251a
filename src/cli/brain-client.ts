/**
 * The thin client's line to the Brain. Which Brain: `--url`, else SWITCHYARD_URL, else the client
 * config (`switchyard setup workstation` writes it); with none of them a command works locally.
 * Which token: SWITCHYARD_TOKEN, else the client config's (only for the Brain it names), else the
 * local config's. Every failure is one line that says what happened and what to do: a refused
 * token, a Brain that does not answer (within a time limit), an answer that makes no sense.
 */
import { Agent, request } from "undici";
import type { z } from "zod";
import { ConfigError } from "../config/config-load.js";
import { parseJson, parseJsonOrUndefined } from "../protocol/safe-json.js";
import { readClientConfig } from "../setup/client-config.js";
import { healthSchema } from "./brain-responses.js";
import { CliFailure, loadCliConfig } from "./cli-context.js";

export interface BrainTarget {
  /** The Brain's origin, without /v1 or a trailing slash. */
  url: string;
  token: string | undefined;
  /** Where the URL came from: "--url", "SWITCHYARD_URL", the client config's path, "the config". */
  source: string;
  /** Where the token came from, for the message when it is refused. */
  tokenSource: string;
}

export interface BrainTargetOptions {
  url?: string | undefined;
  env: NodeJS.ProcessEnv;
  /** The local config's first token, asked for only when nothing else gives one. */
  configToken?: () => string | undefined;
}

/** The Brain a command was pointed at, or undefined: then it works on this machine's own files. */
export function namedBrain(options: BrainTargetOptions): BrainTarget | undefined {
  const { env } = options;
  const client = clientConfig(env);
  let url: string;
  let source: string;
  if (options.url) [url, source] = [options.url, "--url"];
  else if (env.SWITCHYARD_URL) [url, source] = [env.SWITCHYARD_URL, "SWITCHYARD_URL"];
  else if (client) [url, source] = [client.config.url, client.path];
  else return undefined;
  url = normaliseBrainUrl(url);
  if (env.SWITCHYARD_TOKEN)
    return { url, source, token: env.SWITCHYARD_TOKEN, tokenSource: "SWITCHYARD_TOKEN" };
  // The client config's token goes only to the Brain it was written for.
  if (client?.config.token && sameOrigin(client.config.url, url)) {
    return { url, source, token: client.config.token, tokenSource: client.path };
  }
  const token = options.configToken?.();
  return { url, source, token, tokenSource: token ? "server.auth_tokens in the config" : "none" };
}

export function normaliseBrainUrl(url: string): string {
  return url.trim().replace(/\/+$/, "").replace(/\/v1$/, "");
}

function clientConfig(env: NodeJS.ProcessEnv) {
  try {
    return readClientConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliFailure(error.message, 2);
    throw error;
  }
}

function sameOrigin(left: string, right: string): boolean {
  try {
    return new URL(left).origin === new URL(right).origin;
  } catch {
    return false;
  }
}

export function authorizationHeaders(target: BrainTarget): Record<string, string> {
  return target.token ? { authorization: `Bearer ${target.token}` } : {};
}

/** Connections to a Brain that is off or unplugged fail here instead of waiting out the OS. */
export function brainDispatcher(connectTimeoutMs: number): Agent {
  return new Agent({ connect: { timeout: connectTimeoutMs } });
}

/** One JSON call to the Brain's API. */
export interface BrainCall<Schema extends z.ZodType> {
  path: string;
  /** What a 2xx answer must look like. */
  schema: Schema;
  method?: "GET" | "POST";
  /** Sent as JSON (a POST). */
  body?: unknown;
  /** For the whole call (default 10 s). */
  timeoutMs?: number;
  /** For the connection alone (default the smaller of 10 s and `timeoutMs`): a Brain that is off fails fast. */
  connectTimeoutMs?: number;
  /** The line for an error status a command knows better; undefined leaves it to `refused`. */
  failure?: (status: number, body: string) => CliFailure | undefined;
}

/** GET a JSON document from the Brain, validated; one clear CliFailure for anything else. */
export function brainJson<Schema extends z.ZodType>(
  target: BrainTarget,
  path: string,
  schema: Schema,
  timeoutMs = 10_000,
): Promise<z.output<Schema>> {
  return brainCall(target, { path, schema, timeoutMs });
}

/** A call to the Brain's API (GET, or POST with a JSON body), its answer validated. */
export async function brainCall<Schema extends z.ZodType>(
  target: BrainTarget,
  call: BrainCall<Schema>,
): Promise<z.output<Schema>> {
  const { path, schema } = call;
  const timeoutMs = call.timeoutMs ?? 10_000;
  const connectTimeoutMs = call.connectTimeoutMs ?? Math.min(timeoutMs, 10_000);
  const dispatcher = brainDispatcher(connectTimeoutMs);
  try {
    const response = await request(`${target.url}${path}`, {
      method: call.method ?? "GET",
      headers: {
        ...authorizationHeaders(target),
        ...(call.body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
      dispatcher,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    }).catch((error: unknown) => {
      throw unreachable(target, error, timeoutMs, connectTimeoutMs);
    });
    const text = await response.body.text();
    if (response.statusCode < 200 || response.statusCode > 299)
      throw call.failure?.(response.statusCode, text) ?? refused(target, response.statusCode, text);
    const body = parseJson(text);
    if (!body.ok) {
      throw new CliFailure(
        `switchyard: ${target.url}${path} did not answer JSON (${body.error}); is that a Switchyard Brain?`,
      );
    }
    const result = schema.safeParse(body.value);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new CliFailure(
        `switchyard: the Brain at ${target.url} answered ${path} in a shape this switchyard does not know (${issue?.path.join(".") ?? ""}: ${issue?.message ?? "?"}); update switchyard on one of the two machines`,
      );
    }
    return result.data;
  } finally {
    void dispatcher.close();
  }
}

/**
 * Before another program is pointed at the Brain (Claude Code, which would otherwise wait in
 * silence for a minute and more): a Switchyard answers GET /healthz at the target within the time
 * limit, and takes the token (GET /v1/models). Each failure is one line that says what to do.
 */
export async function checkBrain(target: BrainTarget, timeoutMs = 3_000): Promise<void> {
  const dispatcher = brainDispatcher(timeoutMs);
  const get = async (path: string, headers: Record<string, string>) => {
    try {
      const response = await request(`${target.url}${path}`, {
        headers,
        dispatcher,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs),
      });
      return { status: response.statusCode, text: await response.body.text() };
    } catch (error) {
      throw unreachable(target, error, timeoutMs);
    }
  };
  try {
    const health = await get("/healthz", {});
    if (health.status !== 200 || !healthSchema.safeParse(parseJsonOrUndefined(health.text)).success) {
      throw new CliFailure(
        `switchyard: ${target.url} is not a Switchyard Brain (GET /healthz answered ${health.status}${health.status === 200 ? " without Switchyard's status" : ""}); check the URL, which comes from ${target.source}`,
      );
    }
    const models = await get("/v1/models", authorizationHeaders(target));
    if (models.status === 401 || models.status === 403) throw refused(target, models.status, models.text);
  } finally {
    void dispatcher.close();
  }
}

/** The one line for a Brain that cannot be reached. */
export function unreachable(
  target: BrainTarget,
  error: unknown,
  timeoutMs: number,
  connectTimeoutMs = timeoutMs,
): CliFailure {
  if (error instanceof CliFailure) return error;
  return new CliFailure(
    `switchyard: the Brain at ${target.url} is not answering (${networkReason(error, timeoutMs, connectTimeoutMs)}); is switchyard serve running there? (the URL comes from ${target.source})`,
  );
}

/** The one line for a Brain that answered with an error status. */
export function refused(target: BrainTarget, status: number, body: string): CliFailure {
  const message = errorMessage(body);
  if (status === 401) {
    const fix =
      target.tokenSource === "none"
        ? "no token was sent: set SWITCHYARD_TOKEN, or run switchyard setup workstation with --token-file"
        : `the token comes from ${target.tokenSource}; set SWITCHYARD_TOKEN to the Brain's token, or run switchyard setup workstation --token-file …`;
    return new CliFailure(`switchyard: the Brain at ${target.url} refused the token (${message}); ${fix}`);
  }
  return new CliFailure(`switchyard: the Brain at ${target.url} answered ${status}: ${message}`);
}

function errorMessage(body: string): string {
  return brainError(body).message;
}

/** The message and code of an error the Brain answered (OpenAI's shape), or the body's start. */
export function brainError(body: string): { message: string; code: string | undefined } {
  const parsed = parseJsonOrUndefined(body) as
    | { error?: { message?: unknown; code?: unknown } }
    | null
    | undefined;
  const code = typeof parsed?.error?.code === "string" ? parsed.error.code : undefined;
  if (typeof parsed?.error?.message === "string") return { message: parsed.error.message, code };
  return { message: body.trim().slice(0, 200) || "no message", code };
}

function networkReason(error: unknown, timeoutMs: number, connectTimeoutMs: number): string {
  const within = (ms: number) => `no answer within ${Math.round(ms / 100) / 10} s`;
  const found = error as { name?: string; code?: string; message?: string; cause?: { code?: string } };
  const code = found.code ?? found.cause?.code;
  if (code === "UND_ERR_CONNECT_TIMEOUT") return within(connectTimeoutMs);
  if (found.name === "TimeoutError" || found.name === "AbortError" || code === "UND_ERR_HEADERS_TIMEOUT")
    return within(timeoutMs);
  if (code === "ECONNREFUSED") return "connection refused";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "the name does not resolve";
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH") return "no route to it";
  return code ?? found.message ?? String(error);
}

/**
 * The Brain named by `--url`, SWITCHYARD_URL or the client config, with the local config's token
 * as the last resort; undefined when the command should read this machine's own database.
 */
export function namedBrainFor(options: { url?: string | undefined; config?: string | undefined }) {
  return namedBrain({
    url: options.url,
    env: process.env,
    configToken: () => {
      try {
        return loadCliConfig(options.config).config.server.auth_tokens.find(Boolean);
      } catch {
        // A config this machine cannot load has no token to offer; the Brain will say 401 if it needs one.
        return undefined;
      }
    },
  });
}
