/**
 * Trains the classifier's learned model on test/fixtures/routing-labelled-set.jsonl and writes
 * src/routing/classifier-weights.ts. Prints the cross-validated accuracy first, because that — not
 * the in-sample score — estimates how the classifier does on wording it has never seen.
 *
 *   npx tsx scripts/train-classifier.ts            cross-validate, train on everything, write weights
 *   npx tsx scripts/train-classifier.ts --check    cross-validate only, write nothing
 *   npx tsx scripts/train-classifier.ts --search   cross-validate a grid of settings, write nothing
 *
 * Deterministic: the same data and code give the same weights, byte for byte (a test checks it).
 */

import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { modelFromWeights } from "../src/routing/classifier-model.js";
import { DECISION_POLICY, type DecisionPolicy } from "../src/routing/classifier-rules.js";
import {
  accuracyByGroup,
  calibrationOf,
  classifyAll,
  crossValidate,
  fitConfidenceTemperature,
  formatWeightsModule,
  type LabelledExample,
  type Prediction,
  readExample,
  TRAINING_OPTIONS,
  type TrainingOptions,
  trainModel,
} from "../src/planning/classifier-training.js";
import { DEFAULT_ALIAS_TIER, DEFAULT_TASK_START, type TaskKind } from "../src/config/task-kinds.js";

const LABELLED_SET = fileURLToPath(new URL("../test/fixtures/routing-labelled-set.jsonl", import.meta.url));
const WEIGHTS_MODULE = fileURLToPath(new URL("../src/routing/classifier-weights.ts", import.meta.url));
const FOLDS = 10;
const tierOf = (task: TaskKind) => DEFAULT_ALIAS_TIER[DEFAULT_TASK_START[task]];
const percent = (value: number) => `${(value * 100).toFixed(1)}%`.padStart(6);

function loadExamples(): LabelledExample[] {
  return readFileSync(LABELLED_SET, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line, index) => {
      try {
        return JSON.parse(line) as LabelledExample;
      } catch (error) {
        throw new Error(`${LABELLED_SET}:${index + 1}: not JSON (${String(error)})`);
      }
    });
}

function report(title: string, predictions: Prediction[]): void {
  console.log(`\n${title}\n  group              count    task    tier`);
  for (const row of accuracyByGroup(predictions, tierOf)) {
    console.log(
      `  ${row.group.padEnd(17)}  ${String(row.count).padStart(5)}  ${percent(row.task)}  ${percent(row.tier)}`,
    );
  }
}

function reportMistakes(predictions: Prediction[]): void {
  const counts = new Map<string, number>();
  for (const { example, predicted } of predictions) {
    if (predicted === example.task) continue;
    const key = `${example.task} → ${predicted}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const top = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 10);
  console.log("\nMost common cross-validated mistakes");
  for (const [key, count] of top) console.log(`  ${String(count).padStart(3)}  ${key}`);
}

function reportCalibration(predictions: Prediction[]): void {
  const temperature = fitConfidenceTemperature(predictions);
  console.log(
    `\nConfidence (cross-validated): accuracy per band; fitted temperature ${temperature}` +
      ` (DECISION_POLICY.confidenceTemperature is ${DECISION_POLICY.confidenceTemperature})`,
  );
  for (const band of calibrationOf(predictions)) {
    console.log(`  ${band.band}  ${String(band.count).padStart(5)}  ${percent(band.accuracy)}`);
  }
}

/** The grid behind TRAINING_OPTIONS and DECISION_POLICY; judge by the `unseen by rules` column. */
function search(examples: LabelledExample[]): void {
  const readings = examples.map(readExample);
  const grid: Array<[Partial<TrainingOptions>, Partial<DecisionPolicy>]> = [];
  for (const l2 of [0.00003, 0.0001, 0.0003]) {
    for (const modelScale of [1, 1.5, 2, 3]) grid.push([{ l2, modelScale }, {}]);
  }
  for (const iterations of [250, 700]) grid.push([{ iterations }, {}]);
  for (const keepPerTask of [150, 1000]) grid.push([{ keepPerTask }, {}]);
  for (const narrowWinRatio of [0.8, 0.95]) grid.push([{}, { narrowWinRatio }]);
  for (const [optionChanges, policyChanges] of grid) {
    const options = { ...TRAINING_OPTIONS, ...optionChanges };
    const policy = { ...DECISION_POLICY, ...policyChanges };
    const rows = accuracyByGroup(crossValidate(examples, policy, options, FOLDS, readings), tierOf);
    const text = rows
      .filter((row) => row.group === "everything" || row.group === "blind" || row.group === "unseen by rules")
      .map((row) => `${row.group} ${percent(row.task)} ${percent(row.tier)}`);
    console.log(`${JSON.stringify({ ...optionChanges, ...policyChanges }).padEnd(36)} ${text.join("   ")}`);
  }
}

const examples = loadExamples();
const mode = process.argv[2];
if (mode === "--search") {
  search(examples);
} else {
  const readings = examples.map(readExample);
  const started = performance.now();
  const crossValidated = crossValidate(examples, DECISION_POLICY, TRAINING_OPTIONS, FOLDS, readings);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  report(`Rules + model, ${FOLDS}-fold cross-validated (the honest estimate; ${seconds} s)`, crossValidated);
  reportMistakes(crossValidated);
  reportCalibration(crossValidated);
  if (mode !== "--check") {
    const entries = trainModel(
      readings,
      examples.map((example) => example.task),
    );
    const model = modelFromWeights(entries);
    report(
      "Rules + model trained on everything (in-sample)",
      classifyAll(examples, model, DECISION_POLICY, readings),
    );
    writeFileSync(WEIGHTS_MODULE, formatWeightsModule(entries, examples.length));
    console.log(`\nWrote ${entries.length} weights for ${model.weights.size} features to ${WEIGHTS_MODULE}`);
  }
}
