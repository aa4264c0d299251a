/**
 * The `feature` workflow's building steps, after the approval: the worktree on a new branch, the
 * code and the tests (written there through the hub), lint, the real test command, the review and
 * QA, conflict resolution, the commit message and the commit. Rounds are counted in the state, so
 * each round's steps have keys of their own (`code-generation#2`) and a resumed run knows which
 * it already paid for.
 */
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { filesListing, readFilesBlock } from "../file-context.js";
import { runModelStep } from "../model-step.js";
import { runRecordedStep } from "../recorded-step.js";
import type { RunContext, RunContexts } from "../run-context.js";
import { commitFiles, openWorktree, writeFiles } from "../run-worktree.js";
import {
  codeFilesParser,
  commitMessageParser,
  conflictOutput,
  plainTextParser,
  type Qa,
  qaOutput,
  type Review,
  reviewOutput,
} from "../step-outputs.js";
import type { RunResult } from "../workflow-definition.js";
import { commandReport, commandSummary, runInWorktree } from "../worktree-command.js";
import type { FeatureValues } from "./feature-state.js";
import {
  artefactOr,
  jsonAsMarkdown,
  linterOutput,
  renderPrompt,
  requireWorktree,
  unionPaths,
} from "./step-helpers.js";

type Node = (state: FeatureValues, config: LangGraphRunnableConfig) => Promise<Partial<FeatureValues>>;

/** Paths of the repository a code or test step sees (where code and tests go, in which language). */
const REPOSITORY_LISTING_LIMIT = 300;

/** Which round of code and tests a step belongs to: part of its key. */
const roundOf = (state: FeatureValues) => `${state.codeRound}.${state.testRound}`;

export function worktreeNode(contexts: RunContexts): Node {
  return async (_state, config) => {
    const context = contexts.of(config);
    const { value } = await runRecordedStep(
      context,
      { key: "make-worktree", node: "make-worktree", label: "Make the run's worktree", kind: "tool" },
      async () => {
        const worktree = await openWorktree(context.tools, {
          name: context.tools.worktreeName,
          branchPrefix: context.settings.branch_prefix,
          signal: context.signal,
        });
        await context.journal.recordWorktree(worktree.path, worktree.branch);
        return { value: worktree, detail: `${worktree.branch} at ${worktree.path}` };
      },
    );
    return { worktree: value };
  };
}

export function generateNode(contexts: RunContexts, which: "code" | "tests"): Node {
  const task = which === "code" ? "code-generation" : "test-generation";
  return async (state, config) => {
    const context = contexts.of(config);
    const round = (which === "code" ? state.codeRound : state.testRound) + 1;
    const guidanceId = which === "code" ? state.codeGuidance : state.testGuidance;
    const existing = which === "code" ? state.codeFiles : state.testFiles;
    const guidance = guidanceId
      ? `What this attempt must fix:\n${await artefactOr(context, guidanceId)}\n`
      : "";
    const files =
      existing.length > 0
        ? `The current files (rewrite those that need it):\n${await readFilesBlock(context.tools, existing, context.settings.max_context_chars, context.signal)}`
        : "";
    const { value } = await runModelStep(context, {
      key: `${task}#${round}`,
      node: task,
      label: which === "code" ? "Write the code" : "Write the tests",
      task,
      prompt: renderPrompt(context, task, {
        spec: await artefactOr(context, state.specId),
        guidance,
        files,
        repository: await filesListing(context.tools, REPOSITORY_LISTING_LIMIT, context.signal),
      }),
      output: { type: "text", parse: codeFilesParser },
      maxTokens: 8_192,
      artefact: { kind: which === "code" ? "code" : "tests", name: `${which} round ${round}` },
    });
    await writeFiles(context.tools, value, context.signal);
    const paths = value.map((file) => file.path);
    return which === "code"
      ? { codeRound: round, codeFiles: unionPaths(state.codeFiles, paths), codeGuidance: null }
      : { testRound: round, testFiles: unionPaths(state.testFiles, paths), testGuidance: null };
  };
}

export function lintNode(contexts: RunContexts): Node {
  return async (state, config) => {
    const context = contexts.of(config);
    const worktree = requireWorktree(state.worktree);
    const linter = state.lintCommand
      ? await linterOutput(context, state.lintCommand, worktree, `lint-command#${roundOf(state)}`)
      : "";
    const code = await readFilesBlock(
      context.tools,
      [...state.codeFiles, ...state.testFiles],
      context.settings.max_context_chars,
      context.signal,
    );
    const { artefactId } = await runModelStep(context, {
      key: `lint#${roundOf(state)}`,
      node: "lint",
      label: "Lint",
      task: "lint",
      prompt: renderPrompt(context, "lint", { code, linter }),
      output: { type: "text", parse: plainTextParser },
      artefact: { kind: "lint", name: `lint round ${roundOf(state)}` },
    });
    return { lintId: artefactId };
  };
}

export function runTestsNode(contexts: RunContexts): Node {
  return async (state, config) => {
    const context = contexts.of(config);
    const worktree = requireWorktree(state.worktree);
    const { value, artefactId } = await runRecordedStep(
      context,
      { key: `run-tests#${roundOf(state)}`, node: "run-tests", label: "Run the tests", kind: "command" },
      async () => {
        const run = await runInWorktree(state.testCommand, worktree.path, {
          timeoutMs: context.settings.command_timeout_ms,
          signal: context.signal,
        });
        return {
          value: run,
          detail: commandSummary(run),
          artefact: { kind: "test-output", name: state.testCommand, content: commandReport(run) },
        };
      },
    );
    const failures = state.testFailures + (value.passed ? 0 : 1);
    return {
      testRun: { passed: value.passed, summary: commandSummary(value), artefactId: artefactId! },
      testFailures: failures,
      // Failing tests go back to the code with their output; twice, to conflict resolution.
      ...(value.passed
        ? {}
        : { codeGuidance: artefactId, conflictWhy: `the tests failed ${failures} times` }),
    };
  };
}

async function changeContext(context: RunContext, state: FeatureValues) {
  const { max_context_chars: limit } = context.settings;
  return {
    spec: await artefactOr(context, state.specId),
    code: await readFilesBlock(context.tools, state.codeFiles, limit, context.signal),
    tests: await readFilesBlock(context.tools, state.testFiles, limit / 2, context.signal),
    test_results: await artefactOr(context, state.testRun?.artefactId ?? null, "(the tests have not run)"),
  };
}

export function codeReviewNode(contexts: RunContexts): Node {
  return async (state, config) => {
    const context = contexts.of(config);
    const { value, artefactId } = await runModelStep(context, {
      key: `code-review#${roundOf(state)}`,
      node: "code-review",
      label: "Review the code",
      task: "code-review",
      prompt: renderPrompt(context, "code-review", {
        ...(await changeContext(context, state)),
        lint: await artefactOr(context, state.lintId, "(no lint findings)"),
      }),
      output: { type: "json", schema: reviewOutput },
      artefact: { kind: "review", name: `review round ${roundOf(state)}` },
    });
    return { review: { verdict: value.verdict, artefactId } };
  };
}

export function qaNode(contexts: RunContexts): Node {
  return async (state, config) => {
    const context = contexts.of(config);
    const { spec, code, test_results } = await changeContext(context, state);
    const reviewText = await artefactOr(context, state.review?.artefactId ?? null);
    const { value, artefactId } = await runModelStep(context, {
      key: `qa-verification#${roundOf(state)}`,
      node: "qa-verification",
      label: "Verify against the criteria",
      task: "qa-verification",
      prompt: renderPrompt(context, "qa-verification", {
        spec,
        code,
        review: jsonAsMarkdown(reviewText),
        test_results,
      }),
      output: { type: "json", schema: qaOutput },
      artefact: { kind: "qa", name: `QA round ${roundOf(state)}` },
    });
    const review = state.review?.verdict;
    const update: Partial<FeatureValues> = { qa: { verdict: value.verdict, artefactId } };
    if (review !== value.verdict)
      update.conflictWhy = `the review says ${review} but QA says ${value.verdict}`;
    else if (value.verdict === "fail") {
      // Both failed: the next code round gets what each found.
      update.codeGuidance = await context.journal.putArtefact({
        stepKey: `qa-verification#${roundOf(state)}`,
        kind: "guidance",
        name: "what the review and QA found",
        content: guidanceFrom(reviewText, value),
      });
      update.conflictWhy = `the review and QA both failed the change ${state.codeRound} times`;
    }
    return update;
  };
}

function guidanceFrom(reviewText: string, qa: Qa): string {
  let review: Review | undefined;
  try {
    review = reviewOutput.parse(JSON.parse(reviewText));
  } catch {
    review = undefined;
  }
  return [
    "Blocking review findings:",
    ...(review?.blocking.map((item) => `- ${item.file}: ${item.issue} (fix: ${item.fix})`) ?? [
      "- (none given)",
    ]),
    "Acceptance criteria not met:",
    ...qa.criteria
      .filter((item) => item.status !== "pass")
      .map((item) => `- ${item.criterion}: ${item.evidence}`),
  ].join("\n");
}

export function conflictNode(contexts: RunContexts): Node {
  return async (state, config) => {
    const context = contexts.of(config);
    const { max_conflict_rounds: maxRounds } = context.settings;
    if (state.conflictRounds >= maxRounds) {
      const reason = `Conflict resolution already sent the run back ${state.conflictRounds} times (workflows.max_conflict_rounds), and ${state.conflictWhy ?? "the checks still disagree"}`;
      return { result: { status: "rejected", reason, outcome: null } as RunResult };
    }
    const round = state.conflictRounds + 1;
    const { spec, test_results } = await changeContext(context, state);
    const { value } = await runModelStep(context, {
      key: `conflict-resolution#${round}`,
      node: "conflict-resolution",
      label: "Resolve the conflict",
      task: "conflict-resolution",
      prompt: renderPrompt(context, "conflict-resolution", {
        spec,
        conflict: state.conflictWhy ?? "the checks disagree",
        review: jsonAsMarkdown(
          await artefactOr(context, state.review?.artefactId ?? null, "(no review yet)"),
        ),
        qa: jsonAsMarkdown(await artefactOr(context, state.qa?.artefactId ?? null, "(no QA yet)")),
        test_results,
      }),
      output: { type: "json", schema: conflictOutput },
      artefact: { kind: "resolution", name: `resolution ${round}` },
    });
    if (value.decision === "abort") {
      return {
        conflict: value.decision,
        conflictRounds: round,
        result: {
          status: "rejected",
          reason: `Conflict resolution ended the run: ${value.reason}`,
          outcome: null,
        },
      };
    }
    const update: Partial<FeatureValues> = {
      conflict: value.decision,
      conflictRounds: round,
      testFailures: 0,
    };
    if (value.decision !== "accept") {
      const guidance = await context.journal.putArtefact({
        stepKey: `conflict-resolution#${round}`,
        kind: "guidance",
        name: `resolution ${round} guidance`,
        content: `${value.reason}\n${value.guidance}`,
      });
      if (value.decision === "revise-code") update.codeGuidance = guidance;
      else update.testGuidance = guidance;
    }
    return update;
  };
}

export function commitMessageNode(contexts: RunContexts): Node {
  return async (state, config) => {
    const context = contexts.of(config);
    const worktree = requireWorktree(state.worktree);
    const paths = unionPaths(state.codeFiles, state.testFiles);
    await context.tools.call("git.add", { worktree: worktree.name, paths }, context.signal);
    const stat = await context.tools.call(
      "git.diff",
      { worktree: worktree.name, staged: true, stat: true },
      context.signal,
    );
    const diff = await context.tools.call(
      "git.diff",
      { worktree: worktree.name, staged: true },
      context.signal,
    );
    const limit = context.settings.max_context_chars;
    const { artefactId } = await runModelStep(context, {
      key: "commit-message",
      node: "commit-message",
      label: "Write the commit message",
      task: "commit-message",
      prompt: renderPrompt(context, "commit-message", {
        title: state.title || state.request,
        diff_stat: stat.trim(),
        diff: diff.length > limit ? `${diff.slice(0, limit)}\n… (diff cut)` : diff,
      }),
      output: { type: "text", parse: commitMessageParser },
      artefact: { kind: "commit-message", name: "commit message" },
    });
    return { commitMessageId: artefactId };
  };
}

export function commitNode(contexts: RunContexts): Node {
  return async (state, config) => {
    const context = contexts.of(config);
    const worktree = requireWorktree(state.worktree);
    const parsed = commitMessageParser(await artefactOr(context, state.commitMessageId));
    const message = parsed.ok ? parsed.value : state.title || state.request;
    const { value } = await runRecordedStep(
      context,
      { key: "commit", node: "commit", label: "Commit", kind: "tool" },
      async () => {
        const commit = await commitFiles(
          context.tools,
          worktree,
          unionPaths(state.codeFiles, state.testFiles),
          message,
          context.signal,
        );
        return {
          value: commit,
          detail: `${commit.sha} on ${worktree.branch}`,
          artefact: { kind: "diff-stat", name: "diff stat", content: commit.diffStat },
        };
      },
    );
    const outcome = {
      branch: worktree.branch,
      worktree: worktree.path,
      commit: value.sha,
      diffStat: value.diffStat,
      message: message.split("\n")[0],
    };
    return { result: { status: "done", reason: null, outcome } as RunResult };
  };
}
