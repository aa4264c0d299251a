/**
 * How an error looks in each front door's protocol: OpenAI's `{error: {message, type, code}}` or
 * Anthropic's `{type: "error", error: {…}}`, with its HTTP status and a `retry-after` header when
 * the upstream gave one. The server picks the renderer by path prefix.
 */
import { httpStatusForCode, type SwitchyardError } from "../errors/switchyard-error.js";
import { anthropicErrorBody } from "../protocol/anthropic/anthropic-errors.js";
import { openAiErrorBody } from "../protocol/openai/chat-to-openai.js";

/** Renders an error in one protocol's shape. Each front door registers its own by path prefix. */
export type ErrorRenderer = (error: SwitchyardError) => {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
};

export const renderOpenAiError: ErrorRenderer = (error) => ({
  status: httpStatusForCode(error),
  body: openAiErrorBody(error),
  ...retryAfter(error),
});

export const renderAnthropicError: ErrorRenderer = (error) => ({
  ...anthropicErrorBody(error),
  ...retryAfter(error),
});

function retryAfter(error: SwitchyardError): { headers?: Record<string, string> } {
  return error.retryAfterSeconds
    ? { headers: { "retry-after": String(Math.ceil(error.retryAfterSeconds)) } }
    : {};
}
