/**
 * The \`feature\` workflow's state: small values and artefact ids only (the story, the code, the
 * reviews live in the run's artefacts), so each checkpoint stays a few kilobytes. Rounds of code
 * and tests are counted here; each round's steps take their keys from them.
 */
import type { RecordedDecision } from "../human-gate.js";
import type { Worktree } from "../run-worktree.js";
import { lastValue, type RunResult } from "../workflow-definition.js";

export const FeatureState = {
  request: lastValue<string>(""),
  title: lastValue<string>(""),
  testCommand: lastValue<string>(""),
  lintCommand: lastValue<string>(""),
  storyId: lastValue<string | null>(null),
  elaborationId: lastValue<string | null>(null),
  gapsId: lastValue<string | null>(null),
  specId: lastValue<string | null>(null),
  recommendationId: lastValue<string | null>(null),
  decision: lastValue<RecordedDecision | null>(null),
  worktree: lastValue<Worktree | null>(null),
  codeFiles: lastValue<string[]>([]),
  testFiles: lastValue<string[]>([]),
  codeRound: lastValue<number>(0),
  testRound: lastValue<number>(0),
  /** What the next code or test round must address (failing tests, a review, a resolution): an artefact id. */
  codeGuidance: lastValue<string | null>(null),
  testGuidance: lastValue<string | null>(null),
  lintId: lastValue<string | null>(null),
  testRun: lastValue<{ passed: boolean; summary: string; artefactId: string } | null>(null),
  testFailures: lastValue<number>(0),
  review: lastValue<{ verdict: "pass" | "fail"; artefactId: string } | null>(null),
  qa: lastValue<{ verdict: "pass" | "fail"; artefactId: string } | null>(null),
  conflictRounds: lastValue<number>(0),
  /** Why the run is at conflict resolution (tests failing, verdicts disagreeing). */
  conflictWhy: lastValue<string | null>(null),
  /** Conflict resolution's last decision. */
  conflict: lastValue<string | null>(null),
  commitMessageId: lastValue<string | null>(null),
  result: lastValue<RunResult | null>(null),
};

export type FeatureValues = { [Key in keyof typeof FeatureState]: (typeof FeatureState)[Key]["ValueType"] };
