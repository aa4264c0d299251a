/**
 * The git side of a run, all through its hub (run-tools.ts): make the run's worktree on a new
 * branch from the repository's HEAD (or a named revision), write files into it, read them back,
 * and commit with the generated message — each safe to repeat when a step re-runs after a crash
 * (an existing worktree of the run is reused; a commit already made is found rather than made
 * twice).
 */
import type { CancelSignal } from "../protocol/cancel-signal.js";
import type { RunTools } from "./run-tools.js";

export interface Worktree {
  /** Its name in the git server (`worktree` argument of the git tools). */
  name: string;
  path: string;
  branch: string;
  /** The commit it started from. */
  base: string;
}

export interface CommitResult {
  sha: string;
  /** `git diff --stat` of the run's branch against where it started. */
  diffStat: string;
}

export interface OpenWorktreeOptions {
  name: string;
  branchPrefix: string;
  /** The revision the new branch starts from (default: the repository's HEAD). */
  base?: string;
  signal?: CancelSignal;
}

export async function openWorktree(tools: RunTools, options: OpenWorktreeOptions): Promise<Worktree> {
  const { name, branchPrefix, base, signal } = options;
  const listing = await tools.call("git.worktree_list", {}, signal);
  const path = tools.worktreePath(name);
  if (!listing.split("\n").some((line) => line.startsWith(`${path} `))) {
    await tools.call("git.worktree_add", { name, ...(base ? { base } : {}) }, signal);
  }
  const start = await firstCommit(tools, name, signal);
  return { name, path, branch: `${branchPrefix}${name}`, base: start };
}

/** The commit the worktree's branch started from: where it forked from the repository's HEAD. */
async function firstCommit(tools: RunTools, name: string, signal?: CancelSignal): Promise<string> {
  const log = await tools.call("git.log", { worktree: name, max_count: 1 }, signal);
  return log.split(" ")[0] ?? "HEAD";
}

/** Writes whole files (paths relative to the worktree), making directories as needed. */
export async function writeFiles(
  tools: RunTools,
  files: ReadonlyArray<{ path: string; content: string }>,
  signal?: CancelSignal,
): Promise<void> {
  for (const file of files)
    await tools.call(
      "fs.write",
      { path: file.path, content: file.content, create_directories: true },
      signal,
    );
}

/** Stages `paths` and commits them with `message`; a commit already made for them is returned as is. */
export async function commitFiles(
  tools: RunTools,
  worktree: Worktree,
  paths: readonly string[],
  message: string,
  signal?: CancelSignal,
): Promise<CommitResult> {
  const status = await tools.call("git.status", { worktree: worktree.name }, signal);
  const changed = status
    .split("\n")
    .slice(1)
    .filter((line) => line.trim() !== "");
  if (changed.length > 0 && paths.length > 0) {
    await tools.call("git.add", { worktree: worktree.name, paths: [...paths] }, signal);
    await tools.call("git.commit", { worktree: worktree.name, message }, signal);
  }
  const sha =
    (await tools.call("git.log", { worktree: worktree.name, max_count: 1 }, signal)).split(" ")[0] ?? "";
  const diffStat = await tools.call(
    "git.diff",
    { worktree: worktree.name, base: worktree.base, target: "HEAD", stat: true },
    signal,
  );
  return { sha, diffStat: dedent(diffStat) };
}

/** git indents every line of `--stat` by one space; a plain trim took it off the first line only. */
function dedent(text: string): string {
  const lines = text.trimEnd().split("\n");
  while (lines.length > 0 && lines[0]!.trim() === "") lines.shift();
  const indent = Math.min(...lines.map((line) => line.length - line.trimStart().length));
  return lines.map((line) => line.slice(indent)).join("\n");
}
