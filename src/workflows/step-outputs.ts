/**
 * The typed outputs of the built-in workflows' model steps. Structured ones are zod schemas: the
 * request carries each as a JSON Schema (so the structural gate fails an answer that does not fit
 * it, and the ladder climbs), and the node validates the answer again with zod. Text outputs
 * (code, tests, commit messages) have a parser that says what is wrong with an answer.
 */
import { z } from "zod";
import { extractCodeFiles } from "../escalation/code-blocks.js";

const text = z.string().min(1);
const list = z.array(z.string());

export const storyOutput = z.object({
  title: text,
  as_a: text,
  i_want: text,
  so_that: text,
  acceptance_criteria: z.array(text).min(1),
});

export const elaborationOutput = z.object({
  details: list,
  assumptions: list,
  open_questions: list,
  files: list,
});

export const gapsOutput = z.object({
  gaps: z.array(z.object({ gap: text, impact: z.enum(["low", "medium", "high"]), remedy: text })),
  ready: z.boolean(),
});

export const recommendationOutput = z.object({
  decision: z.enum(["go", "no-go"]),
  reasons: z.array(text).min(1),
});

export const reviewOutput = z.object({
  verdict: z.enum(["pass", "fail"]),
  summary: text,
  blocking: z.array(z.object({ file: z.string(), issue: text, fix: z.string() })),
  notes: list,
});

export const qaOutput = z.object({
  verdict: z.enum(["pass", "fail"]),
  criteria: z.array(
    z.object({ criterion: text, status: z.enum(["pass", "fail", "untested"]), evidence: z.string() }),
  ),
  summary: text,
});

/** The decisions a conflict resolution may take: the run goes back to a step, goes on, or ends. */
export const conflictOutput = z.object({
  decision: z.enum(["accept", "revise-code", "revise-tests", "abort"]),
  reason: text,
  guidance: z.string(),
});

export const severities = ["high", "medium", "low"] as const;

export const findingsOutput = z.object({
  findings: z.array(
    z.object({
      file: text,
      /** 0 when the finding is about the file as a whole. */
      line: z.number().int().min(0),
      title: text,
      severity: z.enum(severities),
      evidence: z.string(),
      suggestion: z.string(),
    }),
  ),
});

export const storySizes = ["XS", "S", "M", "L", "XL"] as const;

/** One story, groomed: the backlog-grooming step's answer for it. */
export const groomedStoryOutput = z.object({
  /** The story restated in one line. */
  summary: text,
  size: z.enum(storySizes),
  /** What building it is worth, 1 (little) to 5 (most). */
  value: z.number().int().min(1).max(5),
  risk: z.enum(["low", "medium", "high"]),
  /** The id of another story of the backlog that asks for the same thing, or null. */
  duplicate_of: z.string().nullable(),
  /** What must be answered before it can be built. */
  questions: list,
  ready: z.boolean(),
});

export type Story = z.output<typeof storyOutput>;
export type Elaboration = z.output<typeof elaborationOutput>;
export type Gaps = z.output<typeof gapsOutput>;
export type Recommendation = z.output<typeof recommendationOutput>;
export type Review = z.output<typeof reviewOutput>;
export type Qa = z.output<typeof qaOutput>;
export type ConflictDecision = z.output<typeof conflictOutput>;
export type Finding = z.output<typeof findingsOutput>["findings"][number];
export type GroomedStory = z.output<typeof groomedStoryOutput>;

/** A text answer's parser: the value, or what is wrong with the answer (the feedback for the next rung). */
export type TextParser<T> = (answer: string) => { ok: true; value: T } | { ok: false; problem: string };

export interface CodeFileOutput {
  path: string;
  content: string;
}

/** Code or tests: at least one fenced block, each named by a safe relative path. */
export const codeFilesParser: TextParser<CodeFileOutput[]> = (answer) => {
  const files = extractCodeFiles(answer)
    .filter((file) => !/^answer(-\d+)?\.\w+$/.test(file.path))
    .map(({ path, content }) => ({ path, content }));
  if (files.length === 0)
    return {
      ok: false,
      problem:
        'the answer has no fenced code block named by its file path (```ts title="src/name.ts"); give every file that way',
    };
  return { ok: true, value: files };
};

/** A commit message: fences and surrounding blank lines removed; the subject must be there. */
export const commitMessageParser: TextParser<string> = (answer) => {
  const message = answer
    .replace(/^```[^\n]*\n?/gm, "")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
  const subject = message.split("\n")[0] ?? "";
  if (subject.trim() === "") return { ok: false, problem: "the commit message is empty" };
  return { ok: true, value: message };
};

/** Free text: anything not empty. */
export const plainTextParser: TextParser<string> = (answer) =>
  answer.trim() === "" ? { ok: false, problem: "the answer is empty" } : { ok: true, value: answer.trim() };
