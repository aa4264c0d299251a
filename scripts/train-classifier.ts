/**
 * Trains the classifier's learned model on test/fixtures/routing-labelled-set.jsonl and writes
 * src/routing/classifier-weights.ts. Prints the cross-validated accuracy first, because that — not
 * the in-sample score — estimates how the classifier does on wording it has never seen.
 *
 *   npx tsx scripts/train-classifier.ts            cross-validate, train on everything, write weights
 *   npx tsx scripts/train-classifier.ts --check    cross-validate only, write nothing
 *   npx tsx scripts/train-classifier.ts --search   cross-validate a grid of settings, write nothing
 *
 * Each run also scores the development set (test/fixtures/routing-dev-set.jsonl: follow-ups with
 * their history, persona and agent system prompts, the weakest pairs) with the model trained on
 * everything: it is never trained on, so it is the check for the cases the labelled set has few of.
 * The blind sets are not read here: they are measured by the routing bench and their tests only.
 *
 * Deterministic: the same data and code give the same weights, byte for byte (a test checks it).
 */

import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type LearnedModel, modelFromWeights } from "../src/routing/classifier-model.js";
import { DECISION_POLICY, type DecisionPolicy } from "../src/routing/classifier-rules.js";
import {
  type Accuracy,
  accuracyByGroup,
  accuracyOf,
  calibrationOf,
  classifyAll,
  confusionPairs,
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
const DEVELOPMENT_SET = fileURLToPath(new URL("../test/fixtures/routing-dev-set.jsonl", import.meta.url));
const WEIGHTS_MODULE = fileURLToPath(new URL("../src/routing/classifier-weights.ts", import.meta.url));
const FOLDS = 10;
const tierOf = (task: TaskKind) => DEFAULT_ALIAS_TIER[DEFAULT_TASK_START[task]];
const percent = (value: number) => `${(value * 100).toFixed(1)}%`.padStart(6);

/** A development example: a labelled example plus the case it exercises. */
type DevelopmentExample = LabelledExample & { case: string };

function loadExamples<Example = LabelledExample>(file: string): Example[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line, index) => {
      try {
        return JSON.parse(line) as Example;
      } catch (error) {
        throw new Error(`${file}:${index + 1}: not JSON (${String(error)})`);
      }
    });
}

function report(title: string, predictions: Prediction[]): void {
  console.log(`\n${title}\n  group              count    task    tier   under`);
  for (const row of accuracyByGroup(predictions, tierOf)) {
    console.log(
      `  ${row.group.padEnd(17)}  ${String(row.count).padStart(5)}  ${percent(row.task)}  ${percent(row.tier)}  ${percent(row.underRouted)}`,
    );
  }
}

function reportMistakes(predictions: Prediction[]): void {
  console.log("\nMost common cross-validated mistakes (true → predicted)");
  for (const { truth, predicted, count } of confusionPairs(predictions).slice(0, 10))
    console.log(`  ${String(count).padStart(3)}  ${truth} → ${predicted}`);
}

/** The development set with the model trained on everything: overall and per case. */
function developmentRows(
  development: DevelopmentExample[],
  model: LearnedModel,
  policy: DecisionPolicy = DECISION_POLICY,
): Array<{ group: string } & Accuracy> {
  const predictions = classifyAll(development, model, policy);
  const cases = [...new Set(development.map((example) => example.case))].sort();
  return [
    { group: "development", ...accuracyOf(predictions, tierOf) },
    ...cases.map((name) => ({
      group: `  ${name}`,
      ...accuracyOf(
        predictions.filter(({ example }) => (example as DevelopmentExample).case === name),
        tierOf,
      ),
    })),
  ];
}

function reportDevelopment(development: DevelopmentExample[], model: LearnedModel): void {
  console.log("\nDevelopment set, held out from training (model trained on everything)\n  group              count    task    tier   under");
  for (const row of developmentRows(development, model)) {
    console.log(
      `  ${row.group.padEnd(17)}  ${String(row.count).padStart(5)}  ${percent(row.task)}  ${percent(row.tier)}  ${percent(row.underRouted)}`,
    );
  }
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

/**
 * The grid behind TRAINING_OPTIONS and DECISION_POLICY; judge by the cross-validated `everything`
 * and `unseen by rules` columns, with the development set as the check on follow-ups and personas.
 */
function search(examples: LabelledExample[], development: DevelopmentExample[]): void {
  const readings = examples.map(readExample);
  const grid: Array<[Partial<TrainingOptions>, Partial<DecisionPolicy>]> = [[{}, {}]];
  for (const l2 of [0.00003, 0.0003]) grid.push([{ l2 }, {}]);
  for (const modelScale of [1.5, 2.5]) grid.push([{ modelScale }, {}]);
  for (const commonWordCap of [1, 2, 100]) grid.push([{ commonWordCap }, {}]);
  for (const iterations of [250, 700]) grid.push([{ iterations }, {}]);
  for (const minimumDocuments of [3]) grid.push([{ minimumDocuments }, {}]);
  for (const keepPerTask of [150, 1000]) grid.push([{ keepPerTask }, {}]);
  for (const narrowWinRatio of [0.9, 0.95]) grid.push([{}, { narrowWinRatio }]);
  for (const [optionChanges, policyChanges] of grid) {
    const options = { ...TRAINING_OPTIONS, ...optionChanges };
    const policy = { ...DECISION_POLICY, ...policyChanges };
    const rows = accuracyByGroup(crossValidate(examples, policy, options, FOLDS, readings), tierOf);
    const model = modelFromWeights(
      trainModel(
        readings,
        examples.map((example) => example.task),
        options,
      ),
    );
    const text = [
      ...rows.filter((row) => row.group === "everything" || row.group === "unseen by rules"),
      developmentRows(development, model, policy)[0]!,
    ].map(
      (row) => `${row.group} ${percent(row.task)} ${percent(row.tier)} ${percent(row.underRouted)}`,
    );
    console.log(`${JSON.stringify({ ...optionChanges, ...policyChanges }).padEnd(28)} ${text.join("  ")}`);
  }
}

const examples = loadExamples(LABELLED_SET);
const development = loadExamples<DevelopmentExample>(DEVELOPMENT_SET);
const mode = process.argv[2];
if (mode === "--search") {
  search(examples, development);
} else {
  const readings = examples.map(readExample);
  const started = performance.now();
  const crossValidated = crossValidate(examples, DECISION_POLICY, TRAINING_OPTIONS, FOLDS, readings);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  report(`Rules + model, ${FOLDS}-fold cross-validated (the honest estimate; ${seconds} s)`, crossValidated);
  reportMistakes(crossValidated);
  reportCalibration(crossValidated);
  const entries = trainModel(
    readings,
    examples.map((example) => example.task),
  );
  const model = modelFromWeights(entries);
  reportDevelopment(development, model);
  if (mode !== "--check") {
    report(
      "Rules + model trained on everything (in-sample)",
      classifyAll(examples, model, DECISION_POLICY, readings),
    );
    writeFileSync(WEIGHTS_MODULE, formatWeightsModule(entries, examples.length));
    console.log(`\nWrote ${entries.length} weights for ${model.weights.size} features to ${WEIGHTS_MODULE}`);
  }
}
