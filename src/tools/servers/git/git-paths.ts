/**
 * Confinement for the git server: a tool names a configured repository (never a path), and
 * optionally one of the worktrees this server made for it; every path argument must resolve —
 * symlinks followed — inside that working tree, and no argument that git would read as an option
 * (anything starting with `-`, like `--output=/tmp/x`) gets through where an option could go.
 */
import { realpath, stat } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import type { GitServerSettings } from "../../../config/tools-schema.js";
import { SwitchyardError } from "../../../errors/switchyard-error.js";
import { refuse } from "../tool-server-kit.js";

export interface Repository {
  name: string;
  /** The repository's working tree, real path. */
  root: string;
  /** Where worktree_add puts this repository's worktrees. */
  worktreeBase: string;
}

/** A working tree a command runs in: the repository's own or one of its worktrees. */
export interface WorkingTree {
  repository: Repository;
  path: string;
}

export async function openRepositories(settings: GitServerSettings): Promise<Map<string, Repository>> {
  const repositories = new Map<string, Repository>();
  for (const [name, configured] of Object.entries(settings.repositories)) {
    let root: string;
    try {
      root = await realpath(resolve(configured));
    } catch {
      throw new SwitchyardError("invalid-request", `git repository ${name} (${configured}) does not exist`);
    }
    try {
      await stat(join(root, ".git"));
    } catch {
      throw new SwitchyardError(
        "invalid-request",
        `git repository ${name} (${configured}) has no .git; name the top of a repository or worktree`,
      );
    }
    const worktreeBase = settings.worktree_directory
      ? join(resolve(settings.worktree_directory), name)
      : `${root}.worktrees`;
    repositories.set(name, { name, root, worktreeBase });
  }
  return repositories;
}

export function pickRepository(repositories: Map<string, Repository>, name: string | undefined): Repository {
  if (name === undefined) {
    if (repositories.size === 1) return [...repositories.values()][0]!;
    throw refuse(`Name a repository: ${[...repositories.keys()].join(", ")}`);
  }
  const repository = repositories.get(name);
  if (!repository)
    throw refuse(`No repository is named "${name}"; use one of: ${[...repositories.keys()].join(", ")}`);
  return repository;
}

const WORKTREE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function checkWorktreeName(name: string): void {
  if (!WORKTREE_NAME.test(name) || name.includes(".."))
    throw refuse(
      `"${name}" is not a usable worktree name: letters, digits, ".", "_" and "-", starting with a letter or digit`,
    );
}

/** Refuses a revision git could read as an option; returns it for use after --end-of-options. */
export function checkRevision(revision: string, what: string): string {
  if (revision.startsWith("-"))
    throw refuse(
      `The ${what} ${JSON.stringify(revision)} starts with "-" and would be read as an option; name a branch, tag or commit`,
    );
  if (/[\0\n\r]/.test(revision))
    throw refuse(`The ${what} ${JSON.stringify(revision)} contains a control character`);
  return revision;
}

/**
 * Each path, checked and made relative to the working tree (for use after `--`). A path may name
 * something that no longer exists (a deleted file in a diff); its nearest existing ancestor must
 * then be inside the tree.
 */
export async function checkPaths(tree: string, paths: readonly string[]): Promise<string[]> {
  const checked: string[] = [];
  for (const path of paths) {
    if (path.startsWith("-"))
      throw refuse(
        `The path ${JSON.stringify(path)} starts with "-" and would be read as an option; write ./${path} if it is really a file name`,
      );
    if (/[\0\n\r]/.test(path)) throw refuse(`The path ${JSON.stringify(path)} contains a control character`);
    const lexical = resolve(tree, path);
    if (!isInside(lexical, tree))
      throw refuse(`The path ${JSON.stringify(path)} is outside the repository ${tree}`);
    let existing = lexical;
    for (;;) {
      try {
        existing = await realpath(existing);
        break;
      } catch {
        existing = dirname(existing);
      }
    }
    if (!isInside(existing, tree))
      throw refuse(
        `The path ${JSON.stringify(path)} resolves (through a symlink) to ${existing}, outside the repository`,
      );
    checked.push(relative(tree, lexical) || ".");
  }
  return checked;
}

function isInside(path: string, root: string): boolean {
  const fromRoot = relative(root, path);
  return fromRoot === "" || (!fromRoot.startsWith(`..${sep}`) && fromRoot !== ".." && !isAbsolute(fromRoot));
}
