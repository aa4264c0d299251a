/**
 * Structured output from the simulated models: for a JSON Schema, the smallest plausible value
 * that fits it (every property filled, enums and consts honoured, numbers inside their bounds,
 * free strings tagged `[simulated]`); for plain JSON mode, an object carrying the answer's text.
 * `$ref`s are not followed: they get an empty object.
 */
import { SIMULATED_TAG } from "./simulated-markers.js";

type Schema = Record<string, unknown>;

const MAX_DEPTH = 8;

export function valueForSchema(schema: unknown, name = "value", depth = 0): unknown {
  if (typeof schema !== "object" || schema === null || depth > MAX_DEPTH) return null;
  const fields = schema as Schema;
  if ("const" in fields) return fields.const;
  if (Array.isArray(fields.enum) && fields.enum.length > 0) return fields.enum[0];
  for (const key of ["anyOf", "oneOf"] as const) {
    const options = fields[key];
    if (Array.isArray(options) && options.length > 0) {
      const chosen = options.find((option) => (option as Schema)?.type !== "null") ?? options[0];
      return valueForSchema(chosen, name, depth + 1);
    }
  }
  if (Array.isArray(fields.allOf)) {
    const merged = Object.assign(
      {},
      ...fields.allOf.filter((part) => typeof part === "object" && part !== null),
    );
    return valueForSchema(merged, name, depth + 1);
  }
  const type = Array.isArray(fields.type)
    ? fields.type.find((candidate) => candidate !== "null")
    : (fields.type ?? (fields.properties ? "object" : fields.items ? "array" : undefined));
  switch (type) {
    case "object": {
      const properties = (fields.properties ?? {}) as Record<string, unknown>;
      const value: Record<string, unknown> = {};
      for (const [key, property] of Object.entries(properties))
        value[key] = valueForSchema(property, key, depth + 1);
      if (Object.keys(properties).length === 0 && fields.additionalProperties !== false)
        value.simulated = true;
      return value;
    }
    case "array": {
      const count = Math.max(1, typeof fields.minItems === "number" ? fields.minItems : 1);
      const singular = name.replace(/s$/, "");
      return Array.from({ length: count }, () => valueForSchema(fields.items, singular, depth + 1));
    }
    case "string":
      return stringValue(fields, name);
    case "integer":
    case "number": {
      const minimum = typeof fields.minimum === "number" ? fields.minimum : undefined;
      const maximum = typeof fields.maximum === "number" ? fields.maximum : undefined;
      const middle =
        minimum !== undefined && maximum !== undefined
          ? (minimum + maximum) / 2
          : (minimum ?? Math.min(1, maximum ?? 1));
      return type === "integer" ? Math.ceil(middle) : middle;
    }
    case "boolean":
      return true;
    case "null":
      return null;
    default:
      return `${SIMULATED_TAG} ${name}`;
  }
}

function stringValue(fields: Schema, name: string): string {
  if (fields.format === "date-time") return new Date().toISOString();
  if (fields.format === "date") return new Date().toISOString().slice(0, 10);
  if (fields.format === "uri" || fields.format === "url") return "https://example.com/simulated";
  const text = `${SIMULATED_TAG} ${name.replace(/[_-]+/g, " ")}`;
  const maxLength = typeof fields.maxLength === "number" ? fields.maxLength : Number.POSITIVE_INFINITY;
  const minLength = typeof fields.minLength === "number" ? fields.minLength : 0;
  return text.padEnd(minLength, ".").slice(0, maxLength);
}

/** JSON mode without a schema: the answer's text in an object that says it is simulated. */
export function jsonModeAnswer(task: string, text: string, model: string): string {
  return JSON.stringify({ task, answer: text, simulated: true, model });
}
