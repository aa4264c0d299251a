/**
 * Fits what a simulated answer has to say (its facts: a record of field names to values) into
 * the JSON Schema the request asked for: each property takes the fact of its name when the fact
 * fits its type (arrays of records become arrays of the item schema, enums keep a fact that is
 * one of their values, numbers stay inside their bounds), and anything the facts do not cover
 * gets the smallest plausible value (simulated-json.ts). So the answer always fits the schema the
 * step asked for, whatever its author named the fields, and says as much as the facts allow.
 */
import { valueForSchema } from "./simulated-json.js";
import { SIMULATED_TAG } from "./simulated-markers.js";

type Schema = Record<string, unknown>;

/** A fact: what the simulated model knows for one field. */
export type Fact = string | number | boolean | null | readonly Fact[] | { readonly [key: string]: Fact };

const MAX_DEPTH = 8;

export function fitToSchema(schema: unknown, fact: Fact | undefined, name = "value", depth = 0): unknown {
  if (fact === undefined || typeof schema !== "object" || schema === null || depth > MAX_DEPTH)
    return valueForSchema(schema, name, depth);
  const fields = schema as Schema;
  if ("const" in fields) return fields.const;
  if (
    fact === null &&
    (fields.type === "null" || (Array.isArray(fields.type) && fields.type.includes("null")))
  )
    return null;
  if (Array.isArray(fields.enum))
    return fields.enum.includes(fact) ? fact : valueForSchema(schema, name, depth);
  for (const key of ["anyOf", "oneOf"] as const) {
    const options = fields[key];
    if (Array.isArray(options) && options.length > 0) {
      const fitting = options.find((option) => accepts(option, fact)) ?? options[0];
      return fitToSchema(fitting, fact, name, depth + 1);
    }
  }
  if (Array.isArray(fields.allOf)) {
    const parts = fields.allOf.filter((part) => typeof part === "object" && part !== null);
    return fitToSchema(Object.assign({}, ...parts), fact, name, depth + 1);
  }
  const type = typeOf(fields);
  switch (type) {
    case "object": {
      if (!isRecord(fact)) return valueForSchema(schema, name, depth);
      const properties = (fields.properties ?? {}) as Record<string, unknown>;
      if (Object.keys(properties).length === 0) return { ...fact };
      const value: Record<string, unknown> = {};
      for (const [key, property] of Object.entries(properties))
        value[key] = fitToSchema(property, factNamed(fact, key), key, depth + 1);
      return value;
    }
    case "array": {
      const items = Array.isArray(fact) ? (fact as readonly Fact[]) : [fact];
      const singular = name.replace(/s$/, "");
      const minimum = typeof fields.minItems === "number" ? fields.minItems : 0;
      const maximum = typeof fields.maxItems === "number" ? fields.maxItems : Number.POSITIVE_INFINITY;
      const filled = items
        .slice(0, maximum)
        .map((item) => fitToSchema(fields.items, item, singular, depth + 1));
      while (filled.length < minimum) filled.push(valueForSchema(fields.items, singular, depth + 1));
      return filled;
    }
    case "string": {
      if (typeof fact !== "string" && typeof fact !== "number") return valueForSchema(schema, name, depth);
      const text = String(fact);
      const maxLength = typeof fields.maxLength === "number" ? fields.maxLength : text.length;
      const minLength = typeof fields.minLength === "number" ? fields.minLength : 0;
      return text.slice(0, maxLength).padEnd(minLength, ".");
    }
    case "integer":
    case "number": {
      if (typeof fact !== "number") return valueForSchema(schema, name, depth);
      const bounded = Math.min(
        typeof fields.maximum === "number" ? fields.maximum : fact,
        Math.max(typeof fields.minimum === "number" ? fields.minimum : fact, fact),
      );
      return type === "integer" ? Math.round(bounded) : bounded;
    }
    case "boolean":
      return typeof fact === "boolean" ? fact : valueForSchema(schema, name, depth);
    case "null":
      return null;
    default:
      return fact;
  }
}

/** The fields a reader reads first, where a structured answer says it is simulated. */
const TAG_FIELDS = [
  "summary",
  "reason",
  "so_that",
  "reasons",
  "details",
  "guidance",
  "remedy",
  "suggestion",
  "title",
];

/**
 * Marks a structured answer simulated where it does not say so yet: at the end of the first of
 * its prose fields (a summary, a reason, …) that holds text, else of its longest sentence.
 */
export function markSimulated(value: unknown): unknown {
  if (JSON.stringify(value).includes(SIMULATED_TAG)) return value;
  const slots: Array<{ holder: Record<string | number, unknown>; key: string | number; text: string }> = [];
  const visit = (node: unknown) => {
    const entries: Array<[string | number, unknown]> = Array.isArray(node)
      ? node.map((item, index) => [index, item])
      : isRecord(node)
        ? Object.entries(node)
        : [];
    for (const [key, item] of entries) {
      if (typeof item === "string" && item.includes(" "))
        slots.push({ holder: node as Record<string | number, unknown>, key, text: item });
      else visit(item);
    }
  };
  visit(value);
  const rank = (slot: (typeof slots)[number]) => {
    const field = typeof slot.key === "number" ? undefined : slot.key;
    const index = field === undefined ? -1 : TAG_FIELDS.indexOf(field);
    return index === -1 ? TAG_FIELDS.length : index;
  };
  const chosen = slots.reduce<(typeof slots)[number] | undefined>((best, slot) => {
    if (!best) return slot;
    const difference = rank(slot) - rank(best);
    return difference < 0 ||
      (difference === 0 && rank(slot) === TAG_FIELDS.length && slot.text.length > best.text.length)
      ? slot
      : best;
  }, undefined);
  if (chosen) chosen.holder[chosen.key] = `${chosen.text} ${SIMULATED_TAG}`;
  return value;
}

/** The fact for a property: by its exact name, or spelled the other way (`openQuestions`, `open_questions`). */
function factNamed(fact: { readonly [key: string]: Fact }, key: string): Fact | undefined {
  if (key in fact) return fact[key];
  const snake = key
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/-/g, "_")
    .toLowerCase();
  if (snake in fact) return fact[snake];
  const camel = key.replace(/[_-]([a-z])/g, (_match, letter: string) => letter.toUpperCase());
  return camel in fact ? fact[camel] : undefined;
}

function typeOf(fields: Schema): unknown {
  if (Array.isArray(fields.type)) return fields.type.find((candidate) => candidate !== "null");
  return fields.type ?? (fields.properties ? "object" : fields.items ? "array" : undefined);
}

/** Whether a fact has the type an option of a union takes. */
function accepts(option: unknown, fact: Fact): boolean {
  if (typeof option !== "object" || option === null) return false;
  const fields = option as Schema;
  if (Array.isArray(fields.enum)) return fields.enum.includes(fact);
  const types = Array.isArray(fields.type) ? fields.type : [typeOf(fields)];
  if (fact === null) return types.includes("null");
  if (Array.isArray(fact)) return types.includes("array");
  if (typeof fact === "object") return types.includes("object");
  if (typeof fact === "number") return types.includes("number") || types.includes("integer");
  return types.includes(typeof fact);
}

function isRecord(value: unknown): value is { readonly [key: string]: Fact } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
