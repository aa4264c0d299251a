/**
 * The classifier on a blind set written by another author who never saw the classifier or its
 * training data. Never trained or tuned on: these floors only catch a regression.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_ALIAS_TIER,
  DEFAULT_TASK_START,
  TASK_KINDS,
  type TaskKind,
} from "../../src/config/task-kinds.js";
import { classifyMessages } from "../../src/routing/task-classifier.js";

interface Example {
  task: TaskKind;
  prompt: string;
  system?: string;
}

const examples = readFileSync("test/fixtures/routing-blind-set-2.jsonl", "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line) as Example);
const tierOf = (task: TaskKind) => DEFAULT_ALIAS_TIER[DEFAULT_TASK_START[task]];

describe("the independent blind set", () => {
  it("has ten prompts for each of the fifteen task kinds", () => {
    for (const task of TASK_KINDS)
      expect(examples.filter((example) => example.task === task)).toHaveLength(10);
  });

  it("is classified well above chance: task ≥ 85%, tier ≥ 90%", () => {
    let task = 0;
    let tier = 0;
    for (const example of examples) {
      const predicted = classifyMessages([
        ...(example.system ? [{ role: "system" as const, content: example.system }] : []),
        { role: "user", content: example.prompt },
      ]).task;
      if (predicted === example.task) task++;
      if (tierOf(predicted) === tierOf(example.task)) tier++;
    }
    expect(task / examples.length).toBeGreaterThanOrEqual(0.85);
    expect(tier / examples.length).toBeGreaterThanOrEqual(0.9);
  });
});
