/**
 * The evaluation suite: every task, by task kind, and the selection `switchyard eval` runs
 * (`--task` kinds or ids, `--limit` per kind). The version changes whenever a task is added,
 * removed or changed, so stored results say which suite they measured.
 */
import { TASK_KINDS, type TaskKind } from "../../config/task-kinds.js";
import { SwitchyardError } from "../../errors/switchyard-error.js";
import type { EvalTask } from "./eval-task.js";
import { ARCHITECTURE_TASKS } from "./tasks/architecture-tasks.js";
import { BACKLOG_GROOMING_TASKS } from "./tasks/backlog-grooming-tasks.js";
import { BUG_HUNTING_TASKS } from "./tasks/bug-hunting-tasks.js";
import { CODE_GENERATION_TASKS } from "./tasks/code-generation-tasks.js";
import { CODE_REVIEW_TASKS } from "./tasks/code-review-tasks.js";
import { COMMIT_MESSAGE_TASKS } from "./tasks/commit-message-tasks.js";
import { CONFLICT_RESOLUTION_TASKS } from "./tasks/conflict-resolution-tasks.js";
import { DECISION_GATE_TASKS } from "./tasks/decision-gate-tasks.js";
import { ELABORATION_TASKS } from "./tasks/elaboration-tasks.js";
import { GAP_ANALYSIS_TASKS } from "./tasks/gap-analysis-tasks.js";
import { LINT_TASKS } from "./tasks/lint-tasks.js";
import { QA_VERIFICATION_TASKS } from "./tasks/qa-verification-tasks.js";
import { REFACTORING_TASKS } from "./tasks/refactoring-tasks.js";
import { STORY_DRAFTING_TASKS } from "./tasks/story-drafting-tasks.js";
import { TEST_GENERATION_TASKS } from "./tasks/test-generation-tasks.js";

export const SUITE_VERSION = "2025.1";

/** Every task, in task-kind order. */
export const EVAL_SUITE: readonly EvalTask[] = [
  ...CODE_GENERATION_TASKS,
  ...TEST_GENERATION_TASKS,
  ...LINT_TASKS,
  ...COMMIT_MESSAGE_TASKS,
  ...REFACTORING_TASKS,
  ...STORY_DRAFTING_TASKS,
  ...BACKLOG_GROOMING_TASKS,
  ...BUG_HUNTING_TASKS,
  ...ELABORATION_TASKS,
  ...GAP_ANALYSIS_TASKS,
  ...CODE_REVIEW_TASKS,
  ...DECISION_GATE_TASKS,
  ...QA_VERIFICATION_TASKS,
  ...ARCHITECTURE_TASKS,
  ...CONFLICT_RESOLUTION_TASKS,
].sort((a, b) => TASK_KINDS.indexOf(a.kind) - TASK_KINDS.indexOf(b.kind));

export interface SuiteSelection {
  /** Task kinds or task ids; empty or absent: every task. */
  names?: readonly string[];
  /** At most this many tasks of each kind, the first ones. */
  limitPerKind?: number;
}

/**
 * The tasks a run covers. Throws `invalid-request` naming the valid kinds for a name that is
 * neither a task kind nor a task id.
 */
export function selectTasks(selection: SuiteSelection, suite: readonly EvalTask[] = EVAL_SUITE): EvalTask[] {
  const names = selection.names ?? [];
  for (const name of names) {
    if (!TASK_KINDS.includes(name as TaskKind) && !suite.some((task) => task.id === name)) {
      throw new SwitchyardError(
        "invalid-request",
        `"${name}" is neither a task kind nor a task id; use one of: ${TASK_KINDS.join(", ")} (or an id from switchyard eval --list)`,
      );
    }
  }
  const chosen =
    names.length === 0 ? suite : suite.filter((task) => names.includes(task.kind) || names.includes(task.id));
  if (selection.limitPerKind === undefined) return [...chosen];
  const taken = new Map<TaskKind, number>();
  return chosen.filter((task) => {
    const count = taken.get(task.kind) ?? 0;
    taken.set(task.kind, count + 1);
    return count < selection.limitPerKind!;
  });
}
