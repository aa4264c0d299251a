/**
 * Sets values in a config file the way a person would, leaving every other byte alone — comments,
 * spacing, blank lines, key order. A value the file has is replaced where it stands; a key it does
 * not have is added as a new line at the end of the nearest mapping that exists (indented like its
 * keys), or inside a flow mapping (`{ … }`) before its closing brace. Only a shape neither fits
 * falls back to the `yaml` Document API (`setIn`), which re-serialises but still keeps comments.
 * Used by `switchyard engine profile --write`.
 */
import { isMap, isScalar, parseDocument, type YAMLMap } from "yaml";

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
  if (current === undefined) {
    let depth = edit.path.length - 1;
    while (depth > 0 && document.getIn(edit.path.slice(0, depth), true) === undefined) depth--;
    const parent = depth === 0 ? document.contents : document.getIn(edit.path.slice(0, depth), true);
    const rest = edit.path.slice(depth);
    if (isMap(parent) && parent.range) {
      const spliced = parent.flow
        ? insertIntoFlowMap(text, parent, rest, edit.value)
        : insertIntoBlockMap(text, parent, rest, edit.value);
      if (spliced !== undefined) return spliced;
    }
  }
  document.setIn(edit.path, edit.value);
  return document.toString();
}

/** New lines after the map's last entry, indented like its keys, nesting the rest of the path. */
function insertIntoBlockMap(
  text: string,
  map: YAMLMap,
  rest: string[],
  value: ConfigValueEdit["value"],
): string | undefined {
  const firstKey = map.items[0]?.key;
  if (!isScalar(firstKey) || !firstKey.range || !map.range) return undefined;
  const lineStart = text.lastIndexOf("\n", firstKey.range[0] - 1) + 1;
  const indent = text.slice(lineStart, firstKey.range[0]);
  if (!/^ *$/.test(indent)) return undefined;
  const at = map.range[1];
  const lines = rest.map((key, index) => {
    const head = `${indent}${"  ".repeat(index)}${scalarText(key)}:`;
    return index < rest.length - 1 ? `${head}\n` : `${head} ${scalarText(value)}\n`;
  });
  const separator = at === 0 || text[at - 1] === "\n" ? "" : "\n";
  return `${text.slice(0, at)}${separator}${lines.join("")}${text.slice(at)}`;
}

/** `, key: value` (or `key: { … }` for a deeper path) before the flow map's closing brace. */
function insertIntoFlowMap(
  text: string,
  map: YAMLMap,
  rest: string[],
  value: ConfigValueEdit["value"],
): string | undefined {
  if (!map.range) return undefined;
  const close = text.lastIndexOf("}", map.range[1] - 1);
  if (close <= map.range[0]) return undefined;
  const entry = rest.reduceRight<string>(
    (inner, key, index) =>
      index === rest.length - 1 ? `${scalarText(key)}: ${inner}` : `${scalarText(key)}: { ${inner} }`,
    scalarText(value),
  );
  const before = text.slice(0, close).replace(/\s+$/, "");
  const empty = before.endsWith("{");
  return `${before}${empty ? " " : ", "}${entry} ${text.slice(close)}`;
}

function scalarText(value: string | number | boolean): string {
  if (typeof value !== "string") return String(value);
  return /^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(value) && !/^(true|false|null|~|\d[\d._]*)$/i.test(value)
    ? value
    : JSON.stringify(value);
}
