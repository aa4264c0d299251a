/**
 * Turns what an OpenAI-compatible upstream says went wrong — an HTTP status with an error body,
 * an error chunk mid-stream, or a failed socket — into one `SwitchyardError`. Messages name the
 * back end and its host and carry the upstream's own words, but never the API key.
 */
import { z } from "zod";
import { type ErrorCode, SwitchyardError } from "../../errors/switchyard-error.js";
import { parseJsonOrUndefined } from "../../protocol/safe-json.js";
import { parseRetryAfter } from "../retry-after.js";
import { type TransportContext, type TransportFailure, transportError } from "../transport-errors.js";
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
  const json = parseJsonOrUndefined(bodyText);
  if (json === undefined) {
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

/**
 * A thrown transport error as a `SwitchyardError`: `transport-errors.ts` decides what happened and
 * its code; this words it for an OpenAI-compatible upstream, without the API key.
 */
export function errorFromTransport(
  error: unknown,
  errorContext: UpstreamErrorContext,
  context: TransportContext,
): SwitchyardError {
  const wording = (failure: TransportFailure) =>
    transportWording(errorContext, failure, context.timeoutSetting);
  return transportError(error, { ...context, backend: errorContext.backendId, wording });
}

function transportWording(
  context: UpstreamErrorContext,
  { kind, systemCode, detail }: TransportFailure,
  timeoutSetting: TransportContext["timeoutSetting"],
): string {
  if (kind === "aborted") return `The caller aborted the request to ${describe(context)}`;
  const reason = redact(detail, context.apiKey);
  const causeText = systemCode ? `${systemCode}: ${reason}` : reason;
  const remedy = timeoutSetting
    ? `; raise backends.${context.backendId}.${timeoutSetting} if the model needs longer`
    : "";
  switch (kind) {
    case "headers-timeout":
    case "body-timeout": {
      const what =
        timeoutSetting === "answer_timeout_ms"
          ? "did not finish its answer in time"
          : kind === "headers-timeout"
            ? "did not start answering in time"
            : "went silent mid-stream";
      return `${describe(context)} ${what} (${causeText})${remedy}`;
    }
    case "unreachable":
      return `${describe(context)} could not be reached (${causeText})`;
    case "closed-before-answer":
      return `${describe(context)} closed the connection before answering (${causeText})`;
    case "broken-mid-answer":
      return `${describe(context)} broke off mid-stream (${causeText})`;
    case "failed-before-answer":
      return `${describe(context)} failed before answering (${causeText})`;
  }
}

function describe(context: UpstreamErrorContext): string {
  return `Back end "${context.backendId}" (${context.host})`;
}

/** Upstreams sometimes echo the credential they rejected; it must not reach logs or callers. */
export function redact(text: string, apiKey: string | undefined): string {
  if (!apiKey || apiKey.length < 4) return text;
  return text.split(apiKey).join("[redacted]");
}
