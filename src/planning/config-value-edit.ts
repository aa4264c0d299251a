/**
 * Sets values in a config file the way a person would: a value the file already has is replaced
 * in place — every other byte stays, comments and layout included — and a key it does not have yet
 * is added through the `yaml` Document API (`setIn`), which keeps comments too. Used by
 * `switchyard engine profile --write`; `config-task-edit.ts` does the same for calibration's moves.
 */
import { isScalar, parseDocument } from "yaml";

export interface ConfigValueEdit {
  /** Key path, e.g. ["backends", "engine", "slots"]. */
  path: string[];
  value: string | number | boolean;
}

/** The config text with every edit applied, in order. */
export function setConfigValues(text: string, edits: readonly ConfigValueEdit[]): string {
  return edits.reduce(setConfigValue, text);
}

function setConfigValue(text: string, edit: ConfigValueEdit): string {
  const document = parseDocument(text);
  if (document.errors.length > 0) {
    throw new Error(`the config file is not valid YAML: ${document.errors[0]?.message.split("\n")[0]}`);
  }
  const current = document.getIn(edit.path, true);
  if (isScalar(current) && current.range) {
    if (current.value === edit.value) return text;
    const [start, end] = current.range;
    return text.slice(0, start) + scalarText(edit.value) + text.slice(end);
  }
  document.setIn(edit.path, edit.value);
  return document.toString();
}

function scalarText(value: string | number | boolean): string {
  if (typeof value !== "string") return String(value);
  return /^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(value) && !/^(true|false|null|~|\d[\d._]*)$/i.test(value)
    ? value
    : JSON.stringify(value);
}
