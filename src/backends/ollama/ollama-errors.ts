/**
 * Owns the translation of Ollama failures into `SwitchyardError`s: HTTP error statuses (with the
 * `{"error": "…"}` body Ollama sends), and network failures from undici (refused, reset, DNS,
 * timeouts, aborts). Every error names the back end and where it lives, and says what to do.
 */
import { z } from "zod";
import { type ErrorCode, SwitchyardError } from "../../errors/switchyard-error.js";
import type { CancelSignal } from "../../protocol/cancel-signal.js";

export interface OllamaEndpoint {
  /** The back end id ("engine"). */
  backend: string;
  baseUrl: string;
}

const errorBodySchema = z.object({ error: z.string() });

export interface OllamaHttpFailure {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  bodyText: string;
  /** The model asked for, when the call named one (so a 404 can say what to pull). */
  model?: string;
}

export function ollamaHttpError(endpoint: OllamaEndpoint, failure: OllamaHttpFailure): SwitchyardError {
  const upstreamMessage = errorMessageFromBody(failure.bodyText);
  const where = `Ollama back end "${endpoint.backend}" at ${endpoint.baseUrl}`;
  let message = `${where} answered ${failure.status}: ${upstreamMessage || "(no message)"}`;
  const code = codeForStatus(failure.status);
  if (failure.status === 404 && failure.model !== undefined) {
    // Ollama's own 404 carries a JSON error; a bare text 404 means the URL itself is wrong.
    message = errorBodySchema.safeParse(safeJson(failure.bodyText)).success
      ? `${message}. Run \`ollama pull ${failure.model}\` on that machine, or pick a model it has.`
      : `${message}. Check that baseUrl points at the Ollama server itself (without /api).`;
  }
  if (failure.status === 503) message = `${message}. Its request queue is full; try again shortly.`;
  const retryAfterSeconds = parseRetryAfter(failure.headers["retry-after"]);
  return new SwitchyardError(code, message, {
    backend: endpoint.backend,
    upstreamStatus: failure.status,
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  });
}

function codeForStatus(status: number): ErrorCode {
  if (status === 503) return "upstream-busy";
  if (status === 429) return "upstream-rate-limited";
  // Only a proxy in front of Ollama (or ollama.com) asks for credentials.
  if (status === 401 || status === 403) return "upstream-authentication";
  if (status >= 400 && status < 500) return "upstream-invalid-request";
  return "upstream-error";
}

function errorMessageFromBody(bodyText: string): string {
  const parsed = errorBodySchema.safeParse(safeJson(bodyText));
  if (parsed.success) return parsed.data.error;
  const trimmed = bodyText.trim();
  return trimmed.length > 300 ? `${trimmed.slice(0, 300)}…` : trimmed;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function parseRetryAfter(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === "") return undefined;
  const seconds = Number(text);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/** The machine or the port cannot be reached at all. */
const unreachableCodes = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EHOSTDOWN",
  "ETIMEDOUT",
  "UND_ERR_CONNECT_TIMEOUT",
]);

const timeoutCodes = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

/**
 * Maps a thrown network error. `streaming` is true once the response has begun: a broken
 * connection then is a failure mid-answer ("upstream-error"), not an unreachable server.
 * `headersTimeoutSetting` names the config key that bounded the wait for the response headers.
 */
export function ollamaNetworkError(
  endpoint: OllamaEndpoint,
  error: unknown,
  signal: CancelSignal | undefined,
  streaming: boolean,
  context: { headersTimeoutSetting?: string } = {},
): SwitchyardError {
  if (error instanceof SwitchyardError) return error;
  const where = `Ollama back end "${endpoint.backend}" at ${endpoint.baseUrl}`;
  const options = { backend: endpoint.backend, cause: error };
  if (signal?.aborted)
    return new SwitchyardError("aborted", `The caller went away; ${where} was told to stop.`, options);
  const code = networkErrorCode(error);
  const detail = error instanceof Error ? error.message || code || error.name : String(error);
  if (code !== undefined && timeoutCodes.has(code)) {
    const phase =
      code !== "UND_ERR_HEADERS_TIMEOUT"
        ? "stopped sending"
        : context.headersTimeoutSetting === "answer_timeout_ms"
          ? "did not finish its answer"
          : "did not start answering";
    const setting =
      code === "UND_ERR_HEADERS_TIMEOUT" && context.headersTimeoutSetting
        ? `; raise backends.${endpoint.backend}.${context.headersTimeoutSetting} if the model needs longer`
        : "";
    return new SwitchyardError(
      "upstream-timeout",
      `${where} ${phase} in time (${detail})${setting}.`,
      options,
    );
  }
  if (streaming)
    return new SwitchyardError("upstream-error", `${where} broke off mid-stream: ${detail}`, options);
  if (code !== undefined && unreachableCodes.has(code)) {
    return new SwitchyardError(
      "upstream-unreachable",
      `${where} cannot be reached (${code}: ${detail}). Is Ollama running there, and listening on the LAN ` +
        "(OLLAMA_HOST=0.0.0.0)?",
      options,
    );
  }
  // Reset or closed before any status: the request most likely never ran, so another rung may.
  return new SwitchyardError(
    "upstream-unreachable",
    `${where} closed the connection before answering (${code ?? "no code"}: ${detail}).`,
    options,
  );
}

/** The error code of an undici/Node network error, looking through `cause` (and AggregateError). */
function networkErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    if (current instanceof AggregateError && current.errors[0] !== undefined) current = current.errors[0];
    else current = current.cause;
  }
  return undefined;
}
