/**
 * Which Anthropic request headers travel on to the back end. Claude Code's gateway contract says a
 * gateway must forward `anthropic-beta` (and `anthropic-version`): the betas switch on features
 * such as interleaved thinking and the 1M context window. They mean something only to Anthropic's
 * own models, so they are forwarded only to an Anthropic model served by an OpenAI-compatible back
 * end (OpenRouter ids start with `anthropic/`); a local model never sees them. Pure: the front door
 * keeps the caller's headers (`anthropicRequestHeaders`), the dispatcher decides per rung
 * (`anthropicForwardHeaders`), because each rung may be a different model.
 */

/** The headers this module cares about, from an incoming request (Node's lower-cased headers). */
export function anthropicRequestHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> | undefined {
  const beta = headerText(headers["anthropic-beta"]);
  return beta ? { "anthropic-beta": beta } : undefined;
}

/**
 * Extra upstream headers for one rung: `anthropic-beta` when `model` is an Anthropic model on an
 * OpenAI-compatible back end (`anthropic/claude-sonnet-4.5`), otherwise none.
 */
export function anthropicForwardHeaders(
  model: string,
  headers: Record<string, string | string[] | undefined> | undefined,
): Record<string, string> | undefined {
  if (!headers || !model.startsWith("anthropic/")) return undefined;
  return anthropicRequestHeaders(headers);
}

/** Repeated headers join with commas, as HTTP allows for list-valued headers. */
function headerText(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value.join(",") : value;
  const trimmed = text?.trim();
  return trimmed ? trimmed : undefined;
}
