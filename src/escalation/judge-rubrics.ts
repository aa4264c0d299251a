/**
 * What a good answer looks like for each task kind: the built-in rubric a judge model grades
 * against when `gates.<task>.judge.rubric` is empty. Short on purpose — a judge prompt is paid for
 * on every graded answer.
 */
import type { TaskKind } from "../config/task-kinds.js";

export const JUDGE_RUBRICS: Readonly<Record<TaskKind, string>> = {
  "code-generation":
    "The code does what was asked, compiles, handles the obvious edge cases, and fits the stated language and style.",
  "test-generation":
    "The tests exercise the stated behaviour including edge cases, would pass against a correct implementation, and use the named framework.",
  lint: "Every real problem in the code is named with its line and a concrete fix; no invented problems.",
  "commit-message":
    "A concise imperative subject line (≤ 72 characters) that matches the diff, and a body only when it adds the why.",
  refactoring:
    "The behaviour is unchanged, the change achieves the stated goal, and the result is simpler to read.",
  "story-drafting":
    "A user story with role, goal and benefit, and testable acceptance criteria that cover the request.",
  "backlog-grooming":
    "Items are clear, sized, ordered by value with reasons, and duplicates or gaps are pointed out.",
  "bug-hunting":
    "Names the most likely cause with evidence from the material given, and a concrete next step or fix.",
  elaboration:
    "Expands the idea accurately and concretely, with the missing details, assumptions and open questions.",
  "gap-analysis":
    "Finds the real gaps between what exists and what is needed, each with its impact and a remedy; nothing invented.",
  "code-review":
    "Finds the real defects and risks with file/line references and concrete fixes; separates blocking issues from nits.",
  "decision-gate":
    "Makes a clear go / no-go call with the criteria, the evidence for each, and the conditions that would change it.",
  "qa-verification":
    "Checks each acceptance criterion against the evidence, says pass or fail for each, and names what is untested.",
  architecture:
    "Weighs realistic options against the stated constraints, recommends one with the trade-offs and risks made explicit.",
  "conflict-resolution":
    "Resolves the conflict keeping both sides' intent, explains each choice, and leaves no conflict markers.",
};
