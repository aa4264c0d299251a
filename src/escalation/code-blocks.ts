/**
 * Pulls the code out of an answer so the executable gate can run checks on it: fenced blocks
 * (``` or ~~~), each named by its info string (`ts title="src/x.ts"`, `ts:src/x.ts`, `src/x.ts`),
 * by a first-line comment (`// file: x.ts`, `# file: x.py`) or by a file name alone on the line
 * before the fence (`**src/x.ts**`). Unnamed blocks become `answer.<ext>`, `answer-2.<ext>`, … so a
 * command can name `answer.ts`. Names that would leave the scratch directory are not honoured.
 */
import { normalize } from "node:path";

export interface CodeFile {
  /** A relative path inside the scratch directory. */
  path: string;
  language: string;
  content: string;
}

const EXTENSIONS: Readonly<Record<string, string>> = {
  ts: "ts",
  typescript: "ts",
  tsx: "tsx",
  js: "js",
  javascript: "js",
  jsx: "jsx",
  mjs: "mjs",
  cjs: "cjs",
  py: "py",
  python: "py",
  rb: "rb",
  ruby: "rb",
  go: "go",
  rs: "rs",
  rust: "rs",
  java: "java",
  kt: "kt",
  kotlin: "kt",
  c: "c",
  cpp: "cpp",
  "c++": "cpp",
  cs: "cs",
  csharp: "cs",
  swift: "swift",
  php: "php",
  sh: "sh",
  bash: "sh",
  shell: "sh",
  zsh: "sh",
  json: "json",
  yaml: "yaml",
  yml: "yaml",
  toml: "toml",
  sql: "sql",
  html: "html",
  css: "css",
  md: "md",
  markdown: "md",
};

const OPENING = /^ {0,3}(`{3,}|~{3,})[ \t]*([^\n`]*)$/;
const FILE_COMMENT = /^\s*(?:\/\/|#|--|;|\/\*|<!--)\s*file(?:name)?\s*:\s*([^\s*]+?)\s*(?:\*\/|-->)?\s*$/i;
const FILE_NAME = /^[\w@.+-]+(?:\/[\w@.+-]+)*\.[A-Za-z0-9]+$/;
const LABEL_LINE = /^\s*(?:#+\s*)?(?:\*\*|`|__)?([\w@.+/-]+\.[A-Za-z0-9]+)(?:\*\*|`|__)?:?\s*$/;

/** Every fenced code block of `text`, with a safe relative path each. */
export function extractCodeFiles(text: string): CodeFile[] {
  const lines = text.split("\n");
  const files: CodeFile[] = [];
  const unnamedCount = new Map<string, number>();
  for (let index = 0; index < lines.length; index++) {
    const opening = OPENING.exec(lines[index]!);
    if (!opening) continue;
    const fence = opening[1]!;
    const info = opening[2]!.trim();
    const body: string[] = [];
    let closed = index + 1;
    while (closed < lines.length && !isClosing(lines[closed]!, fence)) body.push(lines[closed++]!);
    const language = languageOf(info);
    const named =
      nameFromInfo(info) ??
      (body[0] ? safePath(FILE_COMMENT.exec(body[0])?.[1]) : undefined) ??
      (index > 0 ? safePath(LABEL_LINE.exec(lines[index - 1]!)?.[1]) : undefined);
    const extension = EXTENSIONS[language] ?? (named ? "" : "txt");
    let path = named;
    if (!path) {
      const count = (unnamedCount.get(extension) ?? 0) + 1;
      unnamedCount.set(extension, count);
      path = count === 1 ? `answer.${extension}` : `answer-${count}.${extension}`;
    }
    files.push({ path, language, content: `${body.join("\n")}\n` });
    index = closed;
  }
  return mergeSameNames(files);
}

function isClosing(line: string, fence: string): boolean {
  const trimmed = line.trim();
  return trimmed.length >= fence.length && trimmed === fence[0]!.repeat(trimmed.length);
}

function languageOf(info: string): string {
  const first = info.split(/[\s:{]/)[0]?.toLowerCase() ?? "";
  if (EXTENSIONS[first]) return first;
  const extension = /\.([A-Za-z0-9]+)$/.exec(first)?.[1]?.toLowerCase();
  return extension && EXTENSIONS[extension] ? extension : first;
}

/** `ts title="x.ts"`, `ts file=x.ts`, `ts:src/x.ts`, `src/x.ts`, `typescript src/x.ts`. */
function nameFromInfo(info: string): string | undefined {
  const attribute = /(?:title|file|filename|name)=["']?([^"'\s]+)/i.exec(info)?.[1];
  if (attribute) return safePath(attribute);
  const afterColon = /^[\w+-]+:(\S+)$/.exec(info)?.[1];
  if (afterColon) return safePath(afterColon);
  const word = info.split(/\s+/).find((token) => FILE_NAME.test(token));
  return word ? safePath(word) : undefined;
}

/** A relative path that stays inside the scratch directory, or undefined. */
export function safePath(candidate: string | undefined): string | undefined {
  if (!candidate) return undefined;
  const cleaned = candidate.replace(/^\.\//, "");
  if (!FILE_NAME.test(cleaned)) return undefined;
  const normalized = normalize(cleaned);
  if (normalized.startsWith("..") || normalized.startsWith("/") || normalized.includes("/../"))
    return undefined;
  return normalized;
}

/** A model that shows the same file twice (before and after) means the last version. */
function mergeSameNames(files: CodeFile[]): CodeFile[] {
  const byPath = new Map<string, CodeFile>();
  for (const file of files) byPath.set(file.path, file);
  return [...byPath.values()];
}
