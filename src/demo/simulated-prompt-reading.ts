/**
 * Reading a workflow step's prompt the way the simulated models need it: the feature request a
 * story is drafted from, the specification's title (which program the code and tests are about),
 * its acceptance criteria, whether the tests ran and passed, the named code files, and the stories
 * of a backlog. Prompts are read as a model reads them — labelled sections ("Feature request:",
 * "Acceptance criteria:"), Markdown headings, fenced files and a test command's report — so any
 * workflow whose prompts are written that way is understood, not only the built-in ones.
 */
import { extractCodeFiles } from "../escalation/code-blocks.js";
import type { FoundCode } from "./simulated-text.js";

/** The text under a label line (`Feature request:`), up to the next label, heading or JSON note. */
export function sectionAfter(text: string, label: RegExp): string | undefined {
  const lines = text.split("\n");
  const start = lines.findIndex((line) => label.test(line.trim()) && line.trim().endsWith(":"));
  if (start === -1) return undefined;
  const body: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^[A-Z][\w' -]{0,40}:$/.test(line.trim()) || /^Answer with one JSON\b/.test(line)) break;
    body.push(line);
  }
  const section = body.join("\n").trim();
  return section === "" ? undefined : section;
}

/**
 * What a piece of work is about, in the words that pick its program: the feature request of a
 * story prompt, else the specification's title (code, tests, reviews of a feature), else the ask.
 */
export function topicOf(request: string): string {
  return sectionAfter(request, /^(feature )?request:$/i) ?? titleIn(request) ?? request;
}

/** The first Markdown `# title` (a specification opens with its story's). */
export function titleIn(text: string): string | undefined {
  return /^# (.+)$/m.exec(text)?.[1]?.trim();
}

/** The bullet points under a label (`Acceptance criteria:`), without their bullets. */
export function bulletsAfter(text: string, label: RegExp): string[] {
  const lines = text.split("\n");
  const start = lines.findIndex((line) => label.test(line.trim()));
  if (start === -1) return [];
  const bullets: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const bullet = /^\s*(?:[-*]|\d+[.)])\s+(.+)$/.exec(line)?.[1];
    if (bullet) bullets.push(bullet.trim());
    else if (line.trim() !== "" || bullets.length > 0) break;
  }
  return bullets;
}

export interface TestOutcome {
  state: "passed" | "failed" | "not run";
  /** The command's summary line: `npm test: passed in 0.4 s`. */
  summary?: string;
  /** Tests counted by the runner (`# pass 5`), when it said. */
  passedCount?: number;
}

/** What the test command's report in the prompt says (a workflow's "Test results"). */
export function testOutcome(text: string): TestOutcome {
  const summary =
    /^\S[^\n]*: (passed in [\d.]+ s|failed \(exit [^)]+\) in [\d.]+ s|timed out after [\d.]+ s)$/m.exec(text);
  const passedCount = Number(/^[#ℹ] pass (\d+)$/m.exec(text)?.[1] ?? Number.NaN);
  const counted = Number.isNaN(passedCount) ? {} : { passedCount };
  if (!summary) return { state: "not run", ...counted };
  return { state: summary[1]!.startsWith("passed") ? "passed" : "failed", summary: summary[0], ...counted };
}

/** The code the prompt shows as named files (fenced blocks with a path), empty ones left out. */
export function namedFilesIn(text: string): FoundCode[] {
  return extractCodeFiles(text)
    .filter((file) => file.content.trim() !== "" && !/^answer(-\d+)?\./.test(file.path))
    .map((file) => ({ path: file.path, language: file.language, lines: file.content.split("\n") }));
}

export function isTestPath(path: string): boolean {
  return /(^|\/)(test|tests|__tests__)\/|\.(test|spec)\.[a-z]+$/.test(path);
}

export interface BacklogStory {
  id: string;
  title: string;
  /** The story's own text, title included. */
  text: string;
}

const STORY_ID = /^\[?([A-Za-z]{1,10}-\d+|#\d+|[A-Za-z]?\d+)\]?\s*[:.)—–-]\s*/;

/**
 * The stories of a backlog in the prompt: JSON objects with an `id`, or Markdown headings (each a
 * story, its id a leading `ABC-12`/`#12`, else its title as a slug) with the text under them.
 */
export function storiesIn(text: string): BacklogStory[] {
  const fromJson = [...text.matchAll(/"id"\s*:\s*"?([\w.#-]+)"?[^{}]*?(?:"title"\s*:\s*"([^"]*)")?/g)].map(
    (match) => ({ id: match[1]!, title: match[2] ?? match[1]!, text: match[0] }),
  );
  if (fromJson.length > 0) return fromJson;
  const stories: BacklogStory[] = [];
  for (const line of text.split("\n")) {
    const heading = /^#{1,4}\s+(.+)$/.exec(line)?.[1]?.trim();
    if (heading) {
      const id = STORY_ID.exec(heading)?.[1];
      const title = heading.replace(STORY_ID, "").trim() || heading;
      stories.push({ id: id ?? slug(title), title, text: `${heading}\n` });
    } else if (stories.length > 0 && !/^Answer with one JSON\b/.test(line)) {
      stories.at(-1)!.text += `${line}\n`;
    }
  }
  return stories;
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 40) || "story"
  );
}
