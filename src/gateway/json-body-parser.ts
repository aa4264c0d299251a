/**
 * The JSON body parser of every front door: Fastify's own (the same prototype-poisoning checks),
 * behind a bound on how deep the JSON nests. A body nested a few thousand levels deep parses, then
 * overflows the stack in whatever walks it next (validation, token counting, the converters), which
 * answered 500 "Maximum call stack size exceeded"; it is refused here with a 400 instead.
 *
 * The bound costs one pass over the body's structure without recursion. Strings — nearly all of a
 * chat request — are skipped with `indexOf`, so only the brackets, commas and keys outside them are
 * looked at: about a microsecond for a 2,000-token request (`bench/json-depth-bench.ts`).
 */
import type { FastifyInstance } from "fastify";
import { SwitchyardError } from "../errors/switchyard-error.js";

/** Far deeper than any real request (a tool's JSON schema rarely passes 20), far below the stack. */
export const MAX_JSON_DEPTH = 128;

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const OPEN_BRACKET = 91;
const CLOSE_BRACE = 125;
const CLOSE_BRACKET = 93;

/**
 * True when objects and arrays nest more than `limit` deep anywhere in `text`. Brackets inside
 * strings do not count. It does not validate: JSON.parse does that next.
 */
export function jsonNestingExceeds(text: string, limit: number): boolean {
  let depth = 0;
  const length = text.length;
  for (let index = 0; index < length; index++) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) {
      let end = text.indexOf('"', index + 1);
      while (end !== -1 && isEscaped(text, end)) end = text.indexOf('"', end + 1);
      // An unterminated string: not JSON, and nothing after it counts; JSON.parse will say so.
      if (end === -1) return false;
      index = end;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (++depth > limit) return true;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

/** A quote preceded by an odd number of backslashes is part of the string. */
function isEscaped(text: string, quoteIndex: number): boolean {
  let backslashes = 0;
  for (let index = quoteIndex - 1; text.charCodeAt(index) === BACKSLASH; index--) backslashes++;
  return backslashes % 2 === 1;
}

/** Replaces Fastify's `application/json` parser with the same parser behind the depth bound. */
export function registerJsonBodyParser(app: FastifyInstance, maxDepth = MAX_JSON_DEPTH): void {
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    if (jsonNestingExceeds(body as string, maxDepth)) {
      done(
        new SwitchyardError(
          "invalid-request",
          `The request body nests JSON more than ${maxDepth} levels deep, which Switchyard refuses; flatten the structure (tool schemas and arguments included)`,
        ),
        undefined,
      );
      return;
    }
    parseJson(request, body as string, done);
  });
}
