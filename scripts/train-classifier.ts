/**
 * Trains the classifier's learned model on every author's labelled set (`AUTHOR_FIXTURES` in
 * src/planning/classifier-authors.ts) and writes src/routing/classifier-weights.ts. Prints
 * leave-one-author-out validation first — trained on all authors but one, scored on the one left
 * out — because that, not the in-sample score nor cross-validation within one author's prompts,
 * estimates how the classifier does on a new author's wording, which is what a blind set is.
 *
 *   npx tsx scripts/train-classifier.ts            validate, train on everything, write weights
 *   npx tsx scripts/train-classifier.ts --check    validate only, write nothing
 *   npx tsx scripts/train-classifier.ts --search   leave-one-author-out over a grid of settings
 *   npx tsx scripts/train-classifier.ts --write    train on everything and write, no validation
 *                                                  (about a minute; validating takes forty minutes)
 *
 * Each run also scores the development set (test/fixtures/routing-dev-set.jsonl: follow-ups with
 * their history, persona and agent system prompts, the weakest pairs) with the model trained on
 * everything: it is never trained on, so it is the check for the cases the labelled sets have few
 * of. The blind sets are not read here: they are measured by the routing bench and their tests.
 *
 * Deterministic: the same data and code give the same weights, byte for byte (a test checks it).
 */

import { existsSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { DEFAULT_ALIAS_TIER, DEFAULT_TASK_START, type TaskKind } from "../src/config/task-kinds.js";
import {
  type AuthorSet,
  type ClassifierSetting,
  leaveOneAuthorOut,
  loadAuthorSets,
  meanOverAuthors,
  type PooledData,
  poolAuthors,
  readJsonLines,
  trainOnAuthors,
} from "../src/planning/classifier-authors.js";
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
} from "../src/planning/classifier-training.js";
import type { FeatureSet } from "../src/routing/classifier-features.js";
import { type LearnedModel, modelFromWeights } from "../src/routing/classifier-model.js";
import { DEFAULT_READING, type ReadingOptions, type RequestReading } from "../src/routing/classifier-reading.js";
import { DECISION_POLICY, type DecisionPolicy } from "../src/routing/classifier-rules.js";

const DEVELOPMENT_SET = fileURLToPath(new URL("../test/fixtures/routing-dev-set.jsonl", import.meta.url));
const WEIGHTS_MODULE = fileURLToPath(new URL("../src/routing/classifier-weights.ts", import.meta.url));
/** Folds of the pooled cross-validation, which now only fits the confidence temperature. */
const FOLDS = 5;
const tierOf = (task: TaskKind) => DEFAULT_ALIAS_TIER[DEFAULT_TASK_START[task]];
const percent = (value: number) => `${(value * 100).toFixed(1)}%`.padStart(6);

/** A development example: a labelled example plus the case it exercises. */
type DevelopmentExample = LabelledExample & { case: string };


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

/** A setting of the grid: what it changes from the shipped one. */
interface GridChange {
  reading?: Partial<Omit<ReadingOptions, "featureSet">> & { featureSet?: Partial<FeatureSet> };
  training?: Partial<TrainingOptions>;
}

/** The settings `--search` tries, one change from the shipped setting at a time. */
const GRID: Array<[name: string, change: GridChange]> = [
  ["shipped", {}],
  [
    "main's setting before",
    {
      reading: { phraseScale: 1, earlierWeight: 0.3, shortTurnWords: 0, featureSet: { pairs: false, negation: false } },
      training: { keepPerTask: 300 },
    },
  ],
  ["phrase table ×1", { reading: { phraseScale: 1 } }],
  ["phrase table ×0.5", { reading: { phraseScale: 0.5 } }],
  ["phrase table ×0.25", { reading: { phraseScale: 0.25 } }],
  ["structure rules ×0.5", { reading: { structureScale: 0.5 } }],
  ["no word pairs", { reading: { featureSet: { pairs: false } } }],
  ["no negation scope", { reading: { featureSet: { negation: false } } }],
  ["earlier turns 0.3", { reading: { earlierWeight: 0.3 } }],
  ["no short-turn lean", { reading: { shortTurnWords: 0 } }],
  ["short-turn lean to 40 words", { reading: { shortTurnWords: 40 } }],
  ["l2 ×3", { training: { l2: TRAINING_OPTIONS.l2 * 3 } }],
  ["l2 ÷3", { training: { l2: TRAINING_OPTIONS.l2 / 3 } }],
  ["l1 ×3", { training: { l1: TRAINING_OPTIONS.l1 * 3 } }],
  ["l1 ÷3", { training: { l1: TRAINING_OPTIONS.l1 / 3 } }],
  ["200 steps", { training: { iterations: 200 } }],
  ["400 steps", { training: { iterations: 400 } }],
  ["common-word cap 1.5", { training: { commonWordCap: 1.5 } }],
  ["common-word cap 2", { training: { commonWordCap: 2 } }],
  ["features in ≥3 prompts", { training: { minimumDocuments: 3 } }],
  ["features of ≥2 authors", { training: { minimumAuthors: 2 } }],
  ["authors balanced ½", { training: { authorBalance: 0.5 } }],
  ["authors balanced", { training: { authorBalance: 1 } }],
  ["keep 300 per kind", { training: { keepPerTask: 300 } }],
  ["keep 1000 per kind", { training: { keepPerTask: 1000 } }],
];

/**
 * Under-routing costs tried on every setting of the grid (the decision rule needs no refit;
 * scripts/decision-rules.ts compares decision rules on one fit).
 */
const UNDER_ROUTING_COSTS = [1.5, 2, 3];

function settingWith(change: GridChange): ClassifierSetting {
  return {
    reading: {
      ...DEFAULT_READING,
      ...change.reading,
      featureSet: { ...DEFAULT_READING.featureSet, ...change.reading?.featureSet },
    },
    training: { ...TRAINING_OPTIONS, ...change.training },
  };
}

/**
 * Leave-one-author-out validation of the grid: for each setting and under-routing cost, task, tier
 * and under-routed per held-out author and the mean over the authors writing in English. Settings
 * are chosen by that mean; the blind sets are not read here.
 */
function search(authors: AuthorSet[]): void {
  const names = authors.filter((author) => !author.otherLanguages).map((author) => author.name);
  console.log(
    `Leave-one-author-out: task / tier / under-routed, mean over ${names.join(", ")}, then each\n`,
  );
  for (const [name, change] of GRID) {
    const setting = settingWith(change);
    const policies = UNDER_ROUTING_COSTS.map((underRoutingCost) => ({ ...DECISION_POLICY, underRoutingCost }));
    leaveOneAuthorOut(authors, setting, policies, tierOf).forEach((scores, index) => {
      const inEnglish = scores.filter((_, index) => !authors[index]!.otherLanguages);
      const cells = [meanOverAuthors(inEnglish), ...scores.map((score) => score.accuracy)].map(
        (row) => `${percent(row.task)} ${percent(row.tier)} ${percent(row.underRouted)}`,
      );
      console.log(`${`${name}, under-routing cost ${UNDER_ROUTING_COSTS[index]}`.padEnd(40)} ${cells.join("  |")}`);
    });
  }
}

/** The shipped setting, left-one-author-out: the estimate for a new author's wording. */
function reportAuthors(authors: AuthorSet[]): void {
  const [scores] = leaveOneAuthorOut(authors, settingWith({}), [DECISION_POLICY], tierOf);
  console.log("\nLeave-one-author-out (trained on the other authors; the estimate for a new author)");
  console.log("  held out           count    task    tier   under");
  // Authors writing in other languages are averaged apart: the English mean is what a blind set
  // of English requests measures, and theirs says how far the other languages have come.
  const inEnglish = scores!.filter((_, index) => !authors[index]!.otherLanguages);
  const inOthers = scores!.filter((_, index) => authors[index]!.otherLanguages);
  const means = [{ author: "mean, English", accuracy: meanOverAuthors(inEnglish) }];
  if (inOthers.length > 0) means.push({ author: "mean, other langs", accuracy: meanOverAuthors(inOthers) });
  for (const { author, accuracy } of [...scores!, ...means]) {
    console.log(
      `  ${author.padEnd(17)}  ${String(accuracy.count).padStart(5)}  ${percent(accuracy.task)}  ${percent(accuracy.tier)}  ${percent(accuracy.underRouted)}`,
    );
  }
  for (const { author, predictions } of scores!) {
    const pairs = confusionPairs(predictions).slice(0, 6);
    console.log(`  ${author}: ${pairs.map(({ truth, predicted, count }) => `${count} ${truth} → ${predicted}`).join(", ")}`);
  }
}

/** Leave-one-author-out, then cross-validation within the pooled prompts: what `--write` skips. */
function validate(authors: AuthorSet[], pooled: PooledData, readings: RequestReading[]): void {
  reportAuthors(authors);
  const started = performance.now();
  const crossValidated = crossValidate(
    pooled.examples,
    DECISION_POLICY,
    TRAINING_OPTIONS,
    FOLDS,
    readings,
    pooled.sources,
  );
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  report(
    `Rules + model, ${FOLDS}-fold cross-validated over every author's prompts pooled (within-author: flatters; ${seconds} s)`,
    crossValidated,
  );
  reportMistakes(crossValidated);
  reportCalibration(crossValidated);
}

const authors = loadAuthorSets(new URL("../", import.meta.url), existsSync);
const development = readJsonLines<DevelopmentExample>(DEVELOPMENT_SET);
const mode = process.argv[2];
if (mode === "--search") {
  search(authors);
} else {
  const pooled = poolAuthors(authors, TRAINING_OPTIONS.authorBalance);
  const readings = pooled.examples.map(readExample);
  if (mode !== "--write") validate(authors, pooled, readings);
  const entries = trainOnAuthors(authors, readings);
  const model = modelFromWeights(entries);
  reportDevelopment(development, model);
  if (mode !== "--check") {
    report(
      "Rules + model trained on everything (in-sample)",
      classifyAll(pooled.examples, model, DECISION_POLICY, readings),
    );
    writeFileSync(WEIGHTS_MODULE, formatWeightsModule(entries, authors));
    console.log(`\nWrote ${entries.length} weights for ${model.weights.size} features to ${WEIGHTS_MODULE}`);
  }
}
