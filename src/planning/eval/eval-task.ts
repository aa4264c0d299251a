/**
 * The contract every evaluation task meets: a development task of one task kind, the prompt a
 * model is given, and a checker whose verdict does not depend on who answered — unit tests run on
 * the answer's code, deterministic rules on its text, and reference points a judge model checks.
 * Each task also carries a right answer and a plausible wrong one, written by hand: the suite's
 * own tests prove the checker tells them apart, and the bench's simulated models answer with them.
 */
import type { TaskKind } from "../../config/task-kinds.js";

export type CodeLanguage = "typescript" | "javascript" | "python";

/** A regular expression rule on text: the answer's code (code tasks) or the answer (text tasks). */
export interface PatternRule {
  pattern: string;
  /** RegExp flags; default "m". */
  flags?: string;
  /** Said when the rule is broken, e.g. "the code still declares variables with var". */
  message: string;
  /** For `require`: how many matches are needed at least (default 1). */
  atLeast?: number;
  /** For `require`: how many matches are allowed at most. */
  atMost?: number;
}

/** Checked by running tests in a scratch directory. */
export interface CodeCheck {
  type: "code";
  language: CodeLanguage;
  /**
   * Where the answer's code is written: `solution.ts`, `slugify.test.js`, `test_clamp.py`. The code
   * block with this name is taken, else the first block in the task's language.
   */
  answerFile: string;
  /** Files written after the answer: the tests, the code under test, fixtures. */
  files: Readonly<Record<string, string>>;
  /** The file run to decide (`node` for .js/.ts, `python3` for .py); it exits non-zero on failure. */
  run: string;
  /** Rules on the answer's code that tests cannot see (a lint fix, a refactoring's shape). */
  forbid?: readonly PatternRule[];
  require?: readonly PatternRule[];
  /**
   * Test-generation: the answer is a test file. It must pass against `files` and fail against each
   * mutant, whose files replace the code under test.
   */
  mutants?: ReadonlyArray<{ name: string; files: Readonly<Record<string, string>> }>;
}

/** A deterministic rule on a text answer. */
export type TextRule =
  | ({ rule: "matches" } & PatternRule)
  | ({ rule: "not-matches" } & PatternRule)
  /** The answer's first line is a Conventional Commits subject of one of these types. */
  | { rule: "conventional-commit"; types: readonly string[]; maxSubject: number }
  /**
   * Lines `<KEY>: <VALUE>` the prompt asked for, e.g. `AC1: PASS`, `DECISION: NO-GO`. Each key must
   * appear with the expected value (case and spacing aside).
   */
  | { rule: "verdicts"; expected: Readonly<Record<string, string>> };

/** Checked by deterministic rules first, then (when given) by a judge model. */
export interface TextCheck {
  type: "text";
  rules?: readonly TextRule[];
  judge?: {
    /** What a correct answer must contain: the judge checks each one. */
    points: readonly string[];
    /** Overrides the task kind's rubric. */
    rubric?: string;
    /** Pass at or above this score, 0–10; default 7. */
    threshold?: number;
  };
}

export interface EvalTask {
  /** Unique, stable across versions: results are compared by it. */
  id: string;
  kind: TaskKind;
  title: string;
  /** The user message. */
  prompt: string;
  /** The answer budget: sent as max_tokens, and what the cost estimate assumes at most. */
  maxTokens: number;
  check: CodeCheck | TextCheck;
  /** A right answer, as a model would write it. */
  reference: string;
  /** A plausible wrong answer the checker must reject. */
  wrong: string;
}

export const DEFAULT_JUDGE_THRESHOLD = 7;

/** The toolchain a task's checker needs, if any. */
export function toolchainOf(task: EvalTask): "node" | "tsc" | "python3" | undefined {
  if (task.check.type !== "code") return undefined;
  if (task.check.language === "python") return "python3";
  return task.check.language === "typescript" ? "tsc" : "node";
}
