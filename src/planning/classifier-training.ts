/**
 * Offline training and honest evaluation of the learned model (used by scripts/train-classifier.ts,
 * the routing bench and the tests; never by the gateway): a multinomial logistic regression over
 * the features of `classifier-features.ts`, weights constrained to be ≥ 0, fitted by accelerated
 * proximal gradient descent (FISTA) from zero, then scaled and pruned into the weight table.
 *
 * Why this model: it is fitted for the decision itself (which kind), copes with correlated words
 * better than naive Bayes, and is a plain sum of per-feature weights at runtime. Softmax only sees
 * differences between kinds — shifting one feature's weights for all kinds by the same amount
 * changes no prediction — so requiring weights ≥ 0 costs no expressiveness and leaves every
 * feature as evidence *for* some kinds: explainable, and addable to the phrase table's votes.
 * Regularisation is a small L2 and L1 plus early stopping (a fixed number of steps from zero),
 * chosen by cross-validation; more steps fitted the training prompts better and new ones worse.
 * Everything is deterministic: zero start, full-batch steps, sorted features, fixed folds.
 *
 * `crossValidate` is the number to trust: each prompt is classified by a model that never saw it.
 * The phrase table was written while looking at the `tune` and `holdout` prompts of the first
 * draft, so on those the rules' part is still in-sample; prompts written after the table (the
 * `blind` split and everything marked `origin: "after-rules"`) are the honest check.
 */

import { TASK_INDEX, TASK_KINDS, type TaskKind } from "../config/task-kinds.js";
import { type LearnedModel, modelFromWeights } from "../routing/classifier-model.js";
import type { DecisionPolicy } from "../routing/classifier-rules.js";
import {
  type ClassifierHints,
  decide,
  type RequestReading,
  readRequest,
  scoresOf,
} from "../routing/task-classifier.js";

export interface LabelledExample {
  task: TaskKind;
  prompt: string;
  system?: string;
  split: "tune" | "holdout" | "blind";
  /** `after-rules`: written after the phrase table existed, so its rules never saw the wording. */
  origin?: "after-rules";
}

/** Whether the hand-written rules were written without seeing this prompt. */
export function isUnseenByRules(example: LabelledExample): boolean {
  return example.split === "blind" || example.origin === "after-rules";
}

export interface TrainingOptions {
  /** L1 penalty per weight: sparsity, and the pruning of weak features. */
  l1: number;
  /** L2 penalty: keeps rare features from taking all the credit for a prompt. */
  l2: number;
  iterations: number;
  /** A feature seen in fewer training prompts than this is not learned from (memorisation). */
  minimumDocuments: number;
  /** Multiplies the model's log-odds into the units of the phrase table's weights. */
  modelScale: number;
  /** Smaller weights (after scaling) are dropped: they seldom move a decision, and cost a lookup. */
  minimumWeight: number;
  /** At most this many features are kept per task kind, strongest first. */
  keepPerTask: number;
}

/** Chosen by 10-fold cross-validation (`scripts/train-classifier.ts --search` shows the grid). */
export const TRAINING_OPTIONS: TrainingOptions = {
  l1: 0.00003,
  l2: 0.0001,
  iterations: 400,
  minimumDocuments: 2,
  modelScale: 1.5,
  minimumWeight: 0.2,
  keepPerTask: 300,
};

export type WeightEntry = [feature: string, task: TaskKind, weight: number];

export function readExample(example: LabelledExample): RequestReading {
  const hints: ClassifierHints = example.system ? { system: example.system } : {};
  return readRequest([{ role: "user", content: example.prompt }], hints);
}

interface SparseDocument {
  indices: Int32Array;
  values: Float64Array;
  label: number;
}

/** Fits the model on the given prompts; returns the non-zero weights, scaled and pruned. */
export function trainModel(
  readings: RequestReading[],
  labels: TaskKind[],
  options: TrainingOptions = TRAINING_OPTIONS,
): WeightEntry[] {
  const documentCounts = new Map<string, number>();
  for (const reading of readings) {
    for (const feature of reading.features.keys()) {
      documentCounts.set(feature, (documentCounts.get(feature) ?? 0) + 1);
    }
  }
  // Sorted, so the feature order — and with it every floating-point sum — is reproducible.
  const vocabulary = [...documentCounts.entries()]
    .filter(([, count]) => count >= options.minimumDocuments)
    .map(([feature]) => feature)
    .sort();
  const featureIndex = new Map(vocabulary.map((feature, index) => [feature, index]));
  const documents: SparseDocument[] = readings.map((reading, index) => {
    const present = [...reading.features].filter(([feature]) => featureIndex.has(feature));
    present.sort(([a], [b]) => featureIndex.get(a)! - featureIndex.get(b)!);
    return {
      indices: Int32Array.from(present, ([feature]) => featureIndex.get(feature)!),
      values: Float64Array.from(present, ([, hit]) => hit.value),
      label: TASK_INDEX.get(labels[index]!)!,
    };
  });
  const weights = fitNonNegativeSoftmax(documents, vocabulary.length, options);
  return pruneAndScale(vocabulary, weights, options);
}

/**
 * FISTA on the mean cross-entropy + l2/2·‖W‖² + l1·‖W‖₁ subject to W ≥ 0. The step is 1/L with
 * L bounded by the mean squared feature norm (the softmax Hessian is at most ½·xxᵀ per prompt).
 */
function fitNonNegativeSoftmax(
  documents: SparseDocument[],
  featureCount: number,
  options: TrainingOptions,
): Float64Array {
  const classes = TASK_KINDS.length;
  const size = featureCount * classes;
  let weights = new Float64Array(size);
  // Where the gradient is taken: the last step pushed a little further along (Nesterov momentum).
  const lookahead = new Float64Array(size);
  const gradient = new Float64Array(size);
  const logits = new Float64Array(classes);
  let meanSquaredNorm = 0;
  for (const document of documents) {
    for (const value of document.values) meanSquaredNorm += value * value;
  }
  meanSquaredNorm /= Math.max(1, documents.length);
  const step = 1 / (0.5 * meanSquaredNorm + options.l2);
  let momentum = 1;

  for (let iteration = 0; iteration < options.iterations; iteration++) {
    gradient.fill(0);
    for (const document of documents) {
      logits.fill(0);
      for (let position = 0; position < document.indices.length; position++) {
        const base = document.indices[position]! * classes;
        const value = document.values[position]!;
        for (let task = 0; task < classes; task++) logits[task]! += value * lookahead[base + task]!;
      }
      let largest = Number.NEGATIVE_INFINITY;
      for (let task = 0; task < classes; task++) largest = Math.max(largest, logits[task]!);
      let sum = 0;
      for (let task = 0; task < classes; task++) {
        logits[task] = Math.exp(logits[task]! - largest);
        sum += logits[task]!;
      }
      for (let task = 0; task < classes; task++) logits[task] = logits[task]! / sum;
      logits[document.label]! -= 1;
      for (let position = 0; position < document.indices.length; position++) {
        const base = document.indices[position]! * classes;
        const value = document.values[position]!;
        for (let task = 0; task < classes; task++) gradient[base + task]! += value * logits[task]!;
      }
    }
    const next = new Float64Array(size);
    const scale = 1 / documents.length;
    for (let index = 0; index < size; index++) {
      const descended =
        lookahead[index]! - step * (gradient[index]! * scale + options.l2 * lookahead[index]!);
      next[index] = Math.max(0, descended - step * options.l1);
    }
    const nextMomentum = (1 + Math.sqrt(1 + 4 * momentum * momentum)) / 2;
    const blend = (momentum - 1) / nextMomentum;
    for (let index = 0; index < size; index++) {
      lookahead[index] = next[index]! + blend * (next[index]! - weights[index]!);
    }
    weights = next;
    momentum = nextMomentum;
  }
  return weights;
}

function pruneAndScale(vocabulary: string[], weights: Float64Array, options: TrainingOptions): WeightEntry[] {
  const classes = TASK_KINDS.length;
  const entries: WeightEntry[] = [];
  for (let task = 0; task < classes; task++) {
    const perTask: WeightEntry[] = [];
    for (let feature = 0; feature < vocabulary.length; feature++) {
      const weight = weights[feature * classes + task]! * options.modelScale;
      if (weight >= options.minimumWeight)
        perTask.push([vocabulary[feature]!, TASK_KINDS[task]!, round(weight, 2)]);
    }
    perTask.sort((a, b) => b[2] - a[2] || (a[0] < b[0] ? -1 : 1));
    entries.push(...perTask.slice(0, options.keepPerTask));
  }
  return entries;
}

/** Stratified, fixed fold assignment: the i-th prompt of each kind goes to fold i mod k. */
export function assignFolds(examples: LabelledExample[], folds: number): number[] {
  const seen = new Map<TaskKind, number>();
  return examples.map((example) => {
    const count = seen.get(example.task) ?? 0;
    seen.set(example.task, count + 1);
    return count % folds;
  });
}

export interface Prediction {
  example: LabelledExample;
  predicted: TaskKind;
  confidence: number;
  scores: Partial<Record<TaskKind, number>>;
}

function predict(
  example: LabelledExample,
  reading: RequestReading,
  model: LearnedModel,
  policy: DecisionPolicy,
) {
  const { task, confidence, totals } = decide(reading, model, policy);
  return { example, predicted: task, confidence, scores: scoresOf(totals) };
}

/** Classifies every prompt with a model trained on the other folds. */
export function crossValidate(
  examples: LabelledExample[],
  policy: DecisionPolicy,
  options: TrainingOptions = TRAINING_OPTIONS,
  folds = 10,
  readings: RequestReading[] = examples.map(readExample),
): Prediction[] {
  const foldOf = assignFolds(examples, folds);
  const predictions: Prediction[] = new Array(examples.length);
  for (let fold = 0; fold < folds; fold++) {
    const train = examples.map((_, index) => index).filter((index) => foldOf[index] !== fold);
    const model = modelFromWeights(
      trainModel(
        train.map((index) => readings[index]!),
        train.map((index) => examples[index]!.task),
        options,
      ),
    );
    examples.forEach((example, index) => {
      if (foldOf[index] === fold) predictions[index] = predict(example, readings[index]!, model, policy);
    });
  }
  return predictions;
}

/** In-sample: every prompt classified by the given model (the shipped one, or rules only). */
export function classifyAll(
  examples: LabelledExample[],
  model: LearnedModel,
  policy: DecisionPolicy,
  readings: RequestReading[] = examples.map(readExample),
): Prediction[] {
  return examples.map((example, index) => predict(example, readings[index]!, model, policy));
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export interface Accuracy {
  count: number;
  /** Fractions 0..1. */
  task: number;
  tier: number;
}

export function accuracyOf(predictions: Prediction[], tierOf: (task: TaskKind) => number): Accuracy {
  let taskHits = 0;
  let tierHits = 0;
  for (const { example, predicted } of predictions) {
    if (predicted === example.task) taskHits++;
    if (tierOf(predicted) === tierOf(example.task)) tierHits++;
  }
  const count = predictions.length;
  return { count, task: taskHits / Math.max(1, count), tier: tierHits / Math.max(1, count) };
}

/**
 * Temperature scaling: the softmax temperature under which the scores give the true kind the
 * highest likelihood, over (cross-validated) predictions. Picked from a grid: one number, no need
 * for more precision than the labelled set can support.
 */
export function fitConfidenceTemperature(predictions: Prediction[]): number {
  let best = { temperature: 1, loss: Number.POSITIVE_INFINITY };
  for (const temperature of [0.5, 0.75, 1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8]) {
    let loss = 0;
    for (const { example, scores } of predictions) {
      let largest = 0;
      for (const task of TASK_KINDS) largest = Math.max(largest, scores[task] ?? 0);
      let sum = 0;
      for (const task of TASK_KINDS) sum += Math.exp(((scores[task] ?? 0) - largest) / temperature);
      loss -= ((scores[example.task] ?? 0) - largest) / temperature - Math.log(sum);
    }
    if (loss < best.loss) best = { temperature, loss };
  }
  return best.temperature;
}

/** Accuracy per confidence band: a calibrated confidence reads as the chance of being right. */
export function calibrationOf(
  predictions: Prediction[],
): Array<{ band: string; count: number; accuracy: number }> {
  const edges = [0, 0.2, 0.4, 0.6, 0.8, 1.0001];
  return edges.slice(0, -1).map((low, index) => {
    const high = edges[index + 1]!;
    const inBand = predictions.filter(({ confidence }) => confidence >= low && confidence < high);
    const right = inBand.filter(({ example, predicted }) => predicted === example.task).length;
    return {
      band: `${low.toFixed(1)}–${Math.min(1, high).toFixed(1)}`,
      count: inBand.length,
      accuracy: right / Math.max(1, inBand.length),
    };
  });
}

export type AccuracyGroup = "everything" | "tune" | "holdout" | "blind" | "unseen by rules";

/** Accuracy over everything, per split, and over the prompts the rules never saw. */
export function accuracyByGroup(
  predictions: Prediction[],
  tierOf: (task: TaskKind) => number,
): Array<{ group: AccuracyGroup } & Accuracy> {
  const groups: Array<[AccuracyGroup, (example: LabelledExample) => boolean]> = [
    ["everything", () => true],
    ["tune", (example) => example.split === "tune"],
    ["holdout", (example) => example.split === "holdout"],
    ["blind", (example) => example.split === "blind"],
    ["unseen by rules", isUnseenByRules],
  ];
  return groups.map(([group, test]) => ({
    group,
    ...accuracyOf(
      predictions.filter(({ example }) => test(example)),
      tierOf,
    ),
  }));
}

/** The generated weights module: per task kind, `feature weight` entries wrapped for reading. */
export function formatWeightsModule(entries: WeightEntry[], exampleCount: number): string {
  const lines = [
    "/**",
    " * GENERATED by scripts/train-classifier.ts from test/fixtures/routing-labelled-set.jsonl",
    ` * (${exampleCount} prompts); do not edit: change the features, the options or the data, retrain.`,
    " *",
    " * Per task kind, the learned features that are evidence for it, strongest first, as",
    " * `feature weight`. Features are stemmed (classifier-features.ts): `w:` a word of the prose,",
    " * `o:` a word opening a sentence or clause, `s:` a structural fact about the message.",
    " */",
    "",
    'import type { LearnedWeightTable } from "./classifier-model.js";',
    "",
    "export const LEARNED_WEIGHTS: LearnedWeightTable = {",
  ];
  for (const task of TASK_KINDS) {
    const items = entries
      .filter(([, entryTask]) => entryTask === task)
      .map(([feature, , weight]) => `${feature} ${weight}`);
    const wrapped: string[] = [];
    let line = "";
    for (const item of items) {
      if (line !== "" && line.length + item.length + 2 > WRAP_WIDTH) {
        wrapped.push(line);
        line = "";
      }
      line += (line ? ", " : "") + item;
    }
    if (line) wrapped.push(line);
    const key = task.includes("-") ? `"${task}"` : task;
    lines.push(`  ${key}: \`\n${wrapped.map((text) => `    ${text},`).join("\n")}\n  \`,`);
  }
  lines.push("};", "");
  return lines.join("\n");
}

const WRAP_WIDTH = 100;
