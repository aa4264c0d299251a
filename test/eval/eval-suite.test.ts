/**
 * The evaluation suite itself: at least 90 tasks, at least 6 of every task kind, code in three
 * languages; and every task genuinely checkable — its checker passes its right answer and fails
 * its wrong one (code tasks by really running their tests; text tasks by their rules, or by a judge
 * that tells the two apart), and every test-generation mutant really differs from the code.
 */
import { describe, expect, it } from "vitest";
import { TASK_KINDS } from "../../src/config/task-kinds.js";
import { findToolchains } from "../../src/escalation/toolchains.js";
import { checkAnswer } from "../../src/planning/eval/answer-check.js";
import { EVAL_SUITE, selectTasks } from "../../src/planning/eval/eval-suite.js";
import type { EvalTask } from "../../src/planning/eval/eval-task.js";
import { textFindings } from "../../src/planning/eval/text-check.js";
import { findTranspiler } from "../../src/planning/eval/typescript-transpile.js";

const toolchains = { node: process.execPath, python: findToolchains().python, transpile: findTranspiler() };

/** A judge that knows the right answer: 9 for it, 3 for anything else. */
function options(task: EvalTask) {
  return {
    toolchains,
    judge: { model: "judge", paid: false },
    askJudge: async (request: { messages: Array<{ content: unknown }> }) => {
      const prompt = String(request.messages[1]?.content);
      const right = prompt.endsWith(task.reference.trim());
      return { requestId: "judge", text: `{"score": ${right ? 9 : 3}}`, costUsd: 0 };
    },
  };
}

async function inParallel<Item>(items: readonly Item[], limit: number, work: (item: Item) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

describe("the evaluation suite", () => {
  it("has at least 90 tasks, 6 of every kind, unique ids, code in TypeScript, JavaScript and Python", () => {
    expect(EVAL_SUITE.length).toBeGreaterThanOrEqual(90);
    for (const kind of TASK_KINDS) {
      expect(EVAL_SUITE.filter((task) => task.kind === kind).length, kind).toBeGreaterThanOrEqual(6);
    }
    expect(new Set(EVAL_SUITE.map((task) => task.id)).size).toBe(EVAL_SUITE.length);
    for (const language of ["typescript", "javascript", "python"]) {
      const count = EVAL_SUITE.filter(
        (task) => task.check.type === "code" && task.check.language === language,
      ).length;
      expect(count, language).toBeGreaterThanOrEqual(6);
    }
  });

  it("tells every code task where its answer goes, and every mutant differs from the code it replaces", () => {
    for (const task of EVAL_SUITE) {
      if (task.check.type !== "code") continue;
      expect(task.prompt, task.id).toContain(task.check.answerFile);
      expect(task.reference, task.id).not.toBe(task.wrong);
      for (const mutant of task.check.mutants ?? []) {
        for (const [path, content] of Object.entries(mutant.files)) {
          expect(content, `${task.id}: ${mutant.name}`).not.toBe(task.check.files[path]);
        }
      }
    }
  });

  it("passes every right answer and fails every wrong one, by running their tests", async () => {
    const code = EVAL_SUITE.filter((task) => task.check.type === "code");
    const outcomes: string[] = [];
    await inParallel(code, 4, async (task) => {
      const right = await checkAnswer(task, task.reference, options(task));
      const wrong = await checkAnswer(task, task.wrong, options(task));
      if (right.verdict !== "pass")
        outcomes.push(`${task.id}: right answer ${right.verdict}: ${right.findings.join("; ")}`);
      if (wrong.verdict !== "fail") outcomes.push(`${task.id}: wrong answer ${wrong.verdict}`);
    });
    expect(outcomes).toEqual([]);
  }, 600_000);

  it("passes every right text answer and fails every wrong one, by its rules or its judge", async () => {
    for (const task of EVAL_SUITE) {
      if (task.check.type !== "text") continue;
      expect(textFindings(task.reference, task.check.rules ?? []), task.id).toEqual([]);
      const wrong = await checkAnswer(task, task.wrong, options(task));
      expect(wrong.verdict, task.id).toBe("fail");
      const right = await checkAnswer(task, task.reference, options(task));
      expect(right.verdict, task.id).toBe("pass");
    }
  });

  it("selects by task kind or id, at most n per kind, and names the kinds for anything else", () => {
    expect(selectTasks({ names: ["lint"] }).every((task) => task.kind === "lint")).toBe(true);
    expect(selectTasks({ names: ["codegen-js-chunk", "architecture"] }).map((task) => task.id)).toContain(
      "codegen-js-chunk",
    );
    const sample = selectTasks({ limitPerKind: 1 });
    expect(sample).toHaveLength(TASK_KINDS.length);
    expect(() => selectTasks({ names: ["poetry"] })).toThrow(
      /"poetry" is neither a task kind nor a task id; use one of: code-generation, test-generation/,
    );
  });
});
