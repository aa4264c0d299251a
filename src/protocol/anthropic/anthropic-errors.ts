/**
 * Renders a `SwitchyardError` in Anthropic's error shape, `{type:"error", error:{type, message}}`,
 * with the HTTP status Anthropic uses for that type. The official SDKs pick their exception class
 * from the status and retry on 408/409/429/5xx, and Claude Code reacts to some messages, so both
 * the status and a few message texts matter:
 * - `context-too-long` says exactly `prompt is too long: <n> tokens > <max> maximum`, the text
 *   Claude Code matches to offer compaction.
 * - a Switchyard budget that ran out is `billing_error` with 402 — the SDK's `PaymentRequiredError`
 *   and Anthropic's own type for billing problems (rather than the 400 Anthropic uses for its
 *   spend limits, which clients would read as a malformed request).
 * - an upstream timeout is `timeout_error` with 504, the SDK's `GatewayTimeoutError`.
 * - upstream failures the caller cannot fix (unreachable, 5xx, our own upstream key refused) are
 *   `api_error` 500: the caller's credentials are fine, so never 401.
 */
import { type ErrorCode, httpStatusForCode, type SwitchyardError } from "../../errors/switchyard-error.js";

export type AnthropicErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "billing_error"
  | "permission_error"
  | "not_found_error"
  | "request_too_large"
  | "rate_limit_error"
  | "timeout_error"
  | "api_error"
  | "overloaded_error";

export interface AnthropicErrorBody {
  type: "error";
  error: { type: AnthropicErrorType; message: string };
}

export function anthropicErrorBody(error: SwitchyardError): { status: number; body: AnthropicErrorBody } {
  const { status, type } = statusAndType(error);
  return { status, body: { type: "error", error: { type, message: anthropicErrorMessage(error) } } };
}

function statusAndType(error: SwitchyardError): { status: number; type: AnthropicErrorType } {
  const code: ErrorCode = error.code;
  switch (code) {
    case "invalid-request":
    case "context-too-long":
      return { status: 400, type: "invalid_request_error" };
    case "authentication":
      return { status: 401, type: "authentication_error" };
    case "budget-exceeded":
    case "upstream-payment-required":
      return { status: 402, type: "billing_error" };
    case "model-not-found":
    case "not-found":
      return { status: 404, type: "not_found_error" };
    case "conflict":
      return { status: 409, type: "invalid_request_error" };
    case "payload-too-large":
      return { status: 413, type: "request_too_large" };
    case "upstream-rate-limited":
      return { status: 429, type: "rate_limit_error" };
    case "upstream-busy":
      return { status: 529, type: "overloaded_error" };
    case "upstream-timeout":
      return { status: 504, type: "timeout_error" };
    case "upstream-invalid-request": {
      // The upstream refused what we sent: usually the caller's content, so keep its 4xx meaning.
      // A 401 there is about our key for the upstream, not the caller's: answering 401 would make
      // Claude Code ask the user to log in again.
      const upstreamStatus = httpStatusForCode(error);
      const status = upstreamStatus === 401 ? 400 : upstreamStatus;
      return { status, type: typeForClientStatus(status) };
    }
    case "aborted":
      // Nobody is listening; 499 is what the SDK calls ClientClosedRequestError, for the logs.
      return { status: 499, type: "api_error" };
    case "upstream-authentication":
    case "upstream-unreachable":
    case "upstream-error":
    case "internal":
      return { status: 500, type: "api_error" };
  }
}

function typeForClientStatus(status: number): AnthropicErrorType {
  switch (status) {
    case 402:
      return "billing_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    default:
      return "invalid_request_error";
  }
}

function anthropicErrorMessage(error: SwitchyardError): string {
  if (error.code !== "context-too-long") return error.message;
  const tokens = error.details?.tokens;
  const maximum = error.details?.max;
  if (typeof tokens === "number" && typeof maximum === "number") {
    return `prompt is too long: ${tokens} tokens > ${maximum} maximum`;
  }
  // Without figures, still lead with the phrase clients look for.
  return error.message.toLowerCase().startsWith("prompt is too long")
    ? error.message
    : `prompt is too long: ${error.message}`;
}
