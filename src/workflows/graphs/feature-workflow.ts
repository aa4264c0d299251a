/**
 * `feature`: from a story to a commit on a new branch. story-drafting → elaboration →
 * gap-analysis → decision-gate (the model's go/no-go) → approval (a person approves, rejects with
 * a reason, or edits the specification) → worktree → code-generation ∥ test-generation → lint →
 * run-tests (the repository's real test command, in the worktree) → code-review → qa-verification
 * → commit-message → commit. Failing tests go back to code generation with their output; tests
 * failing `max_fix_rounds` times, or a review and a QA that disagree, go to conflict-resolution,
 * whose decision sends the run back to the code or the tests, on to the commit, or ends it.
 */
import { END, type LangGraphRunnableConfig, START, StateGraph } from "@langchain/langgraph";
import { z } from "zod";
import { humanGateNode } from "../human-gate.js";
import type { RunContexts } from "../run-context.js";
import type { RunResult, WorkflowDefinition } from "../workflow-definition.js";
import {
  codeReviewNode,
  commitMessageNode,
  commitNode,
  conflictNode,
  generateNode,
  lintNode,
  qaNode,
  runTestsNode,
  worktreeNode,
} from "./feature-build-steps.js";
import { FeatureState, type FeatureValues } from "./feature-state.js";
import {
  approvalAsk,
  decisionGateNode,
  elaborationNode,
  gapAnalysisNode,
  storyNode,
} from "./feature-steps.js";
import { invalidInput, prepareRepositoryRun, verifyCleanRepository } from "./repository-input.js";

const featureInput = z.object({
  story: z.string().trim().min(1, { error: "--story must say what to build" }),
  repo: z.string().trim().min(1, { error: "--repo must name the repository to build in" }),
  testCommand: z.string().trim().min(1).optional(),
  lintCommand: z.string().trim().optional(),
});

const STEPS = [
  ["story-drafting", "Draft the story", ["elaboration"]],
  ["elaboration", "Elaborate the story", ["gap-analysis"]],
  ["gap-analysis", "Find the gaps", ["decision-gate"]],
  ["decision-gate", "Recommend go or no-go", ["approval"]],
  ["approval", "Human approval", ["make-worktree"]],
  ["make-worktree", "Make the run's worktree", ["code-generation", "test-generation"]],
  ["code-generation", "Write the code", ["lint"]],
  ["test-generation", "Write the tests", ["lint"]],
  ["lint", "Lint", ["run-tests"]],
  ["run-tests", "Run the tests", ["code-review", "code-generation", "conflict-resolution"]],
  ["code-review", "Review the code", ["qa-verification"]],
  [
    "qa-verification",
    "Verify against the criteria",
    ["commit-message", "code-generation", "conflict-resolution"],
  ],
  ["conflict-resolution", "Resolve the conflict", ["code-generation", "test-generation", "commit-message"]],
  ["commit-message", "Write the commit message", ["commit"]],
  ["commit", "Commit", []],
] as const;

export const featureWorkflow: WorkflowDefinition = {
  name: "feature",
  description: "a story to a reviewed, tested commit on a new branch, with a human approval before any code",
  outline: STEPS.map(([id, label, next]) => ({ id, label, next })),
  async prepare(input, environment) {
    const parsed = featureInput.safeParse(input);
    if (!parsed.success) throw invalidInput("feature", parsed.error);
    const { story, repo, testCommand, lintCommand } = parsed.data;
    const settings = environment.config.workflows;
    const prepared = await prepareRepositoryRun(repo, environment, "feature");
    return {
      ...prepared,
      input: { story, repo: prepared.repository, testCommand, lintCommand },
      tools: { ...prepared.tools, fsWrites: true },
      state: {
        request: story,
        testCommand: testCommand ?? settings.test_command,
        lintCommand: lintCommand ?? settings.lint_command,
      },
    };
  },
  verify: (tools) => verifyCleanRepository(tools),
  graph(contexts: RunContexts) {
    const approval = humanGateNode<FeatureValues>(contexts, {
      node: "approval",
      label: "Human approval",
      ask: approvalAsk,
      edited: { kind: "spec", name: "specification (edited)" },
    });
    const settings = (config: LangGraphRunnableConfig) => contexts.of(config).settings;
    return (
      new StateGraph(FeatureState)
        .addNode("story-drafting", storyNode(contexts))
        .addNode("elaboration", elaborationNode(contexts))
        .addNode("gap-analysis", gapAnalysisNode(contexts))
        .addNode("decision-gate", decisionGateNode(contexts))
        .addNode("approval", async (state: FeatureValues, config: LangGraphRunnableConfig) => {
          const { decision } = await approval(state, config);
          if (decision.action === "reject")
            return {
              decision,
              result: { status: "rejected", reason: decision.reason, outcome: null } as RunResult,
            };
          return decision.action === "edit" ? { decision, specId: decision.artefactId } : { decision };
        })
        .addNode("make-worktree", worktreeNode(contexts))
        .addNode("code-generation", generateNode(contexts, "code"))
        .addNode("test-generation", generateNode(contexts, "tests"))
        .addNode("lint", lintNode(contexts))
        .addNode("run-tests", runTestsNode(contexts))
        .addNode("code-review", codeReviewNode(contexts))
        .addNode("qa-verification", qaNode(contexts))
        .addNode("conflict-resolution", conflictNode(contexts))
        .addNode("commit-message", commitMessageNode(contexts))
        .addNode("commit", commitNode(contexts))
        .addEdge(START, "story-drafting")
        .addEdge("story-drafting", "elaboration")
        .addEdge("elaboration", "gap-analysis")
        .addEdge("gap-analysis", "decision-gate")
        .addEdge("decision-gate", "approval")
        .addConditionalEdges("approval", (state: FeatureValues) => (state.result ? END : "make-worktree"), [
          "make-worktree",
          END,
        ])
        // Both in one superstep, so lint (joined by both edges) runs once, after both.
        .addEdge("make-worktree", "code-generation")
        .addEdge("make-worktree", "test-generation")
        .addEdge("code-generation", "lint")
        .addEdge("test-generation", "lint")
        .addEdge("lint", "run-tests")
        .addConditionalEdges(
          "run-tests",
          (state: FeatureValues, config: LangGraphRunnableConfig) => {
            if (state.testRun?.passed) return "code-review";
            return state.testFailures >= settings(config).max_fix_rounds
              ? "conflict-resolution"
              : "code-generation";
          },
          ["code-review", "code-generation", "conflict-resolution"],
        )
        .addEdge("code-review", "qa-verification")
        .addConditionalEdges(
          "qa-verification",
          (state: FeatureValues, config: LangGraphRunnableConfig) => {
            const review = state.review?.verdict;
            const qa = state.qa?.verdict;
            if (review === "pass" && qa === "pass") return "commit-message";
            if (review !== qa) return "conflict-resolution";
            return state.codeRound >= settings(config).max_fix_rounds
              ? "conflict-resolution"
              : "code-generation";
          },
          ["commit-message", "code-generation", "conflict-resolution"],
        )
        .addConditionalEdges(
          "conflict-resolution",
          (state: FeatureValues) => {
            if (state.result) return END;
            if (state.conflict === "revise-code") return "code-generation";
            if (state.conflict === "revise-tests") return "test-generation";
            return "commit-message";
          },
          ["code-generation", "test-generation", "commit-message", END],
        )
        .addEdge("commit-message", "commit")
        .addEdge("commit", END)
    );
  },
};
