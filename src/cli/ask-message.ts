/**
 * The pure parts of `switchyard ask`: the prompt with attached files as fenced blocks, the model
 * name a task asks for, and the footer printed under the answer.
 */
import { extname } from "node:path";
import { TASK_KINDS } from "../config/task-kinds.js";
import type { RequestRecord } from "../store/ledger-store.js";

export interface AttachedFile {
  /** As the user typed it: the model sees this name. */
  path: string;
  content: string;
}

/** Fence languages where the file extension is not already the usual name. */
const LANGUAGES: Record<string, string> = {
  ".py": "python",
  ".rs": "rust",
  ".rb": "ruby",
  ".mjs": "js",
  ".cjs": "js",
  ".yml": "yaml",
  ".md": "markdown",
  ".kt": "kotlin",
  ".h": "c",
};

/** The prompt, then each file as `path:` and a fenced block long enough not to end inside it. */
export function askPrompt(prompt: string, files: readonly AttachedFile[]): string {
  const blocks = files.map((file) => {
    const longestRun = Math.max(0, ...[...file.content.matchAll(/`+/g)].map((match) => match[0].length));
    const fence = "`".repeat(Math.max(3, longestRun + 1));
    const extension = extname(file.path).toLowerCase();
    const language = LANGUAGES[extension] ?? extension.slice(1);
    const body = file.content.endsWith("\n") ? file.content : `${file.content}\n`;
    return `${file.path}:\n${fence}${language}\n${body}${fence}`;
  });
  return [prompt, ...blocks].join("\n\n");
}

/** `switchyard/<task>` for a task kind, `switchyard/auto` without one; undefined for an unknown task. */
export function askModel(task: string | undefined): string | undefined {
  if (task === undefined) return "switchyard/auto";
  return (TASK_KINDS as readonly string[]).includes(task) ? `switchyard/${task}` : undefined;
}

/** What the answer's response headers said about its route. */
export interface AskRouteHeaders {
  task?: string | undefined;
  tier?: string | undefined;
  alias?: string | undefined;
  model?: string | undefined;
  requestId?: string | undefined;
  fallback?: string | undefined;
  downgraded?: string | undefined;
}

/** What the stream itself reported, for when the ledger row cannot be read. */
export interface AskStreamFigures {
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  elapsedMs: number;
}

/**
 * One line: task, tier, alias and model, tokens, cost and time — from the ledger row when the Brain
 * gave it (the settled cost), else from the headers and the stream (cost unknown).
 */
export function askFooter(
  headers: AskRouteHeaders,
  stream: AskStreamFigures,
  row: RequestRecord | undefined,
): string {
  const task = row?.task ?? headers.task ?? "?";
  const tier = row?.tier ?? headers.tier ?? "?";
  const alias = row?.alias ?? headers.alias ?? "?";
  const model = row?.model ?? headers.model ?? "?";
  const input = row?.inputTokens ?? stream.inputTokens;
  const output = row?.outputTokens ?? stream.outputTokens;
  const tokens =
    input === undefined && output === undefined
      ? "tokens ?"
      : `${input ?? "?"} in / ${output ?? "?"} out tokens`;
  const cost = row ? `$${row.costUsd.toFixed(4)}` : "cost ?";
  const seconds = `${((row?.latencyMs ?? stream.elapsedMs) / 1000).toFixed(1)} s`;
  const parts = [task, `tier ${tier} ${alias}`, model, tokens, cost, seconds];
  if (headers.fallback) parts.push(`fell back ${headers.fallback}`);
  if (headers.downgraded) parts.push(`downgraded ${headers.downgraded} (budget)`);
  return `── ${parts.join(" · ")}`;
}
