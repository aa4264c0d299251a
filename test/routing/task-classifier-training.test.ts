/**
 * The learned half of the classifier, checked the honest way: k-fold cross-validation on the
 * labelled set (each prompt classified by a model trained without it — the estimate for wording
 * never seen), with floors on everything and on the prompts the hand-written rules never saw; and
 * the committed weights module must be exactly what the trainer makes from the committed data,
 * so a change to the data, the features or the options cannot ship with stale weights.
 *
 * Slow for a unit test (it trains the model six times), hence its own file and timeouts.
 */

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_ALIAS_TIER, DEFAULT_TASK_START, type TaskKind } from "../../src/config/task-kinds.js";
import {
  accuracyByGroup,
  crossValidate,
  formatWeightsModule,
  type LabelledExample,
  readExample,
  trainModel,
} from "../../src/planning/classifier-training.js";
import { DECISION_POLICY } from "../../src/routing/classifier-rules.js";

const examples: LabelledExample[] = readFileSync(
  new URL("../fixtures/routing-labelled-set.jsonl", import.meta.url),
  "utf8",
)
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line) as LabelledExample);
const readings = examples.map(readExample);
const tierOf = (task: TaskKind) => DEFAULT_ALIAS_TIER[DEFAULT_TASK_START[task]];
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
const SLOW = 120_000;

describe("the learned model", () => {
  it(
    "generalises: 5-fold cross-validated task ≥ 87% and tier ≥ 94%, also on prompts the rules never saw",
    () => {
      const predictions = crossValidate(examples, DECISION_POLICY, undefined, 5, readings);
      const rows = accuracyByGroup(predictions, tierOf);
      for (const row of rows) {
        console.log(
          `${row.group.padEnd(16)} n=${String(row.count).padStart(4)}  task ${percent(row.task)}  tier ${percent(row.tier)}`,
        );
      }
      const group = (name: (typeof rows)[number]["group"]) => rows.find((row) => row.group === name)!;
      expect(group("everything").task).toBeGreaterThanOrEqual(0.87);
      expect(group("everything").tier).toBeGreaterThanOrEqual(0.94);
      expect(group("unseen by rules").task).toBeGreaterThanOrEqual(0.85);
      expect(group("unseen by rules").tier).toBeGreaterThanOrEqual(0.93);
      // Sixty prompts by another author: a coarse floor, one prompt is 1.7 points.
      expect(group("blind").task).toBeGreaterThanOrEqual(0.85);
      expect(group("blind").tier).toBeGreaterThanOrEqual(0.9);
    },
    SLOW,
  );

  it(
    "ships the weights the trainer makes from the labelled set (run scripts/train-classifier.ts)",
    () => {
      const entries = trainModel(
        readings,
        examples.map((example) => example.task),
      );
      const committed = readFileSync(
        new URL("../../src/routing/classifier-weights.ts", import.meta.url),
        "utf8",
      );
      expect(formatWeightsModule(entries, examples.length)).toBe(committed);
    },
    SLOW,
  );
});
