/**
 * The demo's answer writer: reads a request (simulated-task.ts), writes the answer its task kind
 * calls for (simulated-code-answers.ts, simulated-prose-answers.ts), adds reasoning for a model
 * asked to think, honours JSON output formats, and marks everything simulated
 * (simulated-markers.ts). Configured flaws make a named model get a named program wrong, so the
 * demo can show a quality gate failing and the ladder climbing.
 */
import type { TaskKind } from "../config/task-kinds.js";
import type { AnswerWriter, SimulatedReply } from "./simulated-ask.js";
import {
  type AnswerContext,
  codeGenerationAnswer,
  commitMessageAnswer,
  conflictResolutionAnswer,
  lintAnswer,
  refactoringAnswer,
  testGenerationAnswer,
} from "./simulated-code-answers.js";
import { jsonModeAnswer } from "./simulated-json.js";
import { answerNote, reasoningOpening } from "./simulated-markers.js";
import { programFor } from "./simulated-programs.js";
import { topicOf } from "./simulated-prompt-reading.js";
import {
  architectureAnswer,
  backlogGroomingAnswer,
  bugHuntingAnswer,
  codeReviewAnswer,
  decisionGateAnswer,
  elaborationAnswer,
  gapAnalysisAnswer,
  judgeAnswer,
  qaVerificationAnswer,
  storyDraftingAnswer,
} from "./simulated-prose-answers.js";
import { structuredAnswer } from "./simulated-structured.js";
import { type AskReading, readAsk } from "./simulated-task.js";
import { lowerFirst, subjectOf } from "./simulated-text.js";

export interface SimulatedFlaw {
  /** The model that makes the mistake, as requests name it: `qwen2.5-coder:32b`. */
  model: string;
  /** The program it gets wrong, by its name in the library: `lru-cache`. */
  program: string;
  /**
   * "type-error": its code fails `tsc --strict` (needs an executable gate to be caught);
   * "runs-out-of-tokens": the answer is cut off at the output limit (the structural gate catches it).
   */
  kind: "type-error" | "runs-out-of-tokens";
}

export interface AnswerWriterOptions {
  flaws?: readonly SimulatedFlaw[];
}

const WRITERS: Record<TaskKind, (context: AnswerContext) => string> = {
  "code-generation": codeGenerationAnswer,
  "test-generation": testGenerationAnswer,
  lint: lintAnswer,
  "commit-message": commitMessageAnswer,
  refactoring: refactoringAnswer,
  "story-drafting": storyDraftingAnswer,
  "backlog-grooming": backlogGroomingAnswer,
  "bug-hunting": bugHuntingAnswer,
  elaboration: elaborationAnswer,
  "gap-analysis": gapAnalysisAnswer,
  "code-review": codeReviewAnswer,
  "decision-gate": decisionGateAnswer,
  "qa-verification": qaVerificationAnswer,
  architecture: architectureAnswer,
  "conflict-resolution": conflictResolutionAnswer,
};

const SHAPES: Record<TaskKind | "judge", string> = {
  "code-generation": "compiling code with its edge cases handled",
  "test-generation": "tests that cover the normal case, the edges and bad input",
  lint: "each problem with its line and a fix",
  "commit-message": "a conventional commit subject under 72 characters",
  refactoring: "the same behaviour, simpler to read",
  "story-drafting": "a user story with testable acceptance criteria",
  "backlog-grooming": "items sized and ordered by value, with duplicates and gaps named",
  "bug-hunting": "the most likely cause with its evidence and a next step",
  elaboration: "the missing details, assumptions and open questions",
  "gap-analysis": "each gap with its impact and a remedy",
  "code-review": "blocking issues apart from nits, with lines and fixes",
  "decision-gate": "a clear go or no-go against the criteria",
  "qa-verification": "pass or fail per criterion, and what is untested",
  architecture: "options weighed, one recommended, trade-offs explicit",
  "conflict-resolution": "both sides' intent kept and no markers left",
  judge: "a score out of 10 with concrete reasons",
};

export function createAnswerWriter(options: AnswerWriterOptions = {}): AnswerWriter {
  return (ask): SimulatedReply => {
    const reading = readAsk(ask);
    const flaw =
      reading.kind === "code-generation" && reading.feedback === undefined
        ? options.flaws?.find(
            (candidate) =>
              candidate.model === ask.model &&
              programFor(topicOf(reading.request)).program.name === candidate.program,
          )
        : undefined;
    const context: AnswerContext = { reading, model: ask.model, flawed: flaw?.kind === "type-error" };
    const body =
      reading.kind === "judge" ? judgeAnswer(context, reading.judgedKind) : WRITERS[reading.kind](context);
    const thinking = ask.think ? thinkingFor(reading) : undefined;
    if (ask.format?.type === "json-schema") {
      return { content: JSON.stringify(structuredAnswer(context, ask.format.schema)), thinking };
    }
    if (ask.format?.type === "json")
      return { content: jsonModeAnswer(reading.kind, body, ask.model), thinking };
    // A commit message is marked by its trailer: a note after it would end up in the commit.
    const closing = reading.kind === "commit-message" ? "" : `\n\n${answerNote(ask.model)}`;
    return { content: body + closing, thinking, runsOutOfTokens: flaw?.kind === "runs-out-of-tokens" };
  };
}

function thinkingFor(reading: AskReading): string {
  const retry = reading.feedback
    ? ` A previous answer was rejected: ${reading.feedback.split("\n")[0]!.slice(0, 200)} I must fix exactly that and not repeat it.`
    : "";
  return (
    `${reasoningOpening()}The request is about ${lowerFirst(subjectOf(reading.request))}. It reads as ${reading.kind} work, ` +
    `so a good answer gives ${SHAPES[reading.kind]}.${retry} ` +
    "First the constraints stated in the request, then the edge cases: empty input, the first and last item, " +
    "bad values. Then the answer itself, short and in the shape asked for."
  );
}
