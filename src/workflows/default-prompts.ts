/**
 * The built-in prompt of every node kind the built-in workflows use, with the values each may
 * name. `workflows.prompts.<kind>` in the config replaces one; `checkPromptOverrides` says, before
 * any run starts, when an override names a kind that does not exist or a value its step lacks.
 * Each prompt names its work plainly (a story, a review, tests), so whichever model answers — or
 * the demo's simulated one — can tell what is asked.
 */
import { unknownPlaceholders } from "./prompt-template.js";

export interface PromptDefinition {
  template: string;
  /** The values a template of this kind may use. */
  values: readonly string[];
}

const JSON_NOTE = "Answer with one JSON object that fits the given schema, and nothing else.";

export const DEFAULT_PROMPTS = {
  "story-drafting": {
    values: ["request"],
    template: `Draft a user story for this feature request, with testable acceptance criteria.

Feature request:
{{request}}

${JSON_NOTE}`,
  },
  elaboration: {
    values: ["request", "story"],
    template: `Elaborate this user story: the missing details, the assumptions it makes, the open questions, and the source files the work will likely create or change.

Story:
{{story}}

${JSON_NOTE}`,
  },
  "gap-analysis": {
    values: ["story", "elaboration"],
    template: `Gap analysis: compare the story with its elaboration and list each gap (missing behaviour, edge case, error handling, test) with its impact and a remedy. Say whether the work is ready to build.

Story:
{{story}}

Elaboration:
{{elaboration}}

${JSON_NOTE}`,
  },
  "decision-gate": {
    values: ["spec", "gaps"],
    template: `Decision gate: should this work go ahead as specified? Give a clear go or no-go against its acceptance criteria and the gaps found, with your reasons. A person makes the final decision.

Specification:
{{spec}}

Gaps:
{{gaps}}

${JSON_NOTE}`,
  },
  "code-generation": {
    values: ["spec", "guidance", "files", "repository"],
    template: `Write the code for this specification. Give each file as a fenced code block whose info string names its path, e.g. \`\`\`ts title="src/pager.ts"; write whole files, not fragments. Do not write the tests: they are written separately against the same specification.

Specification:
{{spec}}

{{guidance}}
{{files}}

The repository's files (put yours where they belong, in its language and test style):
{{repository}}`,
  },
  "test-generation": {
    values: ["spec", "guidance", "files", "repository"],
    template: `Write the tests for this specification: the normal case, the edges and bad input. Give each test file as a fenced code block whose info string names its path, e.g. \`\`\`ts title="test/pager.test.ts". The code is being written at the same time from the same specification; test its behaviour through the interface the specification describes.

Specification:
{{spec}}

{{guidance}}
{{files}}

The repository's files (put yours where they belong, in its language and test style):
{{repository}}`,
  },
  lint: {
    values: ["code", "linter"],
    template: `Lint this code: list each problem with its file, line and a fix (loose equality, unused values, swallowed errors, leftover logging, unsafe types). Say "No problems found" when there are none.

{{code}}

{{linter}}`,
  },
  "code-review": {
    values: ["spec", "code", "tests", "lint", "test_results"],
    template: `Code review: review the change against its specification, as a synthesis of the lint findings, the test results and your own reading. Blocking issues apart from notes; the verdict is "pass" only when nothing blocks.

Specification:
{{spec}}

Code:
{{code}}

Tests:
{{tests}}

Lint findings:
{{lint}}

Test results:
{{test_results}}

${JSON_NOTE}`,
  },
  "qa-verification": {
    values: ["spec", "code", "review", "test_results"],
    template: `QA verification: check each acceptance criterion of the specification against the code and the test results: pass, fail or untested, with the evidence. The verdict is "pass" only when every criterion passes.

Specification:
{{spec}}

Code:
{{code}}

Review:
{{review}}

Test results:
{{test_results}}

${JSON_NOTE}`,
  },
  "conflict-resolution": {
    values: ["spec", "conflict", "review", "qa", "test_results"],
    template: `Conflict resolution: the checks of this change disagree ({{conflict}}). Decide what happens next: accept the change as it is, revise the code, revise the tests, or abort. Give the reason and, for a revision, the guidance the next attempt must follow.

Specification:
{{spec}}

Review:
{{review}}

QA:
{{qa}}

Test results:
{{test_results}}

${JSON_NOTE}`,
  },
  "commit-message": {
    values: ["title", "diff_stat", "diff"],
    template: `Write a commit message for this change: a conventional commit subject under 72 characters, a blank line, then a short body saying what changed and why. Only the message, no code fences.

Change: {{title}}

{{diff_stat}}

{{diff}}`,
  },
  explore: {
    values: ["module", "files"],
    template: `Bug hunting in {{module}}: read the code and report the likely bugs — each with its file, line, a title, severity (high, medium, low), the evidence and a suggested fix. Report nothing you cannot point at in the code.

{{files}}

${JSON_NOTE}`,
  },
  "bughunt-synthesis": {
    values: ["modules", "findings"],
    template: `Code review synthesis of a bug hunt over {{modules}}: the findings below are deduplicated and ranked. Write the report: the bugs most worth fixing first and why, what they have in common, and the next steps. Markdown.

Findings:
{{findings}}`,
  },
  groom: {
    values: ["story", "backlog"],
    template: `Backlog grooming of one story: restate it in one line, size it (XS, S, M, L, XL), rate its value (1-5) and its risk (low, medium, high), name the id of another story of the backlog that asks for the same thing (or null), list the questions that must be answered before it can be built, and say whether it is ready to build.

Story:
{{story}}

The rest of the backlog (id: title), for duplicates:
{{backlog}}

${JSON_NOTE}`,
  },
  "groom-synthesis": {
    values: ["backlog"],
    template: `Gap analysis of this groomed backlog: what is missing across the stories, which should be split or merged, and the order to build them in. Markdown.

{{backlog}}`,
  },
  "review-local": {
    values: ["diff"],
    template: `Code review of this diff: blocking issues apart from notes, each blocking issue with its file, what is wrong and a fix; the verdict is "pass" only when nothing blocks.

{{diff}}

${JSON_NOTE}`,
  },
  "review-synthesis": {
    values: ["diff_stat", "diff", "lint", "local_review", "test_results"],
    template: `Code review synthesis: combine the lint findings, a first review and the test results of this change into one review — what blocks it (each with its file, what is wrong and a fix), what to improve, and the verdict ("pass" only when nothing blocks). Check the first review's claims against the diff.

{{diff_stat}}

Lint findings:
{{lint}}

First review:
{{local_review}}

Test results:
{{test_results}}

Diff:
{{diff}}

${JSON_NOTE}`,
  },
} as const satisfies Record<string, PromptDefinition>;

export type PromptKind = keyof typeof DEFAULT_PROMPTS;

/** The template for `kind`: the config's override, else the built-in one. */
export function promptFor(kind: PromptKind, overrides: Readonly<Record<string, string>>): string {
  return overrides[kind] ?? DEFAULT_PROMPTS[kind].template;
}

/** What is wrong with `workflows.prompts`, one line per problem; empty when nothing is. */
export function checkPromptOverrides(overrides: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  for (const [kind, template] of Object.entries(overrides)) {
    if (!Object.hasOwn(DEFAULT_PROMPTS, kind)) {
      problems.push(
        `workflows.prompts.${kind} names no node kind; use one of: ${Object.keys(DEFAULT_PROMPTS).join(", ")}`,
      );
      continue;
    }
    const known = DEFAULT_PROMPTS[kind as PromptKind].values;
    const unknown = unknownPlaceholders(template, known);
    if (unknown.length > 0)
      problems.push(
        `workflows.prompts.${kind} uses ${unknown.map((name) => `{{${name}}}`).join(", ")}; a ${kind} prompt may use ${known.map((name) => `{{${name}}}`).join(", ")}`,
      );
  }
  return problems;
}
