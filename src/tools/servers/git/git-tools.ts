/**
 * The built-in git server's tools: status, diff, log, show, branch, worktree add/list/remove,
 * and — only when the server's `writes` is on — add and commit. Each runs the git CLI
 * (git-runner.ts) in a configured repository or one of the worktrees made for it, with every
 * revision and path checked first (git-paths.ts).
 */
import { realpath } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import type { GitServerSettings } from "../../../config/tools-schema.js";
import { defineTool, refuse, type ServerTool, type ToolSet } from "../tool-server-kit.js";
import {
  checkPaths,
  checkRevision,
  checkWorktreeName,
  openRepositories,
  pickRepository,
  type Repository,
} from "./git-paths.js";
import { runGit } from "./git-runner.js";

const repositoryArgument = z
  .string()
  .min(1)
  .optional()
  .describe("A configured repository (optional when there is one)");
const worktreeArgument = z
  .string()
  .min(1)
  .optional()
  .describe("Run in this worktree (made by worktree_add) instead of the repository itself");
const pathsArgument = z.array(z.string().min(1)).max(200).optional().describe("Limit to these paths");

export async function createGitTools(settings: GitServerSettings): Promise<ToolSet> {
  const repositories = await openRepositories(settings);
  const git = (cwd: string, args: string[], signal: AbortSignal) =>
    runGit({
      cwd,
      args,
      signal,
      timeoutMs: settings.timeout_ms,
      maxOutputBytes: settings.max_output_bytes,
    }).then(({ stdout, truncated }) =>
      truncated
        ? `${stdout}\n… (output cut at ${settings.max_output_bytes} bytes; narrow the request)`
        : stdout,
    );

  /** The working tree for a call: the repository's, or one of its registered worktrees. */
  const treeFor = async (
    repositoryName: string | undefined,
    worktree: string | undefined,
    signal: AbortSignal,
  ) => {
    const repository = pickRepository(repositories, repositoryName);
    if (worktree === undefined) return { repository, path: repository.root };
    checkWorktreeName(worktree);
    const path = join(repository.worktreeBase, worktree);
    const registered = await worktreePaths(repository, signal);
    const real = await realpath(path).catch(() => path);
    if (!registered.includes(real))
      throw refuse(`No worktree "${worktree}" in ${repository.name}; worktree_list shows the worktrees`);
    return { repository, path: real };
  };
  const worktreePaths = async (repository: Repository, signal: AbortSignal) => {
    const listing = await git(repository.root, ["worktree", "list", "--porcelain"], signal);
    return listing
      .split("\n")
      .filter((line) => line.startsWith("worktree "))
      .map((line) => line.slice("worktree ".length));
  };

  const tools: ServerTool[] = [
    defineTool({
      name: "status",
      description: "Short git status with the branch line (git status --short --branch).",
      inputSchema: z.strictObject({
        repository: repositoryArgument,
        worktree: worktreeArgument,
        paths: pathsArgument,
      }),
      run: async ({ repository, worktree, paths }, { signal }) => {
        const tree = await treeFor(repository, worktree, signal);
        const checked = await checkPaths(tree.path, paths ?? []);
        return git(tree.path, ["status", "--short", "--branch", "--", ...checked], signal);
      },
    }),
    defineTool({
      name: "diff",
      description:
        "Show changes: the working tree against the index (default), the index against HEAD (staged), or against a base revision (and a second one).",
      inputSchema: z.strictObject({
        repository: repositoryArgument,
        worktree: worktreeArgument,
        staged: z.boolean().default(false),
        base: z.string().min(1).optional().describe("Compare against this revision"),
        target: z.string().min(1).optional().describe("With base: compare base..target"),
        stat: z.boolean().default(false).describe("Only the per-file summary"),
        paths: pathsArgument,
      }),
      run: async ({ repository, worktree, staged, base, target, stat, paths }, { signal }) => {
        const tree = await treeFor(repository, worktree, signal);
        if (target !== undefined && base === undefined) throw refuse("target needs a base");
        const revisions = [
          ...(base ? [checkRevision(base, "base")] : []),
          ...(target ? [checkRevision(target, "target")] : []),
        ];
        const checked = await checkPaths(tree.path, paths ?? []);
        const args = [
          "diff",
          "--no-ext-diff",
          "--no-textconv",
          ...(staged ? ["--cached"] : []),
          ...(stat ? ["--stat"] : []),
        ];
        const output = await git(
          tree.path,
          [...args, "--end-of-options", ...revisions, "--", ...checked],
          signal,
        );
        return output === "" ? "No differences." : output;
      },
    }),
    defineTool({
      name: "log",
      description: "Recent commits, one per line: hash, author, date, subject.",
      inputSchema: z.strictObject({
        repository: repositoryArgument,
        worktree: worktreeArgument,
        revision: z.string().min(1).optional().describe("Start from this revision (default HEAD)"),
        max_count: z.number().int().min(1).max(500).default(20),
        paths: pathsArgument,
      }),
      run: async ({ repository, worktree, revision, max_count, paths }, { signal }) => {
        const tree = await treeFor(repository, worktree, signal);
        const revisions = revision ? [checkRevision(revision, "revision")] : [];
        const checked = await checkPaths(tree.path, paths ?? []);
        const format = "--format=%h %an %ad %s";
        const args = ["log", `--max-count=${max_count}`, "--date=short", format, "--end-of-options"];
        const output = await git(tree.path, [...args, ...revisions, "--", ...checked], signal);
        return output === "" ? "No commits." : output;
      },
    }),
    defineTool({
      name: "show",
      description: "A commit with its patch, or (with path) a file's content at that revision.",
      inputSchema: z.strictObject({
        repository: repositoryArgument,
        worktree: worktreeArgument,
        revision: z.string().min(1).describe("A commit, branch or tag"),
        path: z.string().min(1).optional().describe("Show this file as it was at the revision"),
      }),
      run: async ({ repository, worktree, revision, path }, { signal }) => {
        const tree = await treeFor(repository, worktree, signal);
        checkRevision(revision, "revision");
        if (path === undefined) {
          const args = ["show", "--no-ext-diff", "--no-textconv", "--stat", "--patch", "--format=fuller"];
          return git(tree.path, [...args, "--end-of-options", revision], signal);
        }
        if (revision.includes(":")) throw refuse("Give the file as path, not as revision:path");
        const [relative] = await checkPaths(tree.path, [path]);
        return git(
          tree.path,
          ["show", "--no-textconv", "--end-of-options", `${revision}:./${relative}`],
          signal,
        );
      },
    }),
    defineTool({
      name: "branch",
      description: "Local branches; the current one is marked with *.",
      inputSchema: z.strictObject({ repository: repositoryArgument, worktree: worktreeArgument }),
      run: async ({ repository, worktree }, { signal }) => {
        const tree = await treeFor(repository, worktree, signal);
        const format = "--format=%(HEAD) %(refname:short) %(objectname:short) %(upstream:short)";
        return git(tree.path, ["branch", "--list", format], signal);
      },
    }),
    defineTool({
      name: "worktree_list",
      description: "The repository's worktrees: path, commit and branch of each.",
      inputSchema: z.strictObject({ repository: repositoryArgument }),
      run: async ({ repository }, { signal }) => {
        const picked = pickRepository(repositories, repository);
        return git(picked.root, ["worktree", "list"], signal);
      },
    }),
    defineTool({
      name: "worktree_add",
      description: `Make a new worktree with a new branch ${settings.branch_prefix}<name>, from base (default HEAD). Other tools then take worktree: <name>.`,
      inputSchema: z.strictObject({
        repository: repositoryArgument,
        name: z.string().min(1).describe("Letters, digits, '.', '_' and '-'"),
        base: z.string().min(1).optional().describe("The revision to start from (default HEAD)"),
      }),
      run: async ({ repository, name, base }, { signal }) => {
        const picked = pickRepository(repositories, repository);
        checkWorktreeName(name);
        const start = checkRevision(base ?? "HEAD", "base");
        const branch = `${settings.branch_prefix}${name}`;
        const path = join(picked.worktreeBase, name);
        await git(picked.root, ["worktree", "add", "-b", branch, "--", path, start], signal);
        return `Made worktree ${name} at ${path} on new branch ${branch} from ${start}`;
      },
    }),
    defineTool({
      name: "worktree_remove",
      description:
        "Remove a worktree made by worktree_add (refused while it has uncommitted changes). Its branch stays.",
      inputSchema: z.strictObject({ repository: repositoryArgument, name: z.string().min(1) }),
      run: async ({ repository, name }, { signal }) => {
        const tree = await treeFor(repository, name, signal);
        await git(tree.repository.root, ["worktree", "remove", "--", tree.path], signal);
        return `Removed worktree ${name} (${tree.path}); its branch ${settings.branch_prefix}${name} is kept`;
      },
    }),
  ];
  if (settings.writes) {
    tools.push(
      defineTool({
        name: "add",
        description: "Stage paths for the next commit (git add).",
        inputSchema: z.strictObject({
          repository: repositoryArgument,
          worktree: worktreeArgument,
          paths: z.array(z.string().min(1)).min(1).max(200),
        }),
        writes: true,
        run: async ({ repository, worktree, paths }, { signal }) => {
          const tree = await treeFor(repository, worktree, signal);
          const checked = await checkPaths(tree.path, paths);
          await git(tree.path, ["add", "--", ...checked], signal);
          return (await git(tree.path, ["status", "--short"], signal)) || "Nothing to stage.";
        },
      }),
      defineTool({
        name: "commit",
        description: "Commit what is staged, with this message (hooks do not run).",
        inputSchema: z.strictObject({
          repository: repositoryArgument,
          worktree: worktreeArgument,
          message: z.string().trim().min(1).max(20_000),
        }),
        writes: true,
        run: async ({ repository, worktree, message }, { signal }) => {
          const tree = await treeFor(repository, worktree, signal);
          // --message=… is one argument, so a message starting with "-" is still only a message.
          return git(tree.path, ["commit", "--no-verify", `--message=${message}`], signal);
        },
      }),
    );
  }
  return {
    serverName: "switchyard-git",
    tools,
    maxArgumentBytes: settings.max_argument_bytes,
    close: async () => {},
  };
}
