/**
 * JSON parsing that never throws, for text that comes from outside (upstream bodies, stream lines,
 * model answers, files, database columns). Two shapes: `parseJson` when the caller reports why the
 * text is not JSON, and `parseJsonOrUndefined` for hot paths and for callers that only need "JSON
 * or not" — it returns the value itself, so a stream decoder allocates nothing per line beyond what
 * `JSON.parse` builds, and asks `jsonParseError` for the reason only when a line fails.
 */

export type JsonParse = { ok: true; value: unknown } | { ok: false; error: string };

/** `JSON.parse` without throwing; the error names where parsing stopped. */
export function parseJson(text: string): JsonParse {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: whereParsingStopped(error, text) };
  }
}

/**
 * The parsed value, or undefined when `text` is not JSON. JSON has no `undefined`, so the two
 * cannot be confused; call `parseJson` on the failure path when the reason is wanted.
 */
export function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Why `text` is not JSON, naming where parsing stopped; undefined when it is JSON. */
export function jsonParseError(text: string): string | undefined {
  const parsed = parseJson(text);
  return parsed.ok ? undefined : parsed.error;
}

/**
 * V8 names the position ("… in JSON at position 7") or quotes the offending token and the text
 * around it ("Unexpected token 'o', "not json" is not valid JSON"), except when the text simply
 * stops: that message is given the position of the end, so every error says where.
 */
function whereParsingStopped(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : String(error);
  if (message === "Unexpected end of JSON input") return `${message} at position ${text.length}`;
  return message;
}
