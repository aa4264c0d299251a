/**
 * The classifier's training data by author, and leave-one-author-out validation: the measure its
 * settings are chosen by. A blind set is one author's wording the classifier never saw, so the
 * estimate that matches it is to train on every author but one and score the one left out, then
 * average over authors. Cross-validation within one author's prompts said ~89% while another
 * author's blind set said ~77%: an author's habits leak across folds of their own set.
 *
 * The first author's set (`routing-labelled-set.jsonl`) is also the one the phrase table was
 * written against, so when it is held out only its prompts the rules never saw are scored
 * (`isUnseenByRules`). The other authors' own `split` fields are not used: all of each is trained
 * on, and held out whole.
 */

import { readFileSync } from "node:fs";
import { TASK_KINDS, type TaskKind } from "../config/task-kinds.js";
import { modelFromWeights } from "../routing/classifier-model.js";
import type { ReadingOptions, RequestReading } from "../routing/classifier-reading.js";
import type { DecisionPolicy } from "../routing/classifier-rules.js";
import {
  type Accuracy,
  accuracyOf,
  classifyAll,
  isUnseenByRules,
  type LabelledExample,
  type Prediction,
  readExamples,
  TRAINING_OPTIONS,
  type TrainingOptions,
  type TrainingSources,
  trainModel,
  type WeightEntry,
} from "./classifier-training.js";

export interface AuthorSet {
  name: string;
  examples: LabelledExample[];
  /**
   * The author wrote every request in languages other than English: held out, such an author
   * is scored apart, since the English phrase table gives them no votes and the model has only a
   * few hundred prompts of each language.
   */
  otherLanguages: boolean;
}

/**
 * The lettered authors, in the order they were added (the order is part of the training data's
 * order, so the weights depend on it); each wrote `test/fixtures/routing-author-<letter>-set.jsonl`.
 */
const LETTERED_AUTHORS =
  "a b c d e f g h i j k l m n o p q r s t u v w x y z aa ab ac ad ae af ag ah ai aj ak al am an ao ap aq ar as";
/** Those who wrote every request in languages other than English (`AuthorSet.otherLanguages`). */
const OTHER_LANGUAGE_AUTHORS = new Set(["ag", "ai", "aj", "ak", "ar", "as"]);

/** The labelled sets, one per author, relative to the project root; a missing one is skipped. */
export const AUTHOR_FIXTURES: ReadonlyArray<{ name: string; file: string; otherLanguages?: true }> = [
  { name: "first author", file: "test/fixtures/routing-labelled-set.jsonl" },
  { name: "second author", file: "test/fixtures/routing-second-author-set.jsonl" },
  ...LETTERED_AUTHORS.split(" ").map((letter) => ({
    name: `author ${letter}`,
    file: `test/fixtures/routing-author-${letter}-set.jsonl`,
    ...(OTHER_LANGUAGE_AUTHORS.has(letter) ? { otherLanguages: true as const } : {}),
  })),
];

/** What a line of any author's set has; the first author's `split` and `origin` are kept. */
interface AuthorLine extends Pick<LabelledExample, "task" | "prompt" | "system" | "history" | "origin"> {
  split?: string;
}

/**
 * Reads each author's set that exists under `root` (a directory URL ending in "/"). Another
 * author's prompts become split `author`: written without seeing the phrase table.
 */
export function loadAuthorSets(root: URL, exists: (file: URL) => boolean): AuthorSet[] {
  return AUTHOR_FIXTURES.flatMap(({ name, file, otherLanguages = false }, position) => {
    const url = new URL(file, root);
    if (!exists(url)) return [];
    const examples = readJsonLines<AuthorLine>(url, file).map((line) =>
      position === 0 ? (line as LabelledExample) : asOtherAuthor(line, name),
    );
    return [{ name, examples, otherLanguages }];
  });
}

/** One JSON object per non-blank line; a line that is not JSON is named by `label`:line. */
export function readJsonLines<Line>(file: string | URL, label = String(file)): Line[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line, index) => {
      try {
        return JSON.parse(line) as Line;
      } catch (error) {
        throw new Error(`${label}:${index + 1}: not JSON (${String(error)})`);
      }
    });
}

function asOtherAuthor({ task, prompt, system, history }: AuthorLine, author: string): LabelledExample {
  const example: LabelledExample = { task, prompt, split: "author", author };
  if (system !== undefined) example.system = system;
  if (history !== undefined) example.history = history;
  return example;
}

/**
 * Per-prompt weights in the fit: `balance` 0 counts every prompt alike (a large set dominates),
 * 1 gives every author's set the same total weight; between, sizes count to the power 1-balance.
 * Normalised to a mean of 1.
 */
export function authorWeights(sizes: readonly number[], balance: number): number[] {
  const perPrompt = sizes.map((size) => size ** -balance);
  const total = sizes.reduce((sum, size, index) => sum + size * perPrompt[index]!, 0);
  const count = sizes.reduce((sum, size) => sum + size, 0);
  return sizes.flatMap((size, index) => new Array<number>(size).fill((perPrompt[index]! * count) / total));
}

export interface AuthorScore {
  author: string;
  accuracy: Accuracy;
  /** The held-out author's scored prompts, each classified by a model that never saw the author. */
  predictions: Prediction[];
}

/** A setting to validate: how requests are read and how the model is fitted. */
export interface ClassifierSetting {
  reading: ReadingOptions;
  training: TrainingOptions;
}

/** The training data of some authors as one list, with where each prompt came from. */
export interface PooledData {
  examples: LabelledExample[];
  labels: TaskKind[];
  sources: Required<TrainingSources>;
}

export function poolAuthors(authors: readonly AuthorSet[], authorBalance: number): PooledData {
  const examples = authors.flatMap((author) => author.examples);
  return {
    examples,
    labels: examples.map((example) => example.task),
    sources: {
      weights: authorWeights(
        authors.map((author) => author.examples.length),
        authorBalance,
      ),
      authors: authors.flatMap((author, index) => author.examples.map(() => index)),
    },
  };
}

/** The shipped model's weights: fitted on every author's prompts. */
export function trainOnAuthors(
  authors: readonly AuthorSet[],
  readings: readonly RequestReading[],
  training: TrainingOptions = TRAINING_OPTIONS,
): WeightEntry[] {
  const pooled = poolAuthors(authors, training.authorBalance);
  return trainModel([...readings], pooled.labels, training, pooled.sources);
}

/**
 * Trains on every author but one and scores the one left out, for each author (or each of
 * `heldOut`, by index: the tests split the authors between two files, which run side by side);
 * each policy is applied to the same fitted models (the decision rule needs no retraining).
 * Returns, per policy, the score per held-out author.
 */
export function leaveOneAuthorOut(
  authors: readonly AuthorSet[],
  setting: ClassifierSetting,
  policies: readonly DecisionPolicy[],
  tierOf: (task: TaskKind) => number,
  heldOutAuthors: readonly number[] = authors.map((_, index) => index),
): AuthorScore[][] {
  const readings = authors.map((author) => readExamples(author.examples, setting.reading));
  const results: AuthorScore[][] = policies.map(() => []);
  for (const heldOut of heldOutAuthors) {
    const others = authors.filter((_, index) => index !== heldOut);
    const trainingReadings = readings.filter((_, index) => index !== heldOut).flat();
    const model = modelFromWeights(trainOnAuthors(others, trainingReadings, setting.training));
    const held = authors[heldOut]!;
    const scored = held.examples
      .map((_, index) => index)
      .filter((index) => isUnseenByRules(held.examples[index]!));
    policies.forEach((policy, policyIndex) => {
      const predictions = classifyAll(
        scored.map((index) => held.examples[index]!),
        model,
        policy,
        scored.map((index) => readings[heldOut]![index]!),
      );
      results[policyIndex]!.push({
        author: held.name,
        accuracy: accuracyOf(predictions, tierOf),
        predictions,
      });
    });
  }
  return results;
}

/** The mean over authors, each counting alike whatever its size: what a new author will see. */
export function meanOverAuthors(scores: readonly AuthorScore[]): Accuracy {
  const count = Math.max(1, scores.length);
  const sum = (pick: (accuracy: Accuracy) => number) =>
    scores.reduce((total, score) => total + pick(score.accuracy), 0) / count;
  return {
    count: scores.reduce((total, score) => total + score.accuracy.count, 0),
    task: sum((accuracy) => accuracy.task),
    tier: sum((accuracy) => accuracy.tier),
    underRouted: sum((accuracy) => accuracy.underRouted),
  };
}

/** Every kind present in each author's set: a set missing a kind would skew its held-out score. */
export function missingKinds(author: AuthorSet): TaskKind[] {
  const present = new Set(author.examples.map((example) => example.task));
  return TASK_KINDS.filter((task) => !present.has(task));
}
