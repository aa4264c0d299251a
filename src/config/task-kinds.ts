/**
 * The 15 task kinds of the routing contract (DESIGN.md) and the alias each starts on by default.
 * Everything here is a default: the config file may move a task to another alias or ladder.
 */

export const TASK_KINDS = [
  "code-generation",
  "test-generation",
  "lint",
  "commit-message",
  "refactoring",
  "story-drafting",
  "backlog-grooming",
  "bug-hunting",
  "elaboration",
  "gap-analysis",
  "code-review",
  "decision-gate",
  "qa-verification",
  "architecture",
  "conflict-resolution",
] as const;

export type TaskKind = (typeof TASK_KINDS)[number];

export function isTaskKind(value: string): value is TaskKind {
  return (TASK_KINDS as readonly string[]).includes(value);
}

/** The four default aliases. Config may add more. */
export const DEFAULT_ALIASES = ["local-coder", "local-reasoner", "cloud-sonnet", "cloud-opus"] as const;

/** Where each task kind starts (DESIGN.md, "The 15 task kinds and where each starts"). */
export const DEFAULT_TASK_START: Record<TaskKind, (typeof DEFAULT_ALIASES)[number]> = {
  "code-generation": "local-coder",
  "test-generation": "local-coder",
  lint: "local-coder",
  "commit-message": "local-coder",
  refactoring: "local-coder",
  "story-drafting": "local-reasoner",
  "backlog-grooming": "local-reasoner",
  "bug-hunting": "local-reasoner",
  elaboration: "local-reasoner",
  "gap-analysis": "cloud-sonnet",
  "code-review": "cloud-sonnet",
  "decision-gate": "cloud-sonnet",
  "qa-verification": "cloud-sonnet",
  architecture: "cloud-opus",
  "conflict-resolution": "cloud-opus",
};

/** The tier each default alias sits on. */
export const DEFAULT_ALIAS_TIER: Record<(typeof DEFAULT_ALIASES)[number], 1 | 2 | 3> = {
  "local-coder": 1,
  "local-reasoner": 1,
  "cloud-sonnet": 2,
  "cloud-opus": 3,
};

/** Each task kind's position in TASK_KINDS: the index of its slot in per-task arrays. */
export const TASK_INDEX: ReadonlyMap<TaskKind, number> = new Map(
  TASK_KINDS.map((task, index) => [task, index]),
);
