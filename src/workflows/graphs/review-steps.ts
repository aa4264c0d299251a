/**
 * The `review` workflow's steps: the diff (a branch against its base through the git server, or a
 * diff file through the fs server), the worktree the tests run in (at the branch, or at the base
 * with the diff file applied), then lint ∥ a first review on a local model ∥ the real test
 * command, and the synthesis of the three on a higher tier with the report it makes. The state
 * keeps artefact ids and one-line summaries only.
 */
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { SwitchyardConfig } from "../../config/config-schema.js";
import { runModelStep } from "../model-step.js";
import { runRecordedStep } from "../recorded-step.js";
import type { RunContext, RunContexts } from "../run-context.js";
import { openWorktree, type Worktree } from "../run-worktree.js";
import { plainTextParser, type Review, reviewOutput } from "../step-outputs.js";
import { lastValue, type RunResult } from "../workflow-definition.js";
import { commandReport, commandSummary, runInWorktree } from "../worktree-command.js";
import { artefactOr, jsonAsMarkdown, linterOutput, renderPrompt } from "./step-helpers.js";

/** What is reviewed: a branch of the run's repository against its base, or a diff file. */
export type ReviewSource =
  | { kind: "branch"; branch: string; base: string }
  /** `file`: its name in the fs server's root; `path`: where `git apply` finds it; `base`: where it applies. */
  | { kind: "diff"; file: string; path: string; base: string };

export interface TestRun {
  status: "passed" | "failed" | "not run";
  summary: string;
  artefactId: string | null;
}

export const ReviewState = {
  source: lastValue<ReviewSource>({ kind: "branch", branch: "HEAD", base: "main" }),
  /** Whether the run has a repository to make a worktree in (a diff file alone has none). */
  repository: lastValue<boolean>(false),
  worktreeName: lastValue<string>(""),
  testCommand: lastValue<string>(""),
  lintCommand: lastValue<string>(""),
  /** What the report calls the change (the checked-out branch by its name). */
  title: lastValue<string>(""),
  diffId: lastValue<string | null>(null),
  diffStat: lastValue<string>(""),
  worktree: lastValue<Worktree | null>(null),
  /** Why the tests cannot run, when they cannot (no repository, a diff that does not apply). */
  noTests: lastValue<string | null>(null),
  lintId: lastValue<string | null>(null),
  localReviewId: lastValue<string | null>(null),
  testRun: lastValue<TestRun | null>(null),
  result: lastValue<RunResult | null>(null),
};

export type ReviewValues = { [Key in keyof typeof ReviewState]: (typeof ReviewState)[Key]["ValueType"] };
type Node = (state: ReviewValues, config: LangGraphRunnableConfig) => Promise<Partial<ReviewValues>>;

/** What the review's title calls the change. */
export function changeName(source: ReviewSource): string {
  return source.kind === "branch" ? `${source.branch} against ${source.base}` : source.file;
}

/** `git diff --stat`'s last line, counted from a diff's text (a diff file has no stat of its own). */
export function diffStatOf(diff: string): string {
  const lines = diff.split("\n");
  const files = lines.filter((line) => line.startsWith("+++ ")).length;
  const added = lines.filter((line) => line.startsWith("+") && !line.startsWith("+++ ")).length;
  const removed = lines.filter((line) => line.startsWith("-") && !line.startsWith("--- ")).length;
  return `${files} file${files === 1 ? "" : "s"} changed, ${added} insertions(+), ${removed} deletions(-)`;
}

/** The alias a first, local review runs on: where lint starts when that is local, else any tier-1 alias. */
export function localAlias(config: SwitchyardConfig): string | undefined {
  const lint = config.tasks.lint?.alias;
  if (lint && config.aliases[lint]?.tier === 1) return lint;
  return Object.entries(config.aliases).find(([, alias]) => alias.tier === 1)?.[0];
}

export function diffNode(contexts: RunContexts): Node {
  return async (state, config) => {
    const context = contexts.of(config);
    const { source } = state;
    const { value, artefactId } = await runRecordedStep(
      context,
      { key: "diff", node: "diff", label: "Read the change", kind: "tool" },
      async () => {
        const diff =
          source.kind === "branch"
            ? await context.tools.call(
                "git.diff",
                { base: `${source.base}...${source.branch}` },
                context.signal,
              )
            : await context.tools.call("fs.read", { path: source.file }, context.signal);
        const stat =
          source.kind === "branch"
            ? (
                await context.tools.call(
                  "git.diff",
                  { base: `${source.base}...${source.branch}`, stat: true },
                  context.signal,
                )
              ).trim()
            : diffStatOf(diff);
        const title =
          source.kind === "branch" && source.branch === "HEAD"
            ? `${await checkedOutBranch(context)} against ${source.base}`
            : changeName(source);
        return {
          value: { stat, title },
          detail: stat.split("\n").at(-1)?.trim() ?? "",
          artefact: { kind: "diff", name: title, content: diff },
        };
      },
    );
    return { diffId: artefactId, diffStat: value.stat, title: value.title };
  };
}

/** The checked-out branch's name, from the git server's branch list (`* main 1a2b3c`). */
async function checkedOutBranch(context: RunContext): Promise<string> {
  const listing = await context.tools.call("git.branch", {}, context.signal);
  const current = listing.split("\n").find((line) => line.startsWith("* "));
  return current?.slice(2).split(" ")[0] || "HEAD";
}

/** The worktree the tests run in: at the branch, or at the base with the diff file applied. */
export function worktreeNode(contexts: RunContexts): Node {
  return async (state, config) => {
    const context = contexts.of(config);
    const spec = {
      key: "make-worktree",
      node: "make-worktree",
      label: "Make the run's worktree",
      kind: "tool" as const,
    };
    if (!state.repository) {
      const reason = "no repository to run the tests in (--repo)";
      await runRecordedStep(context, spec, async () => ({ value: null, detail: reason, status: "skipped" }));
      return { noTests: reason };
    }
    const { source } = state;
    const { value: worktree } = await runRecordedStep(context, spec, async () => {
      const made = await openWorktree(context.tools, {
        name: state.worktreeName,
        branchPrefix: context.settings.branch_prefix,
        base: source.kind === "branch" ? source.branch : source.base,
        signal: context.signal,
      });
      await context.journal.recordWorktree(made.path, made.branch);
      return { value: made, detail: `${made.branch} at ${made.path}` };
    });
    if (source.kind === "branch") return { worktree };
    return { worktree, noTests: await applyDiff(context, source, worktree) };
  };
}

/** Applies the diff file in the worktree (once: a re-run finds the step done); why not, if it does not apply. */
async function applyDiff(
  context: RunContext,
  source: Extract<ReviewSource, { kind: "diff" }>,
  worktree: Worktree,
): Promise<string | null> {
  const done = await context.journal.completed("apply-diff");
  if (done) return done.detail?.startsWith("applied") ? null : (done.detail ?? "the diff did not apply");
  const { value } = await runRecordedStep(
    context,
    { key: "apply-diff", node: "make-worktree", label: "Apply the diff", kind: "command" },
    async () => {
      const run = await runInWorktree(`git apply --index -- ${shellQuoted(source.path)}`, worktree.path, {
        timeoutMs: context.settings.command_timeout_ms,
        signal: context.signal,
      });
      const why = run.passed
        ? null
        : `the diff does not apply to ${source.base}: ${run.output.trim().split("\n")[0]}`;
      return {
        value: why,
        detail: why ?? `applied to ${source.base}`,
        artefact: { kind: "apply-output", name: "git apply", content: commandReport(run) },
      };
    },
  );
  return value;
}

function shellQuoted(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

async function diffText(context: RunContext, state: ReviewValues): Promise<string> {
  const diff = await artefactOr(context, state.diffId);
  const limit = context.settings.max_context_chars;
  return diff.length > limit ? `${diff.slice(0, limit)}\n… (diff cut at ${limit} characters)` : diff;
}

export function lintNode(contexts: RunContexts): Node {
  return async (state, config) => {
    const context = contexts.of(config);
    const linter =
      state.lintCommand && state.worktree && !state.noTests
        ? await linterOutput(context, state.lintCommand, state.worktree, "lint-command")
        : "";
    const { artefactId } = await runModelStep(context, {
      key: "lint",
      node: "lint",
      label: "Lint",
      task: "lint",
      prompt: renderPrompt(context, "lint", { code: await diffText(context, state), linter }),
      output: { type: "text", parse: plainTextParser },
      artefact: { kind: "lint", name: "lint findings" },
    });
    return { lintId: artefactId };
  };
}

export function localReviewNode(contexts: RunContexts): Node {
  return async (state, config) => {
    const context = contexts.of(config);
    const alias = localAlias(context.config);
    const { artefactId } = await runModelStep(context, {
      key: "local-review",
      node: "local-review",
      label: "Review on a local model",
      task: "code-review",
      ...(alias ? { alias } : {}),
      prompt: renderPrompt(context, "review-local", { diff: await diffText(context, state) }),
      output: { type: "json", schema: reviewOutput },
      artefact: { kind: "review", name: "first review (local)" },
    });
    return { localReviewId: artefactId };
  };
}

export function runTestsNode(contexts: RunContexts): Node {
  return async (state, config) => {
    const context = contexts.of(config);
    const spec = { key: "run-tests", node: "run-tests", label: "Run the tests", kind: "command" as const };
    const worktree = state.worktree;
    if (state.noTests || !worktree) {
      const summary = `not run: ${state.noTests ?? "no worktree"}`;
      await runRecordedStep(context, spec, async () => ({ value: null, detail: summary, status: "skipped" }));
      return { testRun: { status: "not run", summary, artefactId: null } };
    }
    const { value, artefactId } = await runRecordedStep(context, spec, async () => {
      const run = await runInWorktree(state.testCommand, worktree.path, {
        timeoutMs: context.settings.command_timeout_ms,
        signal: context.signal,
      });
      return {
        value: run,
        detail: commandSummary(run),
        artefact: { kind: "test-output", name: state.testCommand, content: commandReport(run) },
      };
    });
    return {
      testRun: { status: value.passed ? "passed" : "failed", summary: commandSummary(value), artefactId },
    };
  };
}

export function synthesisNode(contexts: RunContexts): Node {
  return async (state, config) => {
    const context = contexts.of(config);
    const tests = state.testRun ?? { status: "not run", summary: "not run", artefactId: null };
    const { value: review } = await runModelStep(context, {
      key: "synthesise",
      node: "synthesise",
      label: "Synthesise the review",
      task: "code-review",
      prompt: renderPrompt(context, "review-synthesis", {
        diff_stat: state.diffStat,
        diff: await diffText(context, state),
        lint: await artefactOr(context, state.lintId, "(no lint findings)"),
        local_review: jsonAsMarkdown(await artefactOr(context, state.localReviewId, "(no first review)")),
        test_results: tests.artefactId ? await artefactOr(context, tests.artefactId) : tests.summary,
      }),
      output: { type: "json", schema: reviewOutput },
      artefact: { kind: "review", name: "review synthesis" },
    });
    // Failing tests fail the change, whatever the review says.
    const verdict = review.verdict === "pass" && tests.status !== "failed" ? "pass" : "fail";
    const lint = await artefactOr(context, state.lintId);
    const { artefactId: report } = await runRecordedStep(
      context,
      { key: "report", node: "synthesise", label: "Write the report", kind: "logic" },
      async () => ({
        value: null,
        detail: `verdict ${verdict}`,
        artefact: {
          kind: "report",
          name: "review report",
          content: reviewReport({
            title: state.title || changeName(state.source),
            verdict,
            review,
            tests,
            diffStat: state.diffStat,
            lint,
          }),
        },
      }),
    );
    const outcome = {
      report,
      verdict,
      tests: tests.status,
      blocking: review.blocking.length,
      diffStat: state.diffStat,
      ...(state.worktree ? { worktree: state.worktree.path } : {}),
    };
    return { result: { status: "done", reason: null, outcome } as RunResult };
  };
}

export function reviewReport(parts: {
  title: string;
  verdict: "pass" | "fail";
  review: Review;
  tests: TestRun;
  diffStat: string;
  lint: string;
}): string {
  const { review, tests } = parts;
  const overruled =
    review.verdict === "pass" && parts.verdict === "fail"
      ? " (the review passes it, but the tests fail)"
      : "";
  const lines = [
    `# Review: ${parts.title}`,
    "",
    `Verdict: **${parts.verdict}**${overruled}. ${review.summary}`,
    "",
    parts.diffStat,
    "",
    `Tests: ${tests.summary}`,
    "",
    "## Blocking",
    ...(review.blocking.length > 0
      ? review.blocking.map(
          (item) =>
            `- ${item.file ? `${item.file}: ` : ""}${item.issue}${item.fix ? ` (fix: ${item.fix})` : ""}`,
        )
      : ["- nothing blocks"]),
  ];
  if (review.notes.length > 0) lines.push("", "## Notes", ...review.notes.map((note) => `- ${note}`));
  if (parts.lint.trim()) lines.push("", "## Lint", parts.lint.trim());
  return `${lines.join("\n")}\n`;
}
