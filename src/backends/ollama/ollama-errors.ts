/**
 * Owns the translation of Ollama failures into `SwitchyardError`s: HTTP error statuses (with the
 * `{"error": "…"}` body Ollama sends), and network failures (refused, reset, DNS, timeouts,
 * aborts), which `transport-errors.ts` classifies for every back end. Every error names the back
 * end and where it lives, and says what to do.
 */
import { z } from "zod";
import { type ErrorCode, SwitchyardError } from "../../errors/switchyard-error.js";
import { parseJsonOrUndefined } from "../../protocol/safe-json.js";
import { parseRetryAfter } from "../retry-after.js";
import { type TransportContext, type TransportFailure, transportError } from "../transport-errors.js";

export interface OllamaEndpoint {
  /** The back end id ("engine"). */
  backend: string;
  baseUrl: string;
}

/** How every Ollama error names where it happened. */
export function describeOllama(endpoint: OllamaEndpoint): string {
  return `Ollama back end "${endpoint.backend}" at ${endpoint.baseUrl}`;
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
  const where = describeOllama(endpoint);
  let message = `${where} answered ${failure.status}: ${upstreamMessage || "(no message)"}`;
  const code = codeForStatus(failure.status);
  if (failure.status === 404 && failure.model !== undefined) {
    // Ollama's own 404 carries a JSON error; a bare text 404 means the URL itself is wrong.
    message = errorBodySchema.safeParse(parseJsonOrUndefined(failure.bodyText)).success
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
  const parsed = errorBodySchema.safeParse(parseJsonOrUndefined(bodyText));
  if (parsed.success) return parsed.data.error;
  const trimmed = bodyText.trim();
  return trimmed.length > 300 ? `${trimmed.slice(0, 300)}…` : trimmed;
}

/**
 * A thrown network error as a `SwitchyardError`: `transport-errors.ts` decides what happened and
 * its code; this words it for Ollama (which key bounded the wait, what to check on the Engine).
 */
export function ollamaNetworkError(
  endpoint: OllamaEndpoint,
  error: unknown,
  context: TransportContext,
): SwitchyardError {
  const wording = (failure: TransportFailure) => networkWording(endpoint, failure, context.timeoutSetting);
  return transportError(error, { ...context, backend: endpoint.backend, wording });
}

function networkWording(
  endpoint: OllamaEndpoint,
  { kind, systemCode, detail }: TransportFailure,
  setting: TransportContext["timeoutSetting"],
): string {
  const where = describeOllama(endpoint);
  switch (kind) {
    case "aborted":
      return `The caller went away; ${where} was told to stop.`;
    case "headers-timeout": {
      const what = setting === "answer_timeout_ms" ? "did not finish its answer" : "did not start answering";
      const remedy = setting
        ? `; raise backends.${endpoint.backend}.${setting} if the model needs longer`
        : "";
      return `${where} ${what} in time (${detail})${remedy}.`;
    }
    case "body-timeout":
      return `${where} stopped sending in time (${detail}).`;
    case "broken-mid-answer":
      return `${where} broke off mid-stream: ${detail}`;
    case "unreachable":
      return (
        `${where} cannot be reached (${systemCode}: ${detail}). Is Ollama running there, and listening on ` +
        "the LAN (OLLAMA_HOST=0.0.0.0)?"
      );
    case "closed-before-answer":
      return `${where} closed the connection before answering (${systemCode ?? "no code"}: ${detail}).`;
    case "failed-before-answer":
      return `${where} failed before answering (${systemCode}: ${detail}).`;
  }
}
