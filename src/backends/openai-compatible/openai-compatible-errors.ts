/**
 * Turns what an OpenAI-compatible upstream says went wrong — an HTTP status with an error body,
 * an error chunk mid-stream, or a failed socket — into one `SwitchyardError`. Messages name the
 * back end and its host and carry the upstream's own words, but never the API key.
 */
import { z } from "zod";
import { type ErrorCode, SwitchyardError } from "../../errors/switchyard-error.js";
import type { CancelSignal } from "../../protocol/cancel-signal.js";
import type { OpenAICompatibleFlavor } from "./openai-compatible-wire.js";

/** Who we were talking to, for messages, and the secret that must never appear in them. */
export interface UpstreamErrorContext {
  backendId: string;
  host: string;
  flavor: OpenAICompatibleFlavor;
  apiKey?: string;
}

// OpenRouter: {error:{code, message, metadata}}; vLLM: {object:"error", message, code};
// FastAPI-based servers: {detail}. Accept all, require none.
const errorBodySchema = z.object({
  error: z
    .union([
      z.string(),
      z.object({
        code: z.union([z.string(), z.number()]).nullish(),
        message: z.string().nullish(),
        metadata: z.record(z.string(), z.unknown()).nullish(),
      }),
    ])
    .nullish(),
  message: z.string().nullish(),
  detail: z.unknown().optional(),
});

interface UpstreamErrorDetail {
  message?: string;
  code?: string | number;
  metadata?: Record<string, unknown>;
}

export function parseErrorBody(bodyText: string): UpstreamErrorDetail {
  let json: unknown;
  try {
    json = JSON.parse(bodyText);
  } catch {
    const trimmed = bodyText.trim().slice(0, 300);
    return trimmed ? { message: trimmed } : {};
  }
  const parsed = errorBodySchema.safeParse(json);
  if (!parsed.success) return {};
  const { error, message, detail } = parsed.data;
  if (typeof error === "string") return { message: error };
  const result: UpstreamErrorDetail = {};
  const text = error?.message ?? message ?? (typeof detail === "string" ? detail : undefined);
  if (text) result.message = text;
  if (error?.code !== null && error?.code !== undefined) result.code = error.code;
  if (error?.metadata) result.metadata = error.metadata;
  return result;
}

const CONTEXT_TOO_LONG =
  /context length|context window|maximum context|too many tokens|prompt is too long|too long for/i;

/** The upstream answered with a non-2xx status before streaming anything. */
export function errorFromStatus(
  status: number,
  retryAfterHeader: string | string[] | undefined,
  bodyText: string,
  context: UpstreamErrorContext,
): SwitchyardError {
  const detail = parseErrorBody(bodyText);
  const { code, hint } = classifyStatus(status, detail.message ?? "", context.flavor);
  const upstreamWords = detail.message ? `: ${detail.message}` : "";
  const upstreamCode = detail.code !== undefined && detail.code !== status ? ` (code ${detail.code})` : "";
  const message = `${describe(context)} answered HTTP ${status}${upstreamWords}${upstreamCode}${hint ? `. ${hint}` : ""}`;
  const retryAfterSeconds = parseRetryAfter(retryAfterHeader);
  return new SwitchyardError(code, redact(message, context.apiKey), {
    backend: context.backendId,
    upstreamStatus: status,
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    ...(detail.metadata ? { details: { upstreamMetadata: detail.metadata } } : {}),
  });
}

function classifyStatus(
  status: number,
  upstreamMessage: string,
  flavor: OpenAICompatibleFlavor,
): { code: ErrorCode; hint?: string } {
  if (status === 400 || status === 413) {
    if (CONTEXT_TOO_LONG.test(upstreamMessage)) return { code: "context-too-long" };
    return { code: "upstream-invalid-request" };
  }
  if (status === 401 || status === 403) {
    const keyName = flavor === "openrouter" ? "OPENROUTER_API_KEY" : "the back end's API key";
    return {
      code: "upstream-authentication",
      hint: `The upstream refused our credentials; check ${keyName}`,
    };
  }
  if (status === 402) {
    return {
      code: "upstream-payment-required",
      hint: "The account is out of credits or over the key's limit",
    };
  }
  if (status === 408) return { code: "upstream-timeout" };
  if (status === 429) return { code: "upstream-rate-limited" };
  if (status === 503) return { code: "upstream-busy" };
  if (status === 504) return { code: "upstream-timeout" };
  if (status >= 500) return { code: "upstream-error" };
  if (status === 404 && flavor === "generic")
    return { code: "upstream-invalid-request", hint: "Check baseUrl" };
  return { code: "upstream-invalid-request" };
}

/** The upstream sent an error inside a 200 stream (OpenRouter's mid-stream error chunk). */
export function errorFromStream(
  error: { code?: string | number; message: string },
  context: UpstreamErrorContext,
): SwitchyardError {
  const code = error.code !== undefined ? ` (code ${error.code})` : "";
  const message = `${describe(context)} failed mid-stream: ${error.message}${code}`;
  return new SwitchyardError("upstream-error", redact(message, context.apiKey), {
    backend: context.backendId,
    ...(typeof error.code === "number" ? { upstreamStatus: error.code } : {}),
  });
}

/**
 * A non-streamed completion that reports a failure in its body (OpenRouter does so under HTTP 200
 * when generation fails) or cannot be read. Nothing reached the caller yet: a numeric code is
 * treated as the status it names, so the ladder falls back exactly as for that status.
 */
export function errorFromCompletion(
  error: { code?: string | number; message: string },
  bodyText: string,
  context: UpstreamErrorContext,
): SwitchyardError {
  if (typeof error.code === "number" && error.code >= 400 && error.code < 600) {
    return errorFromStatus(error.code, undefined, bodyText, context);
  }
  const code = error.code !== undefined ? ` (code ${error.code})` : "";
  return new SwitchyardError(
    "upstream-error",
    redact(`${describe(context)} failed to answer: ${error.message}${code}`, context.apiKey),
    { backend: context.backendId },
  );
}

/** The stream ended with neither a finish reason nor `[DONE]`. */
export function errorFromEarlyEnd(context: UpstreamErrorContext): SwitchyardError {
  return new SwitchyardError(
    "upstream-error",
    `${describe(context)} ended the stream early (no finish reason, no [DONE])`,
    { backend: context.backendId },
  );
}

const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_CLOSED",
]);

/**
 * A transport failure: before the response (`phase: "connect"`) it means unreachable; once the
 * body is streaming, a broken socket is an upstream error. Caller aborts win over both.
 */
export function errorFromTransport(
  error: unknown,
  context: UpstreamErrorContext,
  phase: "connect" | "stream",
  signal?: CancelSignal,
): SwitchyardError {
  if (error instanceof SwitchyardError) return error;
  if (signal?.aborted) {
    return new SwitchyardError("aborted", `The caller aborted the request to ${describe(context)}`, {
      backend: context.backendId,
      cause: error,
    });
  }
  const code = errorCodeOf(error);
  const reason = redact(error instanceof Error ? error.message : String(error), context.apiKey);
  const causeText = code ? `${code}: ${reason}` : reason;
  let switchyardCode: ErrorCode;
  let what: string;
  if (code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT") {
    switchyardCode = "upstream-timeout";
    what = phase === "connect" ? "did not start answering in time" : "went silent mid-stream";
  } else if (phase === "connect" && (code === undefined || UNREACHABLE_CODES.has(code))) {
    switchyardCode = "upstream-unreachable";
    what = "could not be reached";
  } else {
    switchyardCode = "upstream-error";
    what = phase === "connect" ? "failed before answering" : "broke off mid-stream";
  }
  return new SwitchyardError(switchyardCode, `${describe(context)} ${what} (${causeText})`, {
    backend: context.backendId,
    cause: error,
  });
}

function errorCodeOf(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") return code;
  // Node wraps several connection attempts (IPv4 + IPv6) in an AggregateError.
  if (error instanceof AggregateError)
    return error.errors.map(errorCodeOf).find((inner) => inner !== undefined);
  return errorCodeOf((error as { cause?: unknown }).cause);
}

/** Retry-After is either delay-seconds or an HTTP date; anything else is ignored. */
export function parseRetryAfter(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value));
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

function describe(context: UpstreamErrorContext): string {
  return `Back end "${context.backendId}" (${context.host})`;
}

/** Upstreams sometimes echo the credential they rejected; it must not reach logs or callers. */
export function redact(text: string, apiKey: string | undefined): string {
  if (!apiKey || apiKey.length < 4) return text;
  return text.split(apiKey).join("[redacted]");
}
