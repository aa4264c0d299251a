/**
 * Prompt templates: text with `{{name}}` placeholders (letters, digits, `_`, `-` and `.`), filled
 * from a step's values. A template that names a value the step does not have is an error naming
 * it and the values there are, caught when the config or a YAML workflow is loaded rather than
 * halfway through a run.
 */
import { SwitchyardError } from "../errors/switchyard-error.js";

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;

/** The placeholder names a template uses, each once, in order of first use. */
export function placeholdersOf(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((match) => match[1]!))];
}

/** The placeholders of `template` that are not among `known`. */
export function unknownPlaceholders(template: string, known: readonly string[]): string[] {
  return placeholdersOf(template).filter((name) => !known.includes(name));
}

/** Fills every placeholder; throws "invalid-request" naming any the values lack. */
export function renderTemplate(
  template: string,
  values: Readonly<Record<string, string>>,
  where: string,
): string {
  const missing = unknownPlaceholders(template, Object.keys(values));
  if (missing.length > 0) {
    throw new SwitchyardError(
      "invalid-request",
      `${where}: the prompt uses ${missing.map((name) => `{{${name}}}`).join(", ")}, which this step does not have; it has ${Object.keys(
        values,
      )
        .map((name) => `{{${name}}}`)
        .join(", ")}`,
    );
  }
  return template.replace(PLACEHOLDER, (_match, name: string) => values[name] ?? "");
}
