/**
 * Searching a directory tree for the fs server: by file-name glob, by literal text, or both. The
 * walk never follows a symlink (a link could lead out of the roots), skips `.git` and
 * `node_modules`, reads only regular text files under the read limit, and stops at the result
 * limit or when the caller gives up.
 */
import type { Dirent } from "node:fs";
import { open, readdir } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { READ_FLAGS } from "./fs-paths.js";

export interface SearchOptions {
  /** A glob such as `*.ts` (file names) or `src/**\/*.test.ts` (paths from the directory). */
  glob?: string;
  /** Literal text a matching file must contain; each matching line is reported. */
  text?: string;
  maxResults: number;
  /** Files larger than this are not searched for text. */
  maxFileBytes: number;
  signal: AbortSignal;
}

export interface SearchOutcome {
  /** `path` for a name match, `path:line: text` for a text match; paths relative to the directory. */
  matches: string[];
  truncated: boolean;
  /** Files too large (or binary) to search for text. */
  skipped: number;
}

const SKIPPED_DIRECTORIES = new Set([".git", "node_modules"]);
const LINE_CHARS = 240;

export async function searchTree(directory: string, options: SearchOptions): Promise<SearchOutcome> {
  const pattern = options.glob ? globToRegExp(options.glob) : undefined;
  const byPath = options.glob?.includes("/") ?? false;
  const outcome: SearchOutcome = { matches: [], truncated: false, skipped: 0 };
  const pending = [directory];
  while (pending.length > 0) {
    if (options.signal.aborted) break;
    const current = pending.shift()!;
    let entries: Dirent[];
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch {
      continue;
    }
    entries.sort((left, right) => left.name.localeCompare(right.name));
    for (const entry of entries) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRECTORIES.has(entry.name)) pending.push(path);
        continue;
      }
      if (!entry.isFile()) continue;
      const shown = relative(directory, path).split(sep).join("/");
      if (pattern && !pattern.test(byPath ? shown : entry.name)) continue;
      if (options.text === undefined) {
        outcome.matches.push(shown);
      } else {
        const lines = await matchingLines(path, options.text, options.maxFileBytes);
        if (lines === undefined) outcome.skipped += 1;
        else for (const line of lines) outcome.matches.push(`${shown}:${line}`);
      }
      if (outcome.matches.length >= options.maxResults) {
        outcome.truncated = outcome.matches.length > options.maxResults || pending.length > 0;
        outcome.matches.length = Math.min(outcome.matches.length, options.maxResults);
        return outcome;
      }
    }
  }
  return outcome;
}

/** `line: text` for each line holding `text`; undefined when the file is too large or binary. */
async function matchingLines(
  path: string,
  text: string,
  maxFileBytes: number,
): Promise<string[] | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, READ_FLAGS);
  } catch {
    return undefined;
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile() || stats.size > maxFileBytes) return undefined;
    const content = await handle.readFile();
    if (content.includes(0)) return undefined;
    const found: string[] = [];
    const lines = content.toString("utf8").split("\n");
    for (const [index, line] of lines.entries()) {
      if (line.includes(text))
        found.push(`${index + 1}: ${line.length > LINE_CHARS ? `${line.slice(0, LINE_CHARS)}…` : line}`);
    }
    return found;
  } finally {
    await handle.close();
  }
}

/** `*` any run within a name, `**` any run of directories, `?` one character, `{a,b}` either. */
export function globToRegExp(glob: string): RegExp {
  let source = "";
  let braces = 0;
  for (let index = 0; index < glob.length; index += 1) {
    const char = glob[index]!;
    if (char === "*" && glob[index + 1] === "*") {
      const slash = glob[index + 2] === "/";
      source += slash ? "(?:.*/)?" : ".*";
      index += slash ? 2 : 1;
    } else if (char === "*") source += "[^/]*";
    else if (char === "?") source += "[^/]";
    else if (char === "{") {
      braces += 1;
      source += "(?:";
    } else if (char === "}" && braces > 0) {
      braces -= 1;
      source += ")";
    } else if (char === "," && braces > 0) source += "|";
    else source += char.replace(/[.+^$(){}|[\]\\,]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}
