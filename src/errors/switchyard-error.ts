/**
 * The one error type. Every failure inside Switchyard — bad input, bad config, an upstream that
 * failed, a budget that ran out — is a `SwitchyardError` with a string `code`. Whether it is worth
 * retrying elsewhere is decided in one place (`isRetryableCode`); each front door renders it into
 * its own protocol in one place.
 */

export type ErrorCode =
  /** The caller's request is malformed or asks for something impossible. */
  | "invalid-request"
  /** The caller's request names a model Switchyard does not know. */
  | "model-not-found"
  /** The caller named something that does not exist (a request id on the admin API, a workflow run). */
  | "not-found"
  /** The request does not fit the state of what it names (approving a run that is not waiting). */
  | "conflict"
  /** The body is larger than the configured limit. */
  | "payload-too-large"
  /** Missing or wrong bearer token. */
  | "authentication"
  /** The upstream refused our credentials (bad or missing API key). */
  | "upstream-authentication"
  /** The conversation does not fit the model's context window. */
  | "context-too-long"
  /** The upstream could not be reached (connection refused, DNS, reset before a response). */
  | "upstream-unreachable"
  /** The upstream answered 429. */
  | "upstream-rate-limited"
  /** The upstream is busy or overloaded (Ollama's 503 "server busy", OpenRouter 503). */
  | "upstream-busy"
  /** The upstream answered 5xx or broke off mid-stream. */
  | "upstream-error"
  /** The upstream rejected the request (4xx other than the above). */
  | "upstream-invalid-request"
  /** OpenRouter 402: out of credits or over the key's limit. */
  | "upstream-payment-required"
  /** The upstream did not answer in time. */
  | "upstream-timeout"
  /** A Switchyard budget is exhausted and the request may not be downgraded. */
  | "budget-exceeded"
  /** The caller went away; nothing to render. */
  | "aborted"
  /** A bug or an unexpected state inside Switchyard. */
  | "internal";

export interface SwitchyardErrorOptions {
  /** The back end involved, by its configured id ("engine", "openrouter"). */
  backend?: string;
  /** The upstream's HTTP status, when there was one. */
  upstreamStatus?: number;
  /** Seconds the upstream asked us to wait (Retry-After). */
  retryAfterSeconds?: number;
  /** Extra structured detail for the caller (valid model names, budget figures). */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class SwitchyardError extends Error {
  readonly code: ErrorCode;
  readonly backend?: string;
  readonly upstreamStatus?: number;
  readonly retryAfterSeconds?: number;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: SwitchyardErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "SwitchyardError";
    this.code = code;
    if (options.backend !== undefined) this.backend = options.backend;
    if (options.upstreamStatus !== undefined) this.upstreamStatus = options.upstreamStatus;
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
    if (options.details !== undefined) this.details = options.details;
  }

  /** True when another back end (the next rung of the ladder) may well succeed. */
  get retryable(): boolean {
    return isRetryableCode(this.code);
  }
}

export function isRetryableCode(code: ErrorCode): boolean {
  switch (code) {
    case "upstream-unreachable":
    case "upstream-rate-limited":
    case "upstream-busy":
    case "upstream-error":
    case "upstream-timeout":
    case "upstream-payment-required":
    case "upstream-authentication":
      return true;
    default:
      return false;
  }
}

/** The HTTP status a front door answers with for each code. */
export function httpStatusForCode(error: SwitchyardError): number {
  switch (error.code) {
    case "invalid-request":
      return 400;
    case "context-too-long":
      return 400;
    case "authentication":
      return 401;
    case "budget-exceeded":
      return 402;
    case "model-not-found":
    case "not-found":
      return 404;
    case "conflict":
      return 409;
    case "payload-too-large":
      return 413;
    case "upstream-rate-limited":
      return 429;
    case "upstream-invalid-request":
      return error.upstreamStatus && error.upstreamStatus >= 400 && error.upstreamStatus < 500
        ? error.upstreamStatus
        : 400;
    case "upstream-payment-required":
      return 402;
    case "upstream-authentication":
      return 502;
    case "upstream-busy":
      return 503;
    case "upstream-timeout":
      return 504;
    case "upstream-unreachable":
    case "upstream-error":
      return 502;
    case "aborted":
      return 499;
    case "internal":
      return 500;
  }
}

/** Wraps anything thrown into a SwitchyardError, keeping the original as `cause`. */
export function toSwitchyardError(error: unknown): SwitchyardError {
  if (error instanceof SwitchyardError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new SwitchyardError("internal", `Unexpected error: ${message}`, { cause: error });
}
