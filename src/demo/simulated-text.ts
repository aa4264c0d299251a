/**
 * Reading a request the way the simulated answers need it: the subject of the ask in a few words,
 * the code it contains (fenced blocks, else the lines that look like code), the files and line
 * counts of a diff, and conflict markers. Pure functions over text.
 */
import { extractCodeFiles } from "../escalation/code-blocks.js";

/** The ask in a few words: its first sentence without the polite opening and the verb. */
export function subjectOf(request: string): string {
  const prose = request
    .replace(/```[\s\S]*?(```|$)/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  const sentence = (/^(.+?[.?!:])(\s|$)/.exec(prose)?.[1] ?? prose).replace(/[.?!:]+$/, "");
  const stripped = sentence
    .replace(/^(please\s+|hey\s+|ok(ay)?,?\s+)?((can|could|would) you\s+)?(please\s+)?/i, "")
    .replace(
      /^(write|draft|create|generate|make|build|implement|review|find|analy[sz]e|suggest|explain|describe|elaborate on|elaborate|groom|plan|design|decide|verify|check|hunt for|hunt|investigate|resolve|refactor|lint|fix|add|give me|help me with|help with|tell me about|propose)\s+/i,
      "",
    )
    .replace(/^(a|an|the|me|us|some)\s+/i, "")
    .replace(/^(idea|question|problem) of\s+/i, "");
  const words = stripped.split(" ").filter((word) => word !== "");
  const short = words.slice(0, 12).join(" ");
  const subject = short.length > 90 ? `${short.slice(0, 87).replace(/\s+\S*$/, "")}…` : short;
  return subject === "" ? "the request" : subject;
}

export interface FoundCode {
  /** A file name when the code named one. */
  path: string | undefined;
  language: string;
  lines: string[];
}

/** Code in the conversation: the last fenced block, else the run of lines that look like code. */
export function codeIn(text: string): FoundCode | undefined {
  // A lone closing fence reads as an empty block opening: only blocks with code count.
  const files = extractCodeFiles(text).filter((file) => file.content.trim() !== "");
  const last = files.at(-1);
  if (last) {
    const named = /^answer(-\d+)?\./.test(last.path) ? undefined : last.path;
    return { path: named, language: last.language, lines: last.content.split("\n") };
  }
  // A fence opened mid-line ("Review: ```ts") is no fenced block to the gate, but it is code.
  const inline = /```([\w+-]*)[^\n]*\n([\s\S]*?)```/.exec(text);
  if (inline)
    return { path: undefined, language: inline[1] || "ts", lines: inline[2]!.replace(/\n$/, "").split("\n") };
  const looksLikeCode = /[;{}]\s*$|^\s*(export |import |function |const |let |class |def |return |if \()/;
  const lines = text.split("\n").filter((line) => looksLikeCode.test(line));
  return lines.length > 0 ? { path: undefined, language: "ts", lines } : undefined;
}

export interface DiffSummary {
  files: string[];
  added: number;
  removed: number;
}

/** The files a unified diff touches and its added and removed line counts; undefined for no diff. */
export function diffIn(text: string): DiffSummary | undefined {
  const files = new Set<string>();
  let added = 0;
  let removed = 0;
  for (const line of text.split("\n")) {
    const header = /^diff --git a\/(\S+) b\/(\S+)/.exec(line) ?? /^\+\+\+ b\/(\S+)/.exec(line);
    if (header) files.add((header[2] ?? header[1])!);
    else if (line.startsWith("+") && !line.startsWith("+++")) added++;
    else if (line.startsWith("-") && !line.startsWith("---")) removed++;
  }
  return files.size > 0 ? { files: [...files], added, removed } : undefined;
}

export interface ConflictHunk {
  ours: string[];
  theirs: string[];
  oursLabel: string;
  theirsLabel: string;
}

/** Git conflict hunks (`<<<<<<<`, `=======`, `>>>>>>>`) with what lies around them. */
export function conflictsIn(text: string): { hunks: ConflictHunk[]; outside: string[][] } | undefined {
  const lines = text.split("\n");
  const hunks: ConflictHunk[] = [];
  const outside: string[][] = [[]];
  let hunk: ConflictHunk | undefined;
  let side: "ours" | "theirs" = "ours";
  for (const line of lines) {
    if (line.startsWith("<<<<<<<")) {
      hunk = { ours: [], theirs: [], oursLabel: line.slice(7).trim() || "ours", theirsLabel: "theirs" };
      side = "ours";
    } else if (hunk && line.startsWith("=======")) {
      side = "theirs";
    } else if (hunk && line.startsWith(">>>>>>>")) {
      hunk.theirsLabel = line.slice(7).trim() || "theirs";
      hunks.push(hunk);
      outside.push([]);
      hunk = undefined;
    } else if (hunk) {
      hunk[side].push(line);
    } else {
      outside.at(-1)!.push(line);
    }
  }
  return hunks.length > 0 ? { hunks, outside } : undefined;
}

/** Turns "Exporting invoices as CSV" into "exporting invoices as CSV" (acronyms kept). */
export function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text;
}

export function upperFirst(text: string): string {
  return text === "" ? text : text[0]!.toUpperCase() + text.slice(1);
}
