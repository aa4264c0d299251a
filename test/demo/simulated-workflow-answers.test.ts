/**
 * The simulated answers a workflow's steps get, step by step: structured answers that the steps'
 * own zod schemas accept (sent as the JSON Schemas the steps send) and that say what the prompt
 * holds — the request's program, the acceptance criteria, the test command's report, the
 * findings in the code shown, a backlog's stories; code and tests in a repository's language and
 * layout, which pass under `node --test` with no build; and the syntheses of a bug hunt and a
 * review. Every program's JavaScript passes the same tests as its TypeScript.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { TaskKind } from "../../src/config/task-kinds.js";
import { createAnswerWriter } from "../../src/demo/simulated-answers.js";
import { layoutFrom } from "../../src/demo/simulated-layout.js";
import { SIMULATED_PROGRAMS } from "../../src/demo/simulated-programs.js";
import { extractCodeFiles } from "../../src/escalation/code-blocks.js";
import { schemaProblems } from "../../src/escalation/json-schema-check.js";
import type { JsonObject } from "../../src/protocol/chat-types.js";
import {
  conflictOutput,
  findingsOutput,
  gapsOutput,
  groomedStoryOutput,
  qaOutput,
  recommendationOutput,
  reviewOutput,
  storyOutput,
} from "../../src/workflows/step-outputs.js";

const run = promisify(execFile);
const write = createAnswerWriter();
const directories: string[] = [];
afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

function ask(task: TaskKind, prompt: string, schema?: z.ZodType): string {
  return write({
    model: "anthropic/claude-sonnet-4.5",
    messages: [
      { role: "system", content: `You are one step of a Switchyard development workflow. task: ${task}.` },
      { role: "user", content: prompt },
    ],
    think: false,
    ...(schema ? { format: { type: "json-schema" as const, schema: z.toJSONSchema(schema) } } : {}),
  }).content;
}

/** The structured answer, checked against the JSON Schema sent and the step's own zod schema. */
function structured<T>(task: TaskKind, prompt: string, schema: z.ZodType<T>): T {
  const value = JSON.parse(ask(task, prompt, schema));
  expect(schemaProblems(value, z.toJSONSchema(schema) as JsonObject)).toEqual([]);
  expect(JSON.stringify(value)).toContain("[simulated]");
  return schema.parse(value);
}

const SPEC = `# Add a slugify function for product titles

As a developer, I want a slugify function, so that URLs are stable.

Acceptance criteria:
- slugify lower-cases and joins words with single hyphens
- slugify drops accents`;

const PASSED = "$ npm test\nTAP version 13\n# pass 7\n# fail 0\n\nnpm test: passed in 0.4 s";
const FAILED =
  "$ npm test\nnot ok 1 - drops accents\n# pass 6\n# fail 1\n\nnpm test: failed (exit 1) in 0.4 s";
const LISTING =
  "The repository's files (put yours where they belong, in its language and test style):\npackage.json\nsrc/cart/cart.js\ntest/cart.test.js";

describe("the simulated answers to a workflow's steps", () => {
  it("draft a story from the feature request, its criteria the behaviour the program's tests promise", () => {
    const story = structured(
      "story-drafting",
      "Draft a user story for this feature request.\n\nFeature request:\nAdd a slugify function for product titles\n\nAnswer with one JSON object that fits the given schema, and nothing else.",
      storyOutput,
    );
    expect(story.title).toBe("Add a slugify function for product titles");
    expect(story.i_want).toBe("a slugify function for product titles");
    expect(story.acceptance_criteria).toContain("slugify drops accents");
  });

  it("go ahead on low gaps and stop on a high one", () => {
    const gaps = structured("gap-analysis", `Gap analysis.\n\nStory:\n${SPEC}`, gapsOutput);
    expect(gaps.gaps.length).toBeGreaterThan(0);
    const go = structured(
      "decision-gate",
      `Specification:\n${SPEC}\n\nGaps:\n- empty input (low impact): test it`,
      recommendationOutput,
    );
    expect(go.decision).toBe("go");
    const stop = structured(
      "decision-gate",
      `Specification:\n${SPEC}\n\nGaps:\n- no auth (high impact): add it`,
      recommendationOutput,
    );
    expect(stop.decision).toBe("no-go");
  });

  it("review the code shown with the test results, and verify each criterion against them", () => {
    const clean = '```js title="src/slugify.js"\nexport const slugify = (text) => text.toLowerCase();\n```';
    const buggy =
      '```js title="src/parse.js"\nexport function parse(text) {\n  return JSON.parse(text);\n}\n```';
    const pass = structured(
      "code-review",
      `Code review.\n\nCode:\n${clean}\n\nTest results:\n${PASSED}`,
      reviewOutput,
    );
    expect(pass).toMatchObject({ verdict: "pass", blocking: [] });
    expect(pass.summary).toContain("the tests pass (7 passing)");
    const fail = structured(
      "code-review",
      `Code review.\n\nCode:\n${buggy}\n\nTest results:\n${PASSED}`,
      reviewOutput,
    );
    expect(fail.verdict).toBe("fail");
    expect(fail.blocking[0]).toMatchObject({
      file: "src/parse.js:2",
      issue: expect.stringContaining("JSON.parse"),
    });

    const qa = structured(
      "qa-verification",
      `QA verification.\n\nSpecification:\n${SPEC}\n\nTest results:\n${FAILED}`,
      qaOutput,
    );
    expect(qa.verdict).toBe("fail");
    expect(qa.criteria.map((item) => [item.criterion, item.status])).toEqual([
      ["slugify lower-cases and joins words with single hyphens", "fail"],
      ["slugify drops accents", "fail"],
    ]);
    const resolved = structured(
      "conflict-resolution",
      `Conflict resolution.\n\nTest results:\n${FAILED}`,
      conflictOutput,
    );
    expect(resolved.decision).toBe("revise-code");
    expect(
      structured("conflict-resolution", `Conflict resolution.\n\nTest results:\n${PASSED}`, conflictOutput)
        .decision,
    ).toBe("accept");
  });

  it("report the bugs it can point at in every file of a module, and nothing where there is none", () => {
    const files =
      '```js title="src/catalog/paging.js"\nexport function page(items, page, size) {\n  const start = page * size;\n  return items.slice(start, start + size);\n}\n```\n\n```js title="src/catalog/names.js"\nexport const name = (item) => item.name;\n```';
    const { findings } = structured("bug-hunting", `Bug hunting in src/catalog:\n\n${files}`, findingsOutput);
    expect(findings).toEqual([
      expect.objectContaining({
        file: "src/catalog/paging.js",
        line: 2,
        severity: "high",
        evidence: "const start = page * size;",
      }),
    ]);
  });

  it("groom one story of a backlog: sized, valued, with its open questions", () => {
    const story = `Groom this story of the backlog.

## SHOP-3: Fix the crash on an empty cart
Given an empty cart, when I check out, then I see a message instead of a crash.`;
    const groomed = structured("backlog-grooming", story, groomedStoryOutput);
    expect(groomed).toMatchObject({ size: "S", value: 5, risk: "low", duplicate_of: null, ready: true });
    const vague = structured(
      "backlog-grooming",
      "Groom this story of the backlog.\n\n## SHOP-2: Export the invoices as a CSV file\nSame thing.",
      groomedStoryOutput,
    );
    expect(vague.ready).toBe(false);
    // (The answer's [simulated] mark lands on its longest text, here one of these questions.)
    expect(vague.questions).toEqual(
      expect.arrayContaining([expect.stringMatching(/^no acceptance criteria/)]),
    );
  });

  it("synthesise a bug hunt's ranked findings into a report, the worst first", () => {
    const report = ask(
      "code-review",
      "Code review synthesis of a bug hunt over src/cart, src/orders: the findings below are deduplicated and ranked.\n\nFindings:\n| # | severity | where | finding | reports | evidence | fix |\n|---|---|---|---|---|---|---|\n| 1 | high | src/orders/a.js:3 | Unguarded parse | 2 | JSON.parse(text) | Wrap it in try/catch |\n| 2 | low | src/cart/b.js:9 | Leftover logging | 1 | console.log(x) | Remove it |",
    );
    expect(report).toContain("## Bug hunt report: src/cart, src/orders");
    expect(report).toContain(
      "1. **Unguarded parse** — `src/orders/a.js:3` (high, reported 2×). Wrap it in try/catch.",
    );
  });
});

describe("the simulated code for a repository", () => {
  it("follows a JavaScript repository's layout and the chat default otherwise", () => {
    expect(layoutFrom(LISTING)).toEqual({
      language: "js",
      extension: ".js",
      sourceDirectory: "src/",
      testDirectory: "test/",
    });
    expect(layoutFrom("Write a chunk function")).toMatchObject({ language: "ts", sourceDirectory: "" });
    expect(layoutFrom("The repository's files (…):\nsrc/a.ts\nsrc/a.test.ts\n")).toEqual({
      language: "ts",
      extension: ".ts",
      sourceDirectory: "src/",
      testDirectory: "src/",
    });
  });

  it("writes code and tests there that pass under node --test with no build, for every program", async () => {
    const directory = mkdtempSync(join(tmpdir(), "switchyard-demo-js-"));
    directories.push(directory);
    writeFileSync(join(directory, "package.json"), '{ "type": "module" }\n');
    for (const program of SIMULATED_PROGRAMS) {
      const prompt = `Write it.\n\nSpecification:\n# Add ${program.exportName}\n\n${LISTING}`;
      const answers = [ask("code-generation", prompt), ask("test-generation", prompt)];
      const files = answers.flatMap((answer) => extractCodeFiles(answer));
      expect(files.map((file) => file.path)).toEqual([
        `src/${program.name}.js`,
        `test/${program.name}.test.js`,
      ]);
      for (const file of files) {
        mkdirSync(dirname(join(directory, file.path)), { recursive: true });
        writeFileSync(join(directory, file.path), file.content);
      }
    }
    const { stdout } = await run(process.execPath, ["--test", "--test-reporter=tap"], {
      cwd: directory,
      timeout: 60_000,
    });
    const total = SIMULATED_PROGRAMS.reduce(
      (sum, program) => sum + (program.test.match(/^test\(/gm)?.length ?? 0),
      0,
    );
    expect(stdout).toContain(`# pass ${total}`);
    expect(stdout).toContain("# fail 0");
  }, 120_000);
});
