/**
 * Structured answers from the simulated models: when a request asks for JSON that fits a schema
 * (a workflow's story, gap analysis, go/no-go, review, QA check, conflict decision, bug findings,
 * groomed backlog), the task kind says what the answer knows — read from the prompt like any
 * other answer: the feature request, the code it was shown and what the pattern list finds in it,
 * the test command's report, the acceptance criteria, the backlog's stories — and the schema says
 * how to shape it (simulated-schema-fill.ts). A schema the facts do not cover is filled with the
 * smallest plausible values, so every answer fits what was asked.
 */
import type { TaskKind } from "../config/task-kinds.js";
import type { AnswerContext } from "./simulated-code-answers.js";
import { type CodeFinding, codeFindings } from "./simulated-code-findings.js";
import { programFor, type SimulatedProgram } from "./simulated-programs.js";
import {
  bulletsAfter,
  isTestPath,
  namedFilesIn,
  storiesIn,
  type TestOutcome,
  testOutcome,
  topicOf,
} from "./simulated-prompt-reading.js";
import { type Fact, fitToSchema, markSimulated } from "./simulated-schema-fill.js";
import { lowerFirst, upperFirst } from "./simulated-text.js";

type Facts = { readonly [key: string]: Fact };

export function structuredAnswer(context: AnswerContext, schema: unknown): unknown {
  const kind = context.reading.kind;
  const facts = kind === "judge" ? undefined : FACTS[kind]?.(context);
  return markSimulated(fitToSchema(schema, facts, "value"));
}

const FACTS: Partial<Record<TaskKind, (context: AnswerContext) => Facts>> = {
  "story-drafting": storyFacts,
  elaboration: elaborationFacts,
  "gap-analysis": gapFacts,
  "decision-gate": decisionFacts,
  "code-review": reviewFacts,
  "qa-verification": qaFacts,
  "conflict-resolution": conflictFacts,
  "bug-hunting": findingsFacts,
  "backlog-grooming": backlogFacts,
};

function programOf({ reading }: AnswerContext): { program: SimulatedProgram; matched: boolean } {
  return programFor(topicOf(reading.request));
}

/** The names of the program's tests: the behaviour it promises, as acceptance criteria. */
function promisedBehaviour(program: SimulatedProgram): string[] {
  return [...program.test.matchAll(/^test\("([^"]+)"/gm)].map((match) => `${program.exportName} ${match[1]}`);
}

function storyFacts(context: AnswerContext): Facts {
  const request = topicOf(context.reading.request);
  const { program, matched } = programOf(context);
  const sentence = (/^(.+?[.?!])(\s|$)/.exec(request.replace(/\s+/g, " "))?.[1] ?? request).replace(
    /[.!?]+$/,
    "",
  );
  const title = upperFirst(
    sentence.length > 72 ? `${sentence.slice(0, 69).replace(/\s+\S*$/, "")}…` : sentence,
  );
  return {
    title,
    as_a: /\b(admin|administrator)\b/i.test(request) ? "an administrator" : "a developer on this codebase",
    i_want: lowerFirst(
      sentence.replace(/^(please\s+)?(add|build|create|implement|write|make|give me)\s+/i, ""),
    ),
    so_that: "the behaviour is written once, tested, and the same everywhere it is used",
    acceptance_criteria: matched
      ? promisedBehaviour(program)
      : [
          `${program.exportName} handles the normal case the request describes`,
          `${program.exportName} refuses bad input with an error that names the value`,
          `${program.exportName} has tests for the edges: empty input, the first and the last item`,
        ],
  };
}

function elaborationFacts(context: AnswerContext): Facts {
  const { program, matched } = programOf(context);
  return {
    details: [
      `\`${program.exportName}\` ${program.summary}`,
      "Bad input fails loudly with an error that names the value, rather than giving a wrong result",
      "No new dependencies: the module stands alone and its tests use the runner the repository has",
    ],
    assumptions: [
      "The module does no I/O, so its tests need no fixtures",
      "Callers are inside this codebase",
    ],
    open_questions: matched
      ? ["Should it be exported from the package's entry point as well?"]
      : [
          `The demo's simulated models know a handful of small programs; the closest to this request is \`${program.exportName}\`: is that what is meant?`,
        ],
    files: [`src/${program.name} (new module)`, `test/${program.name}.test (new tests)`],
  };
}

function gapFacts(context: AnswerContext): Facts {
  const { program } = programOf(context);
  return {
    gaps: [
      {
        gap: "No criterion says what happens with bad input",
        impact: "medium",
        remedy: `${program.exportName} throws an error that names the value; a test checks it`,
      },
      {
        gap: "The empty input is not mentioned",
        impact: "low",
        remedy: "One test for the empty case",
      },
    ],
    ready: true,
  };
}

function decisionFacts({ reading }: AnswerContext): Facts {
  const highImpact = /\(high impact\)/.test(reading.request);
  return {
    decision: highImpact ? "no-go" : "go",
    reasons: highImpact
      ? ["A high-impact gap is open: settle it in the specification before any code is written"]
      : [
          "The acceptance criteria are testable, and the work is one module with its tests",
          "The gaps found are low or medium impact, and each has a remedy the code can follow",
        ],
  };
}

interface FileFinding extends CodeFinding {
  file: string;
  text: string;
}

/** What the pattern list finds in the named files of the prompt (tests too, unless left out). */
function findingsIn(text: string, options: { tests: boolean }): FileFinding[] {
  return namedFilesIn(text)
    .filter((file) => options.tests || !isTestPath(file.path ?? ""))
    .flatMap((file) =>
      codeFindings(file).map((finding) => ({
        ...finding,
        file: file.path ?? "the code",
        text: file.lines[finding.line - 1]?.trim() ?? "",
      })),
    );
}

function testsSay(outcome: TestOutcome): string {
  if (outcome.state === "not run") return "the tests have not run yet";
  const counted = outcome.passedCount !== undefined ? ` (${outcome.passedCount} passing)` : "";
  return outcome.state === "passed"
    ? `the tests pass${counted}: ${outcome.summary}`
    : `the tests fail: ${outcome.summary}`;
}

function reviewFacts({ reading }: AnswerContext): Facts {
  const findings = findingsIn(reading.request, { tests: false });
  const files = namedFilesIn(reading.request).map((file) => file.path);
  const outcome = testOutcome(reading.request);
  const blocking = findings
    .filter((finding) => finding.blocking)
    .map((finding) => ({
      file: `${finding.file}:${finding.line}`,
      issue: finding.message,
      fix: finding.fix,
    }));
  if (outcome.state === "failed")
    blocking.push({
      file: files[0] ?? "the change",
      issue: testsSay(outcome),
      fix: "make the failing tests pass",
    });
  const notes = findings
    .filter((finding) => !finding.blocking)
    .map((finding) => `${finding.file}:${finding.line} — ${finding.message}; ${finding.fix}`);
  return {
    verdict: blocking.length === 0 && outcome.state !== "failed" ? "pass" : "fail",
    summary: `Reviewed ${files.length} file${files.length === 1 ? "" : "s"} (${files.join(", ") || "none shown"}): ${blocking.length} blocking, ${notes.length} non-blocking; ${testsSay(outcome)}.`,
    blocking,
    notes: notes.length > 0 ? notes : ["Nothing worth holding the merge for"],
  };
}

function qaFacts({ reading }: AnswerContext): Facts {
  const outcome = testOutcome(reading.request);
  const criteria = bulletsAfter(reading.request, /^acceptance criteria:$/i);
  const status = outcome.state === "passed" ? "pass" : outcome.state === "failed" ? "fail" : "untested";
  const checked = (criteria.length > 0 ? criteria : ["The change does what the specification asks"]).map(
    (criterion) => ({ criterion, status, evidence: testsSay(outcome) }),
  );
  return {
    verdict: status === "pass" ? "pass" : "fail",
    criteria: checked,
    summary:
      status === "pass"
        ? `All ${checked.length} criteria are covered by passing tests.`
        : `${checked.length} criteria not verified: ${testsSay(outcome)}.`,
  };
}

function conflictFacts({ reading }: AnswerContext): Facts {
  const outcome = testOutcome(reading.request);
  if (outcome.state === "passed")
    return {
      decision: "accept",
      reason: `The tests cover the acceptance criteria and ${testsSay(outcome)}; the other check's concern is not backed by a failing test`,
      guidance: "",
    };
  return {
    decision: "revise-code",
    reason: `${upperFirst(testsSay(outcome))}; the code must change before anything else is decided`,
    guidance:
      "Read the failing assertion in the test output, fix the code it names, and keep the tests as they are",
  };
}

const SEVERITY_BY_RULE: Readonly<Record<string, "high" | "medium" | "low">> = {
  eqeqeq: "medium",
  "no-explicit-any": "low",
  "no-non-null-assertion": "medium",
};

function findingsFacts({ reading }: AnswerContext): Facts {
  return {
    findings: findingsIn(reading.request, { tests: true }).map((finding) => ({
      file: finding.file,
      line: finding.line,
      title: upperFirst(finding.message.split(/[;:(]/)[0]!.trim()),
      severity: finding.blocking ? "high" : (SEVERITY_BY_RULE[finding.rule] ?? "low"),
      evidence: finding.text,
      suggestion: upperFirst(finding.fix),
    })),
  };
}

function backlogFacts({ reading }: AnswerContext): Facts {
  const stories = storiesIn(reading.request);
  const seen: Array<{ id: string; words: Set<string> }> = [];
  const items = stories.map((story) => {
    const words = new Set(story.title.toLowerCase().match(/[a-z0-9]{3,}/g) ?? []);
    const duplicate = seen.find((earlier) => overlap(earlier.words, words) >= 0.6);
    seen.push({ id: story.id, words });
    const length = story.text.split(/\s+/).length;
    const gaps = [
      ...(/\b(acceptance|criteria|given|when|then)\b/i.test(story.text) ? [] : ["no acceptance criteria"]),
      ...(length < 12 ? ["too little detail to estimate with confidence"] : []),
    ];
    const size = length < 40 ? "S" : length < 120 ? "M" : "L";
    return {
      id: story.id,
      size,
      value: /\b(bug|fix|broken|security|crash|data loss)\b/i.test(story.text)
        ? 5
        : /\b(nice to have|polish|someday|maybe)\b/i.test(story.text)
          ? 2
          : 3,
      duplicate_of: duplicate?.id ?? null,
      gaps,
      ready: gaps.length === 0 && size !== "L" && !duplicate,
    };
  });
  // The groom workflow asks about one story at a time: its answer is that story's item itself.
  const [only] = items;
  if (items.length !== 1 || !only) return { items };
  return {
    items,
    ...only,
    summary: stories[0]!.title,
    risk: only.size === "L" ? "high" : only.size === "M" ? "medium" : "low",
    questions: only.gaps,
  };
}

function overlap(left: Set<string>, right: Set<string>): number {
  const shared = [...left].filter((word) => right.has(word)).length;
  const union = new Set([...left, ...right]).size;
  return union === 0 ? 0 : shared / union;
}
