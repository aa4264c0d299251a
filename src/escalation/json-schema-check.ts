/**
 * Checks a JSON value against a caller's JSON Schema (structured output, tool parameters) with
 * zod 4's `z.fromJSONSchema`, which covers the subset models are asked for: type, properties,
 * required, items, enum, additionalProperties, and more. Compiled schemas are cached by their text,
 * because agents send the same tool schemas on every turn. A schema zod cannot read is not held
 * against the answer: the check reports nothing rather than a false failure.
 */
import { z } from "zod";
import type { JsonObject } from "../protocol/chat-types.js";

type Validator = z.ZodType | null;

const CACHE_LIMIT = 256;
const compiled = new Map<string, Validator>();

function validatorFor(schema: JsonObject): Validator {
  const key = JSON.stringify(schema);
  const cached = compiled.get(key);
  if (cached !== undefined) return cached;
  let validator: Validator;
  try {
    validator = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
  } catch {
    validator = null;
  }
  if (compiled.size >= CACHE_LIMIT) compiled.delete(compiled.keys().next().value!);
  compiled.set(key, validator);
  return validator;
}

/** Problems with `value` against `schema`, as "path: message" lines (at most `limit`); [] when valid. */
export function schemaProblems(value: unknown, schema: JsonObject, limit = 5): string[] {
  const validator = validatorFor(schema);
  if (!validator) return [];
  const result = validator.safeParse(value);
  if (result.success) return [];
  return result.error.issues.slice(0, limit).map((issue) => {
    const path = issue.path.length > 0 ? issue.path.map(String).join(".") : "(root)";
    return `${path}: ${issue.message}`;
  });
}
