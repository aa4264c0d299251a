/**
 * A backlog as the `groom` workflow reads it, made into stories without a model: a Markdown file
 * with one story per heading (the shallowest heading level that appears more than once; text
 * before the first is the backlog's own), a JSON file holding an array of stories (or
 * `{ "stories": [...] }`), or a folder of them — there each Markdown file is one story, and each
 * JSON file one story or an array. A story's id is the one it gives (`"id"`, or a heading that
 * starts `US-12:` / `[PROJ-3]` / `#7`), else its file's name in a folder, else `S<n>` in order.
 * Every problem names the file and, where there is one, the line.
 */
import { basename, extname } from "node:path";
import { isMap, isSeq, LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { SwitchyardError } from "../../errors/switchyard-error.js";

export interface BacklogStory {
  id: string;
  title: string;
  /** The story as written: its Markdown body, or a JSON story's other fields as lines. */
  text: string;
  /** Where it was found: `backlog.md:12`, `stories/export.md`, `backlog.json:4`. */
  source: string;
}

export interface BacklogFile {
  /** As shown in messages (relative to the backlog's folder, or the file's name). */
  name: string;
  content: string;
}

/** File kinds a backlog folder's stories are read from. */
export const BACKLOG_EXTENSIONS = new Set([".md", ".markdown", ".json"]);
const MAX_STORIES = 500;
const ID_IN_TITLE = /^\[?([A-Za-z][A-Za-z0-9]*-\d+|#\d+)\]?\s*[:.\-–—]?\s+(.+)$/;
const HEADING = /^(#{1,6})\s+(.+?)\s*#*\s*$/;

/** The stories of one backlog file (`wholeFile`: a Markdown file is one story, as in a folder). */
export function storiesOfFile(file: BacklogFile, wholeFile: boolean): BacklogStory[] {
  if (extname(file.name).toLowerCase() === ".json") return storiesOfJson(file);
  return wholeFile ? [wholeMarkdownStory(file)] : storiesOfMarkdown(file);
}

/** The backlog's stories in order, ids unique; one clear line when there are none or ids repeat. */
export function backlogStories(files: readonly BacklogFile[], folder: boolean): BacklogStory[] {
  const stories: BacklogStory[] = [];
  for (const file of files) {
    for (const story of storiesOfFile(file, folder)) {
      stories.push({ ...story, id: story.id || `S${stories.length + 1}` });
    }
  }
  if (stories.length === 0)
    throw new SwitchyardError(
      "invalid-request",
      folder
        ? "The backlog folder holds no stories (.md files, one story each, or .json files)"
        : `${files[0]?.name ?? "The backlog"} holds no stories; give each story a heading (## per story) or a JSON array`,
    );
  if (stories.length > MAX_STORIES)
    throw new SwitchyardError(
      "invalid-request",
      `The backlog has ${stories.length} stories; groom at most ${MAX_STORIES} at a time (split it into folders)`,
    );
  const seen = new Map<string, BacklogStory>();
  for (const story of stories) {
    const key = story.id.toLowerCase();
    const first = seen.get(key);
    if (first)
      throw new SwitchyardError(
        "invalid-request",
        `${story.source}: story id "${story.id}" is used twice (also at ${first.source}); give each story its own id`,
      );
    seen.set(key, story);
  }
  return stories;
}

function storiesOfMarkdown(file: BacklogFile): BacklogStory[] {
  const lines = file.content.split(/\r?\n/);
  const headings = markdownHeadings(lines);
  const counts = new Map<number, number>();
  for (const heading of headings) counts.set(heading.level, (counts.get(heading.level) ?? 0) + 1);
  const level = [...counts.entries()]
    .filter(([, count]) => count > 1)
    .map(([depth]) => depth)
    .sort()[0];
  if (level === undefined) return file.content.trim() === "" ? [] : [wholeMarkdownStory(file)];
  const starts = headings.filter((heading) => heading.level === level);
  return starts.map((heading, index) => {
    const end = starts[index + 1]?.line ?? lines.length;
    // A shallower heading ends the story too (a new part of the backlog).
    const stop = headings.find(
      (other) => other.line > heading.line && other.line < end && other.level < level,
    );
    const body = lines
      .slice(heading.line + 1, stop?.line ?? end)
      .join("\n")
      .trim();
    return storyFromTitle(heading.title, body, `${file.name}:${heading.line + 1}`);
  });
}

function wholeMarkdownStory(file: BacklogFile): BacklogStory {
  const lines = file.content.split(/\r?\n/);
  const first = markdownHeadings(lines)[0];
  const fileId = basename(file.name, extname(file.name));
  if (!first) return { id: fileId, title: fileId, text: file.content.trim(), source: file.name };
  const body = [...lines.slice(0, first.line), ...lines.slice(first.line + 1)].join("\n").trim();
  const story = storyFromTitle(first.title, body, file.name);
  return { ...story, id: story.id || fileId };
}

function markdownHeadings(lines: readonly string[]): Array<{ level: number; title: string; line: number }> {
  const headings: Array<{ level: number; title: string; line: number }> = [];
  let fence: string | undefined;
  lines.forEach((line, index) => {
    const fenceMark = /^\s*(```|~~~)/.exec(line)?.[1];
    if (fenceMark) {
      if (!fence) fence = fenceMark;
      else if (fence === fenceMark) fence = undefined;
      return;
    }
    const match = fence ? null : HEADING.exec(line);
    if (match) headings.push({ level: match[1]!.length, title: match[2]!, line: index });
  });
  return headings;
}

/** A story from its title line: an id at its start (`US-12: …`) is the story's id. */
function storyFromTitle(title: string, text: string, source: string): BacklogStory {
  const match = ID_IN_TITLE.exec(title.trim());
  return match
    ? { id: match[1]!, title: match[2]!.trim(), text, source }
    : { id: "", title: title.trim(), text, source };
}

const jsonStory = z.union([
  z.string().trim().min(1),
  z.looseObject({
    id: z.union([z.string().trim().min(1), z.number()]).optional(),
    title: z.string().trim().min(1).optional(),
    name: z.string().trim().min(1).optional(),
    summary: z.string().trim().min(1).optional(),
  }),
]);

function storiesOfJson(file: BacklogFile): BacklogStory[] {
  const lineCounter = new LineCounter();
  // YAML reads JSON, and keeps where each value is: the messages can name its line.
  const document = parseDocument(file.content, { lineCounter });
  const problem = document.errors[0];
  if (problem)
    throw new SwitchyardError(
      "invalid-request",
      `${file.name}:${lineCounter.linePos(problem.pos[0]).line}: not valid JSON (${problem.message.split("\n")[0]})`,
    );
  const lineOf = (node: unknown) => {
    const range = (node as { range?: [number, number, number] | null } | null)?.range;
    return range ? lineCounter.linePos(range[0]).line : 1;
  };
  const root = document.contents;
  const inner = isMap(root) ? (root.get("stories", true) ?? root.get("items", true)) : undefined;
  const list = isSeq(root) ? root : isSeq(inner) ? inner : undefined;
  if (list)
    return list.items.map((item, index) =>
      jsonStoryAt((item as { toJSON(): unknown }).toJSON(), file, lineOf(item), index),
    );
  if (isMap(root)) return [jsonStoryAt(root.toJSON(), file, lineOf(root), -1)];
  throw new SwitchyardError(
    "invalid-request",
    `${file.name}: a JSON backlog is an array of stories (or { "stories": [...] }); this is not`,
  );
}

function jsonStoryAt(value: unknown, file: BacklogFile, line: number, index: number): BacklogStory {
  const source = `${file.name}:${line}`;
  const which = index === -1 ? "the story" : `story ${index + 1}`;
  const parsed = jsonStory.safeParse(value);
  if (!parsed.success)
    throw new SwitchyardError(
      "invalid-request",
      `${source}: ${which} must be a string or an object with a "title"`,
    );
  if (typeof parsed.data === "string") return storyFromTitle(parsed.data, "", source);
  const { id, title, name, summary, ...rest } = parsed.data;
  const heading = title ?? name ?? summary;
  if (!heading)
    throw new SwitchyardError("invalid-request", `${source}: ${which} has no "title"; give each story one`);
  const fileId = index === -1 ? basename(file.name, extname(file.name)) : "";
  const story = storyFromTitle(
    heading,
    fieldsText({ ...(title && summary ? { summary } : {}), ...rest }),
    source,
  );
  return { ...story, id: id === undefined ? story.id || fileId : String(id) };
}

/** A JSON story's other fields as Markdown lines: `key: value`, lists as bullets. */
function fieldsText(fields: Record<string, unknown>): string {
  return Object.entries(fields)
    .map(([key, value]) => {
      const label = key.replace(/_/g, " ");
      if (Array.isArray(value))
        return `${label}:\n${value.map((item) => `- ${scalarText(item)}`).join("\n")}`;
      return `${label}: ${scalarText(value)}`;
    })
    .join("\n");
}

function scalarText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}
