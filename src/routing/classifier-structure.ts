/**
 * The classifier's structural reading of one message: which lines are prose and which are pasted
 * material (fenced code, diffs, stack traces, test and linter output, conflict markers), counted
 * in one pass over the lines. Structure is the evidence that survives any wording — a merge
 * conflict is a merge conflict however the user phrases the question around it.
 */

import type { TaskKind } from "../config/task-kinds.js";
import { STRUCTURE_WEIGHTS } from "./classifier-rules.js";

export interface Structure {
  fences: number;
  codeLines: number;
  diffHeaders: number;
  plusLines: number;
  conflictOpen: number;
  conflictMiddle: number;
  conflictClose: number;
  traceFrames: number;
  traceHeaders: number;
  errorHeadlines: number;
  testOutputLines: number;
  lintOutputLines: number;
  /** Markdown list items (`- x`, `* x`, `1. x`): lists of tickets, items, criteria. */
  listItems: number;
  /** Prose lines with a question mark. */
  questionLines: number;
}

export interface Layout {
  prose: string;
  code: string;
  structure: Structure;
}

/** A structural finding, before the source weighting of the message it was found in. */
export interface StructureFinding {
  name: string;
  task: TaskKind;
  weight: number;
  evidence: string;
}

const TRACE_FRAME =
  /^\s+(at [\w$.<>[\]/ -]*\(?.*:\d+|File ".*", line \d+|\d+: 0x[0-9a-f]+|#\d+\s+0x[0-9a-f]+)/;
const TRACE_HEADER =
  /^(Traceback \(most recent call last\)|Exception in thread|panic:|thread '.*' panicked|Caused by:|Segmentation fault|fatal error:)/;
const ERROR_HEADLINE = /^(Uncaught )?[\w.]*(Error|Exception)(: |$)/;
/** TAP lines are `ok 1 - name`: the number keeps a reply like "ok do that" prose. */
const TEST_OUTPUT =
  /^\s*(✓|✗|×|√|✔|✘|(PASS|FAIL)\s|(ok|not ok) \d|---\s(PASS|FAIL):|Tests?:?\s+\d+|Test (Files|Suites):?\s+\d+|=+ .*\d+ (passed|failed)|\d+ (passing|failing)$)/;
const LINT_OUTPUT = /^(\.?[\w./-]+\.\w+):\d+(:\d+)?:?\s+\S|^\s*\d+:\d+\s+(error|warning)\s/;
const CODE_LINE_END = /[;{}]\s*$/;
const LIST_ITEM = /^\s{0,3}([-*•]|\d{1,2}[.)])\s+\S/;
/**
 * Trace, test and lint lines are short. Longer lines (minified code, one-line JSON) skip the
 * detectors above, some of which could otherwise backtrack quadratically on one huge line.
 */
const LONGEST_STRUCTURE_LINE = 400;

/**
 * One pass over the lines: fenced blocks, diff lines, traces and indented blocks go to `code`
 * (their words count for little — pasted code is full of "error", "test", "merge"), the rest to
 * `prose`; structural counts are taken on the way.
 */
export function splitProseAndCode(text: string): Layout {
  const structure: Structure = {
    fences: 0,
    codeLines: 0,
    diffHeaders: 0,
    plusLines: 0,
    conflictOpen: 0,
    conflictMiddle: 0,
    conflictClose: 0,
    traceFrames: 0,
    traceHeaders: 0,
    errorHeadlines: 0,
    testOutputLines: 0,
    lintOutputLines: 0,
    listItems: 0,
    questionLines: 0,
  };
  const prose: string[] = [];
  const code: string[] = [];
  let inFence = false;
  for (const line of text.split("\n")) {
    if (line.startsWith("```") || line.startsWith("~~~")) {
      if (!inFence) structure.fences++;
      inFence = !inFence;
      continue;
    }
    if (classifyLine(line, structure) || inFence) {
      structure.codeLines++;
      code.push(line);
    } else {
      if (line.length <= LONGEST_STRUCTURE_LINE && LIST_ITEM.test(line)) structure.listItems++;
      if (line.includes("?")) structure.questionLines++;
      prose.push(line);
    }
  }
  return { prose: prose.join("\n"), code: code.join("\n"), structure };
}

/** Counts what the line shows; returns true when it is code rather than prose. */
function classifyLine(line: string, structure: Structure): boolean {
  const first = line.charAt(0);
  switch (first) {
    case "<":
      if (line.startsWith("<<<<<<<")) {
        structure.conflictOpen++;
        return true;
      }
      break;
    case "=":
      if (line.startsWith("=======") && line.trimEnd().length === 7) {
        structure.conflictMiddle++;
        return true;
      }
      break;
    case ">":
      if (line.startsWith(">>>>>>>")) {
        structure.conflictClose++;
        return true;
      }
      break;
    case "|":
      if (line.startsWith("|||||||")) return true;
      break;
    case "d":
      if (line.startsWith("diff --git ")) {
        structure.diffHeaders++;
        return true;
      }
      break;
    case "@":
      if (line.startsWith("@@ ")) {
        structure.diffHeaders++;
        return true;
      }
      break;
    case "+":
      if (line.startsWith("+++ ")) structure.diffHeaders++;
      else structure.plusLines++;
      return true;
    case "-":
      if (line.startsWith("--- a/") || line.startsWith("--- ")) {
        if (/^--- (a\/|\S+\.\w+)/.test(line)) structure.diffHeaders++;
        return true;
      }
      // "- item" is a markdown bullet; "-    code" or "-code" is a removed diff line.
      if (line.length > 1 && !(line.charAt(1) === " " && line.charAt(2) !== " ")) return true;
      break;
  }
  if (line.length > LONGEST_STRUCTURE_LINE) return !looksLikeProse(line);
  if (TEST_OUTPUT.test(line)) {
    structure.testOutputLines++;
    return true;
  }
  if (first === " " || first === "\t") {
    if (TRACE_FRAME.test(line)) structure.traceFrames++;
    if (first === "\t" || line.startsWith("    ")) return true;
  }
  if (TRACE_HEADER.test(line)) {
    structure.traceHeaders++;
    return true;
  }
  if (ERROR_HEADLINE.test(line)) {
    structure.errorHeadlines++;
    return true;
  }
  if (LINT_OUTPUT.test(line)) {
    structure.lintOutputLines++;
    return true;
  }
  return CODE_LINE_END.test(line);
}

/**
 * Whether a long line is a paragraph of prose rather than minified code or one-line JSON: mostly
 * letters and spaces, with spaces between words. Some authors write a whole request as one line;
 * read as code, its words counted for next to nothing.
 */
function looksLikeProse(line: string): boolean {
  let letters = 0;
  let spaces = 0;
  for (let index = 0; index < line.length; index++) {
    const code = line.charCodeAt(index) | 32;
    if (code === 32) spaces++;
    else if ((code >= 97 && code <= 122) || code > 127) letters++;
  }
  return (letters + spaces) / line.length >= PROSE_SHARE && spaces / line.length >= PROSE_SPACE_SHARE;
}

/** English prose is ~80% letters and ~16% spaces; minified code and JSON are far below one or both. */
const PROSE_SHARE = 0.75;
const PROSE_SPACE_SHARE = 0.08;

export function hasConflictMarkers(structure: Structure): boolean {
  return structure.conflictOpen > 0 && structure.conflictMiddle + structure.conflictClose > 0;
}

export function hasDiff(structure: Structure): boolean {
  return structure.diffHeaders > 0 || structure.plusLines >= 2;
}

export function hasStackTrace(structure: Structure): boolean {
  return structure.traceHeaders > 0 || structure.traceFrames >= 2;
}

export function hasCode(structure: Structure): boolean {
  return structure.codeLines >= 2 || structure.fences >= 1;
}

/** The hand-weighted votes of the structure (STRUCTURE_WEIGHTS), named `structure:<what>`. */
export function structureFindings(structure: Structure): StructureFinding[] {
  const weights = STRUCTURE_WEIGHTS;
  const findings: StructureFinding[] = [];
  const add = (name: string, task: TaskKind, weight: number, evidence: string) =>
    findings.push({ name: `structure:${name}`, task, weight, evidence });

  if (hasConflictMarkers(structure)) {
    const markers = structure.conflictOpen + structure.conflictMiddle + structure.conflictClose;
    add(
      "merge-conflict-markers",
      "conflict-resolution",
      weights.conflictMarkers,
      `<<<<<<< … >>>>>>> (${markers} markers)`,
    );
  }
  if (hasDiff(structure)) {
    const evidence = `diff (${structure.diffHeaders} headers, ${structure.plusLines} added lines)`;
    add("diff", "code-review", weights.diffForReview, evidence);
    add("diff", "commit-message", weights.diffForCommit, evidence);
  }
  const trace = hasStackTrace(structure);
  if (trace) {
    add("stack-trace", "bug-hunting", weights.stackTrace, `${structure.traceFrames} frames`);
  } else if (structure.errorHeadlines > 0 && structure.testOutputLines === 0) {
    add("error-message", "bug-hunting", weights.errorHeadline, "an error line");
  }
  if (structure.testOutputLines >= 2) {
    add(
      "test-run-output",
      "qa-verification",
      weights.testOutput,
      `${structure.testOutputLines} test result lines`,
    );
  }
  if (structure.lintOutputLines >= 1 && !trace) {
    add("linter-output", "lint", weights.lintOutput, `${structure.lintOutputLines} file:line diagnostics`);
  }
  if (structure.codeLines >= 3 || structure.fences > 0) {
    add("code-present", "code-generation", weights.codePresent, `${structure.codeLines} code lines`);
  }
  return findings;
}
