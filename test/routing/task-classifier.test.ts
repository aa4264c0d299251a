/**
 * The task classifier (hand-written rules + learned model) against its labelled set
 * (test/fixtures/routing-labelled-set.jsonl) and its behavioural promises: deterministic, never
 * keeps clear architecture / conflict work local, prefers the cheaper tier when unsure, survives
 * odd input, and explains itself. How well it generalises — cross-validation — and whether the
 * committed weights are the trainer's output are in task-classifier-training.test.ts.
 *
 * Splits in the labelled set: `tune` (the rules were fitted on it; the model trains on all of
 * it), `holdout` (written with the first draft, never tuned against) and `blind` (written after
 * the first rule draft). Prompts marked `origin: "after-rules"` were written later still, for the
 * model; the rules never saw them.
 */

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_ALIAS_TIER,
  DEFAULT_TASK_START,
  isTaskKind,
  TASK_KINDS,
  type TaskKind,
} from "../../src/config/task-kinds.js";
import {
  exampleMessages,
  type LabelledExample,
  TRAINING_OPTIONS,
} from "../../src/planning/classifier-training.js";
import type { ChatMessage } from "../../src/protocol/chat-types.js";
import { COMMON_WORD_STEMS, isCommonFeature } from "../../src/routing/classifier-common-words.js";
import { modelFromWeights } from "../../src/routing/classifier-model.js";
import { DECISION_POLICY, KEYWORD_RULES } from "../../src/routing/classifier-rules.js";
import { splitProseAndCode } from "../../src/routing/classifier-structure.js";
import { LEARNED_WEIGHTS } from "../../src/routing/classifier-weights.js";
import {
  type ClassifierSignal,
  classifyMessages,
  classifyText,
  decide,
  explainReading,
  scoresOf,
  stemWord,
} from "../../src/routing/task-classifier.js";

type LabelledPrompt = LabelledExample;

const labelled: LabelledPrompt[] = readFileSync(
  new URL("../fixtures/routing-labelled-set.jsonl", import.meta.url),
  "utf8",
)
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line) as LabelledPrompt);

const tierOf = (task: TaskKind) => DEFAULT_ALIAS_TIER[DEFAULT_TASK_START[task]];

function classifyLabelled(row: LabelledPrompt) {
  return classifyMessages(exampleMessages(row));
}

function accuracy(rows: LabelledPrompt[]) {
  let taskHits = 0;
  let tierHits = 0;
  for (const row of rows) {
    const { task } = classifyLabelled(row);
    if (task === row.task) taskHits++;
    if (tierOf(task) === tierOf(row.task)) tierHits++;
  }
  return { count: rows.length, task: taskHits / rows.length, tier: tierHits / rows.length };
}

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

const unseenByRules = (row: LabelledPrompt) => row.split === "blind" || row.origin === "after-rules";

describe("the labelled set", () => {
  it("is well formed: every kind has at least 60 prompts, no duplicates, most unseen by the rules", () => {
    for (const row of labelled) {
      expect(isTaskKind(row.task), row.task).toBe(true);
      expect(["tune", "holdout", "blind"]).toContain(row.split);
      expect([undefined, "after-rules"]).toContain(row.origin);
      expect(row.prompt.trim()).not.toBe("");
    }
    for (const task of TASK_KINDS) {
      expect(labelled.filter((row) => row.task === task).length, task).toBeGreaterThanOrEqual(60);
    }
    const prompts = labelled.map((row) => row.prompt.trim().toLowerCase());
    expect(new Set(prompts).size).toBe(prompts.length);
    expect(labelled.filter(unseenByRules).length / labelled.length).toBeGreaterThanOrEqual(0.5);
  });

  it("is classified accurately in-sample by the shipped weights (task ≥ 93%, tier ≥ 96.5%)", () => {
    // In-sample only shows the model learned its data; leave-one-author-out (its own test files)
    // is the estimate for new wording. This is the first author's set, one of forty-seven the
    // model now fits: 96%+ / 98%+ when it was a larger share of the data, 94.3% / 97.5% with
    // thirty-one, 93.5% / 97.0% with thirty-nine, 93.4% / 96.7% with forty-seven.
    const report = [
      ["tune", accuracy(labelled.filter((row) => row.split === "tune"))],
      ["holdout", accuracy(labelled.filter((row) => row.split === "holdout"))],
      ["blind", accuracy(labelled.filter((row) => row.split === "blind"))],
      ["unseen by rules", accuracy(labelled.filter(unseenByRules))],
      ["everything", accuracy(labelled)],
    ] as const;
    for (const [name, result] of report) {
      console.log(
        `${name.padEnd(15)} n=${String(result.count).padStart(4)}  task ${percent(result.task)}  tier ${percent(result.tier)}`,
      );
    }
    const everything = report[4][1];
    expect(everything.task).toBeGreaterThanOrEqual(0.93);
    expect(everything.tier).toBeGreaterThanOrEqual(0.965);
  });
});

describe("classifyMessages", () => {
  it("is deterministic: same input, same decision, signals and scores, in any order", () => {
    const first = labelled.map(classifyLabelled);
    const reversed = [...labelled].reverse().map(classifyLabelled).reverse();
    expect(reversed).toEqual(first);
  });

  it.each([
    "What architecture should we use for the new billing platform?",
    "Design the system that ingests 50k events per second and serves per-customer dashboards.",
    "Should we use Kafka or Pulsar for our platform's event backbone?",
    "What are the trade-offs between microservices and a monolith for us? Then write the first service.",
    "We need an architectural decision on how tenants are isolated: separate databases or row-level security.",
    "Propose service boundaries for splitting the monolith, and implement a quick function to list the modules.",
  ])("never keeps clear architecture work local: %s", (prompt) => {
    const result = classifyText(prompt);
    expect(result.task).toBe("architecture");
  });

  it.each([
    "Implement this please, but first fix the merge:\n<<<<<<< HEAD\nconst a = 1;\n=======\nconst a = 2;\n>>>>>>> main\n",
    "Two teams disagree about the API style: platform wants gRPC, mobile wants REST. Help us decide.",
    "These are conflicting requirements: marketing wants tracking on by default, legal says opt-in only.",
    "I got contradictory reviews on my PR: one says inline the helper, the other says extract it further.",
  ])("never keeps clear conflict work local: %s", (prompt) => {
    const result = classifyText(prompt);
    expect(result.task).toBe("conflict-resolution");
    expect(tierOf(result.task)).toBe(3);
  });

  it("names the runner-up: the best-scoring other kind", () => {
    const result = classifyText("Please write a commit message for the staged changes.");
    expect(result.runnerUp).toBeDefined();
    expect(result.runnerUp).not.toBe(result.task);
    const runnerUpScore = result.scores[result.runnerUp!]!;
    for (const task of TASK_KINDS) {
      if (task !== result.task) expect(result.scores[task] ?? 0).toBeLessThanOrEqual(runnerUpScore);
    }
    expect(classifyMessages([]).runnerUp).toBeUndefined();
  });

  it("falls back to the cheapest sensible kind when nothing fires", () => {
    expect(classifyText("hello there").task).toBe("elaboration");
    expect(classifyText("hello there").confidence).toBe(0);
    const code = "```ts\nconst total = items.reduce((sum, item) => sum + item.price, 0);\n```";
    expect(classifyText(code).task).toBe("code-generation");
  });

  it("reads the last user message first, text parts included, and earlier turns lightly", () => {
    const messages: ChatMessage[] = [
      { role: "system", content: "You are a coding assistant in an IDE." },
      { role: "user", content: "write unit tests for the parser with vitest" },
      { role: "assistant", content: "Here are the tests…" },
      {
        role: "user",
        content: [
          { type: "image", url: "https://example.com/screenshot.png" },
          { type: "text", text: "great, now write the commit message for all of this" },
        ],
      },
      { role: "assistant", content: null, toolCalls: [{ id: "call-1", name: "git_diff", arguments: "{}" }] },
      { role: "tool", toolCallId: "call-1", content: "diff --git a/src/parser.ts b/src/parser.ts" },
    ];
    const result = classifyMessages(messages);
    expect(result.task).toBe("commit-message");
    expect(result.signals.some((signal) => signal.name.endsWith("(earlier-user)"))).toBe(true);
  });

  it("is not drowned by a long agent system prompt full of commit, test and lint instructions", () => {
    // Agent clients (Claude Code, IDEs) send pages of standing instructions with every request;
    // the rules alone used to call most such requests commit-message work.
    const instructions = [
      "You are a coding agent working in the user's repository with tools for files, search and a shell.",
      "Follow the code style and conventions of the project. Run the lint and typecheck commands after",
      "every change, and run the tests. Never commit unless asked; when asked, read git status, git diff",
      "and git log, then write a concise commit message that explains why. When asked to open a pull",
      "request, summarise every commit on the branch, write a title and a test plan, and push.",
      "Prefer small reviewable changes. Do not add comments unless asked. Never log secrets.",
    ].join("\n");
    const asks: Array<[string, TaskKind]> = [
      [
        "the settings page hangs after I press save, nothing in the console. can you figure out why?",
        "bug-hunting",
      ],
      ["write a user story for exporting the monthly report as a PDF", "story-drafting"],
      ["explain how the retry logic in src/http works", "elaboration"],
    ];
    for (const [ask, task] of asks) {
      const messages: ChatMessage[] = [
        { role: "system", content: instructions.repeat(4) },
        { role: "user", content: ask },
      ];
      expect(classifyMessages(messages, { hasTools: true }).task, ask).toBe(task);
    }
  });

  it("uses the system prompt and the tools hint", () => {
    const diff = "--- a/README.md\n+++ b/README.md\n@@ -1 +1 @@\n-Old title\n+New title\n";
    const withSystem = classifyMessages([{ role: "user", content: diff }], {
      system: "You generate git commit messages. Reply with the message only.",
    });
    expect(withSystem.task).toBe("commit-message");
    const withTools = classifyMessages([{ role: "user", content: "hello" }], { hasTools: true });
    expect(withTools.signals.map((signal) => signal.name)).toContain("hint:tools-offered");
  });

  it("reads a whole request written as one long line as prose, and a minified line as code", () => {
    const paragraph =
      "How would you architect an active-active setup across two regions for our order system? " +
      "Either region must be able to take all traffic if the other fails, no order may ever be " +
      "created twice, inventory must not oversell across regions, and users should reach the " +
      "nearer region. Today we run one region with Postgres and a handful of Spring services, and " +
      "the recovery point objective for payments is zero.";
    expect(paragraph.length).toBeGreaterThan(400);
    expect(splitProseAndCode(paragraph).prose).toBe(paragraph);
    expect(classifyText(paragraph).task).toBe("architecture");
    const minified = `var a=${JSON.stringify({ items: Array.from({ length: 40 }, (_, index) => ({ id: index })) })};`;
    expect(minified.length).toBeGreaterThan(400);
    expect(splitProseAndCode(minified).code).toBe(minified);
  });

  it("recognises structure: stack traces, diffs, conflict markers, test and lint output", () => {
    const trace = "TypeError: x is undefined\n    at load (src/app.js:10:5)\n    at main (src/app.js:20:3)\n";
    expect(classifyText(trace).task).toBe("bug-hunting");
    const names = (text: string) => classifyText(text).signals.map((signal) => signal.name);
    expect(names(trace)).toContain("structure:stack-trace");
    expect(names("diff --git a/x b/x\n@@ -1 +1 @@\n-a\n+b\n")).toContain("structure:diff");
    expect(names("<<<<<<< HEAD\na\n=======\nb\n>>>>>>> topic\n")).toContain(
      "structure:merge-conflict-markers",
    );
    expect(names(" ✓ test/a.test.ts (3 tests)\n ✓ test/b.test.ts (2 tests)\n")).toContain(
      "structure:test-run-output",
    );
    expect(names("src/app.ts:12:7 lint/style/useConst This let is only assigned once.")).toContain(
      "structure:linter-output",
    );
  });

  it("explains the decision: rule and learned signals name what matched, and add up to the scores", () => {
    const prompt = "Please write a commit message for the staged changes.";
    const result = classifyText(prompt);
    expect(result.task).toBe("commit-message");
    expect(result.confidence).toBeGreaterThan(0);
    expect(result.confidence).toBeLessThanOrEqual(1);
    const winning = result.signals.filter((signal) => signal.task === result.task);
    expect(winning.map((signal) => signal.evidence)).toContain("commit message");
    const learnedWords = winning.filter((signal) => signal.name === "learned:word");
    expect(learnedWords.length).toBeGreaterThan(0);
    for (const signal of learnedWords) expect(prompt.toLowerCase()).toContain(signal.evidence);
    for (const signal of result.signals) {
      expect(signal.name).not.toBe("");
      expect(signal.weight).toBeGreaterThan(0);
      expect(signal.evidence.length).toBeLessThanOrEqual(80);
    }
    for (const task of TASK_KINDS) {
      const sum = result.signals
        .filter((signal) => signal.task === task)
        .reduce((total, s) => total + s.weight, 0);
      expect(result.scores[task] ?? 0).toBeCloseTo(sum, 2);
    }
  });

  it("keeps explanations short: at most five learned signals per task kind", () => {
    const long = labelled.map((row) => row.prompt).join("\n\n");
    const { signals } = classifyText(long);
    for (const task of TASK_KINDS) {
      const learned = signals.filter((signal) => signal.task === task && signal.name.startsWith("learned:"));
      expect(learned.length, task).toBeLessThanOrEqual(5);
    }
  });

  it.each<[string, ChatMessage[]]>([
    ["no messages", []],
    ["an empty user message", [{ role: "user", content: "" }]],
    ["whitespace only", [{ role: "user", content: " \n\t\n " }]],
    ["emoji and symbols", [{ role: "user", content: "🚀🔥 ??? !!! ---- ==== <<<< >>>>" }]],
    [
      "image parts only",
      [{ role: "user", content: [{ type: "image", data: "aGVsbG8=", mediaType: "image/png" }] }],
    ],
    ["only an assistant turn", [{ role: "assistant", content: null }]],
    ["only a tool result", [{ role: "tool", toolCallId: "t", content: "ok" }]],
    ["control characters", [{ role: "user", content: "\u0000\u0001\u0002 review\u0007" }]],
    ["one huge line", [{ role: "user", content: `  at ${"a.".repeat(60_000)}` }]],
    ["a megabyte of prose", [{ role: "user", content: "please explain this. ".repeat(50_000) }]],
  ])("does not throw on odd input: %s", (_name, messages) => {
    const started = performance.now();
    const result = classifyMessages(messages);
    expect(TASK_KINDS).toContain(result.task);
    expect(result.confidence).toBeGreaterThanOrEqual(0);
    expect(result.confidence).toBeLessThanOrEqual(1);
    // Generous: only catches quadratic behaviour, the bench measures real latency.
    expect(performance.now() - started).toBeLessThan(250);
  });
});

describe("the decision rule", () => {
  const noModel = modelFromWeights([]);
  const readingWith = (votes: Array<[TaskKind, number]>, features: Array<[string, number]> = []) => ({
    ruleSignals: votes.map(
      ([task, weight]): ClassifierSignal => ({ name: "test-rule", task, weight, evidence: "test" }),
    ),
    features: new Map(features.map(([feature, value]) => [feature, { value, evidence: feature }])),
    contextSignals: [],
    contextFeatures: new Map(),
    sawCode: false,
  });

  it("takes a pricier tier once its share of the evidence passes 1/(1 + underRoutingCost)", () => {
    // Two kinds 0.6 apart at temperature 1.25: the pricier holds about 38% of the probability.
    const near = readingWith([
      ["code-review", 9.4],
      ["refactoring", 10],
    ]);
    expect(decide(near, noModel, DECISION_POLICY).task).toBe("code-review");
    expect(decide(near, noModel, { ...DECISION_POLICY, underRoutingCost: 1 }).task).toBe("refactoring");
    const far = readingWith([
      ["code-review", 8.5],
      ["refactoring", 10],
    ]);
    expect(decide(far, noModel, DECISION_POLICY).task).toBe("refactoring");
  });

  it("sums the evidence of a tier's kinds, then takes that tier's best kind", () => {
    const alone = readingWith([
      ["refactoring", 10],
      ["gap-analysis", 8.5],
    ]);
    expect(decide(alone, noModel, DECISION_POLICY).task).toBe("refactoring");
    const together = readingWith([
      ["refactoring", 10],
      ["gap-analysis", 8.5],
      ["code-review", 8.4],
      ["decision-gate", 8.4],
    ]);
    const result = decide(together, noModel, DECISION_POLICY);
    expect(result.task).toBe("gap-analysis");
    // What `switchyard route` shows: the kind it would have been, and a low confidence, as the
    // kind was taken for its tier rather than its own score.
    expect(result.runnerUp).toBe("refactoring");
    expect(result.confidence).toBeLessThan(0.3);
  });

  it("makes top-tier work earn its tier like any other: named beside a stronger local kind, it stays local", () => {
    const behind = readingWith([
      ["code-generation", 10],
      ["architecture", 8],
    ]);
    expect(decide(behind, noModel, DECISION_POLICY).task).toBe("code-generation");
    const close = readingWith([
      ["code-generation", 10],
      ["architecture", 9.5],
    ]);
    expect(decide(close, noModel, DECISION_POLICY).task).toBe("architecture");
  });

  it("counts learned votes like the hand-written rules' votes", () => {
    const model = modelFromWeights([["w:design", "architecture", 9.5]]);
    const reading = readingWith([["code-generation", 10]], [["w:design", 1]]);
    const result = decide(reading, model, DECISION_POLICY);
    expect(scoresOf(result.totals).architecture).toBe(9.5);
    expect(result.task).toBe("architecture");
    expect(explainReading(reading, model).map((signal) => signal.name)).toContain("learned:word");
  });

  it("falls back below the minimum decisive score", () => {
    const weak = readingWith([["architecture", DECISION_POLICY.minimumDecisiveScore / 2]]);
    const result = decide(weak, noModel, DECISION_POLICY);
    expect(result.task).toBe("elaboration");
    expect(result.confidence).toBe(0);
  });
});

describe("the learned weights", () => {
  it("let no common word carry a large weight: at most the trainer's cap for any kind", () => {
    // "or" once carried 5.2 for decision-gate, "but" 4.1 for bug-hunting, "this" 3.2 for lint.
    for (const word of ["or", "this", "how", "but", "my", "what", "should"]) {
      expect(COMMON_WORD_STEMS.has(stemWord(word)), word).toBe(true);
    }
    // A pair of common words is as common as either ("is this", "can you"); one of its own is not.
    expect(isCommonFeature(`b:${stemWord("is")}-${stemWord("this")}`)).toBe(true);
    expect(isCommonFeature(`b:${stemWord("write")}-a`)).toBe(false);
    let checked = 0;
    for (const task of TASK_KINDS) {
      for (const entry of LEARNED_WEIGHTS[task].split(",")) {
        const [feature, weight] = entry.trim().split(" ");
        if (!feature || !isCommonFeature(feature)) continue;
        checked++;
        expect(Number(weight), `${feature} for ${task}`).toBeLessThanOrEqual(TRAINING_OPTIONS.commonWordCap);
      }
    }
    expect(checked).toBeGreaterThan(0);
    expect(TRAINING_OPTIONS.commonWordCap).toBeLessThanOrEqual(2);
  });

  it("are non-negative, name known feature kinds and only known task kinds", () => {
    for (const task of TASK_KINDS) {
      const entries = LEARNED_WEIGHTS[task]
        .split(",")
        .map((entry) => entry.trim())
        .filter(Boolean);
      expect(entries.length, task).toBeGreaterThan(20);
      // Words of any script (`readWords`): "w:codigo", "w:写", "b:测-试".
      for (const entry of entries)
        expect(entry).toMatch(
          /^([wnos]:[\p{L}\p{M}\p{N}-]+|b:[\p{L}\p{M}\p{N}]+-[\p{L}\p{M}\p{N}]+) \d+(\.\d+)?$/u,
        );
    }
    expect(Object.keys(LEARNED_WEIGHTS).sort()).toEqual([...TASK_KINDS].sort());
  });
});

describe("the rule table", () => {
  it("has no phrase listed twice for the same task after stemming", () => {
    const seen = new Set<string>();
    const duplicates: string[] = [];
    for (const rule of KEYWORD_RULES) {
      for (const phrase of rule.phrases) {
        const key = `${rule.task}|${(phrase.toLowerCase().match(/[a-z0-9]+/g) ?? []).map(stemWord).join(" ")}`;
        if (seen.has(key)) duplicates.push(`${rule.name}: ${phrase}`);
        seen.add(key);
      }
    }
    expect(duplicates).toEqual([]);
  });

  it("stems consistently", () => {
    expect(stemWord("tests")).toBe(stemWord("testing"));
    expect(stemWord("conflicts")).toBe(stemWord("conflict"));
    expect(stemWord("stories")).toBe(stemWord("story"));
    expect(stemWord("resolved")).toBe(stemWord("resolve"));
  });
});
