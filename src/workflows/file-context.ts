/**
 * Files read through a run's hub into a prompt: each as a fenced block named by its path, up to a
 * character budget (`workflows.max_context_chars`) so one step's prompt stays within what its
 * model can hold; what did not fit is named, not silently dropped.
 */
import { extname } from "node:path";
import type { CancelSignal } from "../protocol/cancel-signal.js";
import type { RunTools } from "./run-tools.js";

const LANGUAGES: Readonly<Record<string, string>> = {
  ".ts": "ts",
  ".tsx": "tsx",
  ".js": "js",
  ".mjs": "js",
  ".cjs": "js",
  ".jsx": "jsx",
  ".py": "python",
  ".go": "go",
  ".rs": "rust",
  ".java": "java",
  ".rb": "ruby",
  ".json": "json",
  ".md": "markdown",
  ".sh": "sh",
};

/** Source files worth reading for a review or a bug hunt, by extension. */
export const SOURCE_EXTENSIONS = new Set([
  ".ts",
  ".tsx",
  ".js",
  ".mjs",
  ".cjs",
  ".jsx",
  ".py",
  ".go",
  ".rs",
  ".java",
  ".rb",
  ".kt",
  ".swift",
  ".c",
  ".h",
  ".cpp",
  ".cs",
  ".php",
]);

export function fencedFile(path: string, content: string): string {
  const fence = content.includes("```") ? "~~~~" : "```";
  const language = LANGUAGES[extname(path)] ?? "";
  return `${fence}${language} title="${path}"\n${content.replace(/\n$/, "")}\n${fence}`;
}

/** The files as fenced blocks, in order, until `maxChars`; the rest are listed as left out. */
export async function readFilesBlock(
  tools: RunTools,
  paths: readonly string[],
  maxChars: number,
  signal?: CancelSignal,
): Promise<string> {
  const blocks: string[] = [];
  const leftOut: string[] = [];
  let used = 0;
  for (const path of paths) {
    if (used >= maxChars) {
      leftOut.push(path);
      continue;
    }
    const content = await tools
      .call("fs.read", { path }, signal)
      .catch((error: Error) => `(could not read: ${error.message})`);
    const block = fencedFile(
      path,
      content.length > maxChars - used ? `${content.slice(0, maxChars - used)}\n… (cut)` : content,
    );
    used += block.length;
    blocks.push(block);
  }
  if (leftOut.length > 0) blocks.push(`(Left out for length: ${leftOut.join(", ")})`);
  return blocks.join("\n\n");
}

/**
 * The files of the fs root as one path a line, for a prompt: the code and test steps see where a
 * repository keeps its code and tests, and in which language. At most `limit` paths.
 */
export async function filesListing(tools: RunTools, limit: number, signal?: CancelSignal): Promise<string> {
  const files = (await listFiles(tools, signal)).filter((path) => !/(^|\/)(node_modules|\.git)\//.test(path));
  const shown = files.slice(0, limit);
  return files.length > limit ? `${shown.join("\n")}\n(${files.length - limit} more)` : shown.join("\n");
}

/** Every file under the fs root (relative paths), as the fs server's search lists them. */
export async function listFiles(tools: RunTools, signal?: CancelSignal): Promise<string[]> {
  const listing = await tools.call("fs.search", { glob: "*" }, signal);
  return listing
    .split("\n")
    .filter((line) => line !== "" && line !== "No matches." && !line.startsWith("("))
    .sort();
}
