/**
 * `review`: diff → worktree → lint ∥ local review ∥ tests → synthesis. What is reviewed is a
 * branch of a repository against its base (`--repo`, `--branch`, default the checked-out one, and
 * `--base`, default main) or a diff file (`--diff`, and `--repo` to run the tests with it applied
 * at `--base`, default HEAD). The first review runs on a local model; the synthesis of lint, that
 * review and the real test results is a code review on the routing table's rung for it (Sonnet).
 * The user's working tree is never touched: the tests run in a worktree on a new branch.
 */
import { statSync } from "node:fs";
import { basename, dirname } from "node:path";
import { END, START, StateGraph } from "@langchain/langgraph";
import { z } from "zod";
import { SwitchyardError } from "../../errors/switchyard-error.js";
import type { RunContexts } from "../run-context.js";
import type { RunTools } from "../run-tools.js";
import type { PreparedRun, WorkflowDefinition } from "../workflow-definition.js";
import {
  existingPath,
  invalidInput,
  prepareRepositoryRun,
  verifyCleanRepository,
  worktreeNameFor,
} from "./repository-input.js";
import {
  diffNode,
  lintNode,
  localReviewNode,
  type ReviewSource,
  ReviewState,
  runTestsNode,
  synthesisNode,
  worktreeNode,
} from "./review-steps.js";

const revision = (what: string) =>
  z
    .string()
    .trim()
    .min(1)
    .refine((value) => !value.startsWith("-"), { error: `${what} must name a branch, tag or commit` });

const reviewInput = z
  .object({
    repo: z.string().trim().min(1).optional(),
    branch: revision("--branch").optional(),
    base: revision("--base").optional(),
    diff: z.string().trim().min(1).optional(),
    testCommand: z.string().trim().min(1).optional(),
    lintCommand: z.string().trim().optional(),
  })
  .refine((input) => input.repo !== undefined || input.diff !== undefined, {
    error: "give --repo (to review a branch) or --diff (a diff file)",
  })
  .refine((input) => input.branch === undefined || input.diff === undefined, {
    error: "give --branch or --diff, not both",
  });

const STEPS = [
  ["diff", "Read the change", ["make-worktree"]],
  ["make-worktree", "Make the run's worktree", ["lint", "local-review", "run-tests"]],
  ["lint", "Lint", ["synthesise"]],
  ["local-review", "Review on a local model", ["synthesise"]],
  ["run-tests", "Run the tests", ["synthesise"]],
  ["synthesise", "Synthesise the review", []],
] as const;

const DIFF_LINE = /^(diff --git |--- |\+\+\+ |@@ )/m;

export const reviewWorkflow: WorkflowDefinition = {
  name: "review",
  description:
    "a branch or a diff: lint, a local review and the tests in parallel, then a synthesis on Sonnet",
  outline: STEPS.map(([id, label, next]) => ({ id, label, next })),
  async prepare(input, environment) {
    const parsed = reviewInput.safeParse(input);
    if (!parsed.success) throw invalidInput("review", parsed.error);
    const { repo, branch, base, diff, testCommand, lintCommand } = parsed.data;
    const settings = environment.config.workflows;
    const repository = repo ? await prepareRepositoryRun(repo, environment, "review") : undefined;
    let source: ReviewSource;
    let tools: PreparedRun["tools"];
    if (diff) {
      const path = existingPath(diff, environment, "The diff file");
      if (!statSync(path).isFile())
        throw new SwitchyardError("invalid-request", `--diff ${path} is a folder; name a diff file`);
      source = { kind: "diff", file: basename(path), path, base: base ?? "HEAD" };
      tools = {
        ...(repository ? { repository: repository.repository! } : {}),
        fsRoot: { kind: "path", path: dirname(path) },
        fsWrites: false,
      };
    } else {
      source = { kind: "branch", branch: branch ?? "HEAD", base: base ?? "main" };
      tools = { repository: repository!.repository!, fsRoot: { kind: "none" }, fsWrites: false };
    }
    return {
      input: {
        repo: repository?.repository ?? null,
        branch,
        base,
        diff: source.kind === "diff" ? source.path : undefined,
        testCommand,
        lintCommand,
      },
      repository: repository?.repository ?? null,
      tools,
      state: {
        source,
        repository: repository !== undefined,
        worktreeName: worktreeNameFor("review", environment.runId),
        testCommand: testCommand ?? settings.test_command,
        lintCommand: lintCommand ?? settings.lint_command,
      },
    };
  },
  /** The revisions exist, there is something to review, and a diff file is a diff: one line each. */
  async verify(tools, prepared) {
    const source = prepared.state.source as ReviewSource;
    if (source.kind === "diff") {
      const text = await tools.call("fs.read", { path: source.file });
      if (!DIFF_LINE.test(text))
        throw new SwitchyardError(
          "invalid-request",
          `${source.path} is not a diff (no "diff --git", "---"/"+++" or "@@" lines); make one with git diff > change.diff`,
        );
      if (prepared.repository && source.base !== "HEAD") await requireRevision(tools, source.base, "--base");
      return;
    }
    // Reviewing what is checked out: changes not committed would not be seen.
    if (source.branch === "HEAD") await verifyCleanRepository(tools);
    await requireRevision(tools, source.base, "--base");
    if (source.branch !== "HEAD") await requireRevision(tools, source.branch, "--branch");
    const stat = await tools.call("git.diff", { base: `${source.base}...${source.branch}`, stat: true });
    if (stat.trim() === "No differences.")
      throw new SwitchyardError(
        "invalid-request",
        `Nothing to review: ${source.branch === "HEAD" ? "the checked-out branch" : source.branch} has no changes against ${source.base}; name another --base or --branch`,
      );
  },
  graph(contexts: RunContexts) {
    return (
      new StateGraph(ReviewState)
        .addNode("diff", diffNode(contexts))
        .addNode("make-worktree", worktreeNode(contexts))
        .addNode("lint", lintNode(contexts))
        .addNode("local-review", localReviewNode(contexts))
        .addNode("run-tests", runTestsNode(contexts))
        .addNode("synthesise", synthesisNode(contexts))
        .addEdge(START, "diff")
        .addEdge("diff", "make-worktree")
        // All three in one superstep, so the synthesis (joined by the three edges) runs once, after them.
        .addEdge("make-worktree", "lint")
        .addEdge("make-worktree", "local-review")
        .addEdge("make-worktree", "run-tests")
        .addEdge("lint", "synthesise")
        .addEdge("local-review", "synthesise")
        .addEdge("run-tests", "synthesise")
        .addEdge("synthesise", END)
    );
  },
};

async function requireRevision(tools: RunTools, name: string, option: string): Promise<void> {
  try {
    await tools.call("git.log", { revision: name, max_count: 1 });
  } catch {
    throw new SwitchyardError(
      "invalid-request",
      `The repository has no branch, tag or commit "${name}"; name one that exists with ${option}`,
    );
  }
}
