/**
 * What the demo's simulated models answer: each task kind in the shape a good answer of that kind
 * has, every answer marked simulated, judges and retries read from the prompts Switchyard really
 * sends, structured output that fits its schema — and the code: every program's code passes the
 * demo's own type-check gate, and its tests, compiled with the repo's TypeScript, pass against it.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { aliasStep } from "../../src/config/alias-steps.js";
import { parseConfigText } from "../../src/config/config-load.js";
import { TASK_KINDS, type TaskKind } from "../../src/config/task-kinds.js";
import { typeCheckCommand } from "../../src/demo/demo-config.js";
import { createAnswerWriter } from "../../src/demo/simulated-answers.js";
import type { SimulatedAsk } from "../../src/demo/simulated-ask.js";
import { SIMULATED_PROGRAMS } from "../../src/demo/simulated-programs.js";
import { extractCodeFiles } from "../../src/escalation/code-blocks.js";
import { requestWithFeedback } from "../../src/escalation/escalation-feedback.js";
import { schemaProblems } from "../../src/escalation/json-schema-check.js";
import { judgeRequest } from "../../src/escalation/judge-gate.js";
import { parseJudgeVerdict } from "../../src/escalation/judge-verdict.js";
import type { GateInput } from "../../src/escalation/quality-gate.js";
import { TSC } from "../escalation/escalation-fixtures.js";

const run = promisify(execFile);
const CODER = "qwen2.5-coder:32b";
const SONNET = "anthropic/claude-sonnet-4.5";
const write = createAnswerWriter({ flaws: [{ model: CODER, program: "lru-cache", kind: "type-error" }] });
const directories: string[] = [];

afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

function askAs(task: TaskKind, content: string, model = SONNET, writer = write): string {
  return writer({
    model,
    messages: [
      { role: "system", content: `You are a helpful engineer. task: ${task}` },
      { role: "user", content },
    ],
    think: false,
  }).content;
}

const CODE =
  '```ts title="src/paginate.ts"\nexport function paginate(items: any[], page: number, size: number) {\n  const start = page * size;\n  if (items.length == 0) console.log("empty");\n  return items.slice(start, start + size);\n}\n```';
const DIFF =
  "diff --git a/src/pager.ts b/src/pager.ts\n--- a/src/pager.ts\n+++ b/src/pager.ts\n@@ -1 +1 @@\n-  return Math.floor(total / size);\n+  return Math.ceil(total / size);";

/** Each task kind: a request, and what its answer must contain. */
const SHAPES: Record<TaskKind, { ask: string; expect: RegExp[] }> = {
  "code-generation": {
    ask: "Write a function that chunks an array",
    expect: [/```ts title="chunk.ts"\n\/\/ \[simulated\]/],
  },
  "test-generation": {
    ask: "Write tests for parseDuration",
    expect: [/```ts title="parse-duration.test.ts"/, /from "node:test"/],
  },
  lint: {
    ask: `Lint this:\n${CODE}`,
    expect: [/src\/paginate.ts:3 \[eqeqeq\]/, /src\/paginate.ts:1 \[no-explicit-any\]/],
  },
  "commit-message": {
    ask: `Write a commit message for this change: fix the pager's last page\n\n${DIFF}`,
    expect: [/^fix\(pager\): fix the pager's last page\n/],
  },
  refactoring: { ask: `Refactor:\n${CODE}`, expect: [/```ts title="paginate.ts"/, /\(page - 1\) \* size/] },
  "story-drafting": {
    ask: "Draft a user story for exporting invoices as CSV",
    expect: [/\*\*As\*\* a customer, \*\*I want\*\* exporting invoices as CSV/, /### Acceptance criteria/],
  },
  "backlog-grooming": { ask: "Groom the invoicing backlog", expect: [/\| # \| Item \| Size \|/] },
  "bug-hunting": {
    ask: `Why is the last page empty?\n${CODE}`,
    expect: [/## Most likely cause\nLine 2 of src\/paginate.ts: the page index is used as 0-based/],
  },
  elaboration: { ask: "Elaborate on per-team budgets", expect: [/\*\*Open questions\*\*/] },
  "gap-analysis": {
    ask: "Find the gaps between the spec and the code",
    expect: [/\| Gap \| Impact \| Remedy \|/],
  },
  "code-review": {
    ask: `Review this:\n${CODE}`,
    expect: [
      /\*\*Verdict:\*\* request changes \(1 blocking, 3 non-blocking\)/,
      /`src\/paginate.ts:2` — the page index/,
    ],
  },
  "decision-gate": {
    ask: "Ship release 2.3? All tests pass, one open blocker in payments.",
    expect: [/## Decision: NO-GO/],
  },
  "qa-verification": {
    ask: "Verify:\n1. Export includes all invoices\n2. Dates are ISO 8601",
    expect: [/\| 1 \| Export includes all invoices \|.*\| PASS \|/],
  },
  architecture: { ask: "One database or one per service?", expect: [/### Recommendation/] },
  "conflict-resolution": {
    ask: 'Resolve:\n```ts title="src/x.ts"\n<<<<<<< HEAD\nconst limit = 10;\n=======\nconst limit = 20;\nconst window = 5;\n>>>>>>> feature\n```',
    expect: [/const limit = 20;\nconst window = 5;/],
  },
};

describe("the simulated answers", () => {
  it.each(TASK_KINDS)("answer a %s request in its shape, marked simulated", (task) => {
    const answer = askAs(task, SHAPES[task].ask);
    for (const pattern of SHAPES[task].expect) expect(answer).toMatch(pattern);
    // A commit message carries its mark as a trailer; everything else says [simulated].
    expect(answer).toMatch(task === "commit-message" ? /\nSimulated-by: / : /\[simulated\]/);
    expect(answer).not.toMatch(/^(<{7}|={7}|>{7})/m);
  });

  it("find code in a fence opened mid-line, as people paste it", () => {
    const review = askAs("code-review", "Review: ```ts\nconst settings: any = JSON.parse(text);\n```");
    expect(review).toContain("**Verdict:** request changes (1 blocking, 1 non-blocking)");
    expect(review).toContain("`line 1` — `JSON.parse` throws on bad input");
  });

  it("write a conventional commit subject under 72 characters, marked by a trailer git keeps", () => {
    const message = askAs(
      "commit-message",
      `Write a commit message for this change: ${"make the pager remember the page size between visits ".repeat(3)}`,
      CODER,
    );
    const [subject] = message.split("\n");
    expect(subject).toMatch(/^feat(\([\w-]+\))?: \S/);
    expect(subject!.length).toBeLessThanOrEqual(72);
    expect(message.trimEnd().split("\n").at(-1)).toBe(`Simulated-by: Switchyard demo stand-in for ${CODER}`);
  });

  it("grade as a judge when asked through the judge gate's own prompt", () => {
    const config = parseConfigText(undefined, "defaults", {});
    const judge = (answer: string) => {
      const input = {
        request: {
          model: "switchyard/auto",
          messages: [{ role: "user" as const, content: "Write an LRU cache" }],
          stream: false,
        },
        route: { task: "code-generation" },
        step: aliasStep(config, "local-coder")!,
        result: {
          text: answer,
          reasoning: "",
          toolCalls: [],
          finishReason: "stop" as const,
          usage: { inputTokens: 1, outputTokens: 1 },
        },
        // judgeRequest reads only the request, the route's task and the result.
      } as unknown as GateInput;
      const request = judgeRequest(
        { alias: "next", threshold: 7, rubric: "", tiers: [] },
        input,
        aliasStep(config, "cloud-sonnet")!,
      );
      const reply = write({
        model: SONNET,
        messages: request.messages.map((message) => ({
          role: message.role,
          content: String(message.content),
        })) as SimulatedAsk["messages"],
        think: false,
      });
      return parseJudgeVerdict(reply.content);
    };
    const lru = SIMULATED_PROGRAMS.find((program) => program.name === "lru-cache")!;
    expect(judge(`\`\`\`ts\n${lru.code}\`\`\``)?.score).toBe(8);
    expect(judge(`\`\`\`ts\n${lru.flawedCode}\`\`\``)?.score).toBe(4);
    expect(judge("ok")?.score).toBe(2);
  });

  it("make the configured mistake on the first try and fix it when the escalated request shows the findings", () => {
    const request = {
      model: "switchyard/auto",
      messages: [{ role: "user" as const, content: "Implement a generic LRU cache class in TypeScript" }],
      stream: false,
    };
    const first = write({
      model: CODER,
      messages: [{ role: "user", content: request.messages[0]!.content }],
      think: false,
    });
    expect(first.content).toContain("get(key: K): V {");
    const retried = requestWithFeedback(
      request,
      [
        {
          attempt: 1,
          alias: "local-coder",
          findings: [{ gate: "executable", check: "command", message: "tsc failed: error TS2322" }],
          result: {
            text: first.content,
            reasoning: "",
            toolCalls: [],
            finishReason: "stop",
            usage: { inputTokens: 1, outputTokens: 1 },
          },
        },
      ],
      4_000,
    );
    const second = write({
      model: SONNET,
      messages: retried.messages.map((message) => ({ role: "user", content: String(message.content) })),
      think: false,
    });
    expect(second.content).toMatch(/^The previous attempt was rejected \(tsc failed: error TS2322\)/);
    expect(second.content).toContain("get(key: K): V | undefined {");

    const rambling = createAnswerWriter({
      flaws: [{ model: CODER, program: "lru-cache", kind: "runs-out-of-tokens" }],
    });
    expect(
      rambling({ model: CODER, messages: [{ role: "user", content: "Write an LRU cache" }], think: false })
        .runsOutOfTokens,
    ).toBe(true);
  });

  it("fill a JSON schema with values that fit it, and answer JSON mode with JSON", () => {
    const schema = {
      type: "object",
      properties: {
        verdict: { enum: ["approve", "request-changes"] },
        findings: {
          type: "array",
          minItems: 2,
          items: {
            type: "object",
            properties: { line: { type: "integer", minimum: 1 }, message: { type: "string", maxLength: 40 } },
            required: ["line", "message"],
            additionalProperties: false,
          },
        },
        confidence: { type: "number", minimum: 0, maximum: 1 },
      },
      required: ["verdict", "findings", "confidence"],
      additionalProperties: false,
    };
    const structured = write({
      model: SONNET,
      messages: [{ role: "user", content: `Review this:\n${CODE}` }],
      think: false,
      format: { type: "json-schema", schema },
    });
    const value = JSON.parse(structured.content);
    expect(schemaProblems(value, schema)).toEqual([]);
    expect(value.findings[0].message).toMatch(/^\[simulated\]/);
    const json = JSON.parse(
      write({
        model: SONNET,
        messages: [{ role: "user", content: "Review this" }],
        think: false,
        format: { type: "json" },
      }).content,
    );
    expect(json).toMatchObject({ task: expect.any(String), simulated: true, model: SONNET });
  });

  it("think aloud, marked, only when asked to", () => {
    const asked = write({
      model: "deepseek-r1:32b",
      messages: [{ role: "user", content: "Draft a user story for CSV export" }],
      think: true,
    });
    expect(asked.thinking).toMatch(/^\[simulated reasoning\] The request is about user story for CSV export/);
    expect(
      write({ model: "deepseek-r1:32b", messages: [{ role: "user", content: "Hi" }], think: false }).thinking,
    ).toBeUndefined();
  });
});

describe("the simulated code", () => {
  const faultless = createAnswerWriter();
  const codeAnswers = SIMULATED_PROGRAMS.map((program) =>
    askAs("code-generation", `Write ${program.exportName} in TypeScript`, CODER, faultless),
  );
  const testAnswers = SIMULATED_PROGRAMS.map((program) =>
    askAs("test-generation", `Write tests for ${program.exportName}`, CODER, faultless),
  );

  it("passes the demo's type-check gate, with each program named as the executable gate names it", async () => {
    const directory = mkdtempSync(join(tmpdir(), "switchyard-demo-code-"));
    directories.push(directory);
    const files = codeAnswers.flatMap((answer) => extractCodeFiles(answer));
    expect(files.map((file) => file.path).sort()).toEqual(
      SIMULATED_PROGRAMS.map((program) => `${program.name}.ts`).sort(),
    );
    for (const file of files) writeFileSync(join(directory, file.path), file.content);
    const command = typeCheckCommand();
    expect(command).toBeDefined();
    await run("sh", ["-c", command!], { cwd: directory, timeout: 60_000 });
  }, 120_000);

  it("has tests that compile with the repo's TypeScript and pass against it under node --test", async () => {
    const directory = mkdtempSync(join(tmpdir(), "switchyard-demo-tests-"));
    directories.push(directory);
    for (const file of [...codeAnswers, ...testAnswers].flatMap((answer) => extractCodeFiles(answer))) {
      writeFileSync(join(directory, file.path), file.content);
    }
    writeFileSync(join(directory, "package.json"), '{ "type": "module" }\n');
    mkdirSync(join(directory, "out"));
    await run(
      TSC,
      [
        "--strict",
        "--skipLibCheck",
        "--target",
        "es2022",
        "--module",
        "nodenext",
        "--moduleResolution",
        "nodenext",
        "--types",
        "node",
        "--typeRoots",
        resolve("node_modules/@types"),
        "--outDir",
        "out",
        ...SIMULATED_PROGRAMS.flatMap((program) => [`${program.name}.ts`, `${program.name}.test.ts`]),
      ],
      { cwd: directory, timeout: 60_000 },
    );
    writeFileSync(join(directory, "out", "package.json"), '{ "type": "module" }\n');
    const { stdout } = await run(
      process.execPath,
      [
        "--test",
        "--test-reporter=tap",
        ...SIMULATED_PROGRAMS.map((program) => `out/${program.name}.test.js`),
      ],
      { cwd: directory, timeout: 60_000 },
    );
    const total = SIMULATED_PROGRAMS.reduce(
      (sum, program) => sum + (program.test.match(/^test\(/gm)?.length ?? 0),
      0,
    );
    expect(stdout).toContain(`# pass ${total}`);
    expect(stdout).toContain("# fail 0");
  }, 120_000);
});
