/**
 * Writes calibration's moves into a config file the way a person would: only the `alias` of each
 * moved task changes and every other byte stays — comments, blank lines, spacing, key order. The
 * `yaml` Document API finds the value's exact source range, and the new alias is spliced in there;
 * a task the file does not mention yet gets one line added under `tasks:`. Only a shape that
 * cannot be edited in place (a flow-style `tasks: {…}`) falls back to `setIn` and re-serialising,
 * which still keeps comments. Plus a unified-style diff to show before writing.
 */
import { isMap, isScalar, parseDocument } from "yaml";
import type { TaskMove } from "./calibration-report.js";

/** The config text with `tasks.<task>.alias` set for each move. */
export function applyTaskMoves(text: string, moves: readonly TaskMove[]): string {
  return moves.reduce(applyTaskMove, text);
}

function applyTaskMove(text: string, move: TaskMove): string {
  const document = parseDocument(text);
  if (document.errors.length > 0) {
    throw new Error(`the config file is not valid YAML: ${document.errors[0]?.message.split("\n")[0]}`);
  }
  const value = yamlScalar(move.toAlias);
  const current = document.getIn(["tasks", move.task, "alias"], true);
  if (isScalar(current) && current.range) {
    const [start, end] = current.range;
    return text.slice(0, start) + value + text.slice(end);
  }
  const tasks = document.get("tasks", true);
  const root = document.contents;
  if (tasks === undefined && isMap(root) && !root.flow) {
    const separator = text === "" || text.endsWith("\n") ? "" : "\n";
    return `${text}${separator}tasks:\n  ${move.task}: { alias: ${value} }\n`;
  }
  const firstKey = isMap(tasks) && !tasks.flow ? tasks.items[0]?.key : undefined;
  if (document.getIn(["tasks", move.task]) === undefined && isScalar(firstKey) && firstKey.range) {
    // A new line just above the first task, indented like it.
    const lineStart = text.lastIndexOf("\n", firstKey.range[0] - 1) + 1;
    const indent = text.slice(lineStart, firstKey.range[0]);
    if (/^ *$/.test(indent)) {
      return `${text.slice(0, lineStart)}${indent}${move.task}: { alias: ${value} }\n${text.slice(lineStart)}`;
    }
  }
  document.setIn(["tasks", move.task, "alias"], move.toAlias);
  return document.toString();
}

function yamlScalar(value: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(value) ? value : JSON.stringify(value);
}

/**
 * A unified-style line diff (`---`/`+++`, `@@` hunks, 3 lines of context); "" when equal.
 * `newLabel` follows the name on the `+++` line.
 */
export function unifiedDiff(
  name: string,
  before: string,
  after: string,
  options: { context?: number; newLabel?: string } = {},
): string {
  if (before === after) return "";
  const context = options.context ?? 3;
  const oldLines = before.split("\n");
  const newLines = after.split("\n");
  const operations = diffLines(oldLines, newLines);
  const output = [`--- ${name}`, `+++ ${name} (${options.newLabel ?? "calibrated"})`];
  let index = 0;
  while (index < operations.length) {
    if (operations[index]!.kind === " ") {
      index++;
      continue;
    }
    // A hunk: back up for context, then run until `2 × context` unchanged lines in a row.
    let start = index;
    for (let back = 0; back < context && start > 0 && operations[start - 1]!.kind === " "; back++) start--;
    let end = index;
    let unchanged = 0;
    while (end < operations.length && unchanged <= 2 * context) {
      unchanged = operations[end]!.kind === " " ? unchanged + 1 : 0;
      end++;
    }
    end -= Math.max(0, unchanged - context);
    const hunk = operations.slice(start, end);
    const first = hunk[0]!;
    const oldCount = hunk.filter((operation) => operation.kind !== "+").length;
    const newCount = hunk.filter((operation) => operation.kind !== "-").length;
    output.push(`@@ -${first.oldLine + 1},${oldCount} +${first.newLine + 1},${newCount} @@`);
    for (const operation of hunk) output.push(`${operation.kind}${operation.text}`);
    index = end;
  }
  return `${output.join("\n")}\n`;
}

interface LineOperation {
  kind: " " | "-" | "+";
  text: string;
  /** Position in the old and new text where this operation sits. */
  oldLine: number;
  newLine: number;
}

/** Longest-common-subsequence diff; config files are small, so O(n·m) is fine. */
function diffLines(oldLines: readonly string[], newLines: readonly string[]): LineOperation[] {
  const rows = oldLines.length;
  const columns = newLines.length;
  const lengths = Array.from({ length: rows + 1 }, () => new Uint32Array(columns + 1));
  for (let row = rows - 1; row >= 0; row--) {
    for (let column = columns - 1; column >= 0; column--) {
      lengths[row]![column] =
        oldLines[row] === newLines[column]
          ? lengths[row + 1]![column + 1]! + 1
          : Math.max(lengths[row + 1]![column]!, lengths[row]![column + 1]!);
    }
  }
  const operations: LineOperation[] = [];
  let row = 0;
  let column = 0;
  while (row < rows || column < columns) {
    if (row < rows && column < columns && oldLines[row] === newLines[column]) {
      operations.push({ kind: " ", text: oldLines[row]!, oldLine: row++, newLine: column++ });
    } else if (
      row < rows &&
      (column === columns || lengths[row + 1]![column]! >= lengths[row]![column + 1]!)
    ) {
      operations.push({ kind: "-", text: oldLines[row]!, oldLine: row++, newLine: column });
    } else {
      operations.push({ kind: "+", text: newLines[column]!, oldLine: row, newLine: column++ });
    }
  }
  return operations;
}
