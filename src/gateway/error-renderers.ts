/**
 * How an error looks in each front door's protocol: OpenAI's `{error: {message, type, code}}`,
 * Anthropic's `{type: "error", error: {…}}` or, on `/mcp`, a JSON-RPC error, with its HTTP status
 * and a `retry-after` header when the upstream gave one. The server picks the renderer by path
 * prefix.
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

/**
 * MCP's Streamable HTTP speaks JSON-RPC: an error before the SDK has the message (a missing
 * token, a body over the limit) has no request id to answer, so `id` is null.
 */
export const renderJsonRpcError: ErrorRenderer = (error) => {
  const status = httpStatusForCode(error);
  const code = error.code === "authentication" ? -32001 : status >= 500 ? -32603 : -32600;
  return {
    status,
    body: { jsonrpc: "2.0", id: null, error: { code, message: error.message } },
    ...(error.code === "authentication"
      ? { headers: { "www-authenticate": 'Bearer realm="switchyard"' } }
      : retryAfter(error)),
  };
};
