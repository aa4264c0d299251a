/**
 * The learned half of the classifier: a linear model over the features of
 * `classifier-features.ts`, trained offline by `scripts/train-classifier.ts` and shipped as the
 * generated table in `classifier-weights.ts`. Scoring is one map lookup per feature — no training
 * and no I/O at runtime.
 *
 * Every weight is ≥ 0 (the trainer constrains it), so each feature is evidence *for* some task
 * kinds, in the same units as the hand-written phrase weights, and the two simply add up. The
 * strongest contributions become signals of their own; the long tail of small ones is summed into
 * one `learned:other-words` signal per task, so explanations stay short and still add up.
 */

import { TASK_INDEX, TASK_KINDS, type TaskKind } from "../config/task-kinds.js";
import {
  type FeatureVector,
  featureKind,
  type PairVocabulary,
  pairVocabulary,
} from "./classifier-features.js";

/** The generated table: per task kind, `feature weight` entries separated by commas. */
export type LearnedWeightTable = Readonly<Record<TaskKind, string>>;

export interface LearnedModel {
  /** Feature name → the task kinds it is evidence for (indexes into TASK_KINDS) and weights. */
  weights: ReadonlyMap<string, FeatureVotes>;
  /** The word pairs among the features: the only ones the gateway reads (`Segment.pairs`). */
  pairs: PairVocabulary;
}

export interface FeatureVotes {
  tasks: Uint8Array;
  weights: Float64Array;
}

/** A contribution of the model, before it becomes a `ClassifierSignal`. */
export interface LearnedContribution {
  name: string;
  task: TaskKind;
  weight: number;
  evidence: string;
}

/** Contributions shown one by one per task kind; the rest are summed into one signal… */
const SIGNALS_PER_TASK = 4;
/** …whose evidence quotes this many of them. */
const QUOTED_IN_REST = 3;
const TRACKED_PER_TASK = SIGNALS_PER_TASK + QUOTED_IN_REST;
const SIGNAL_NAMES = {
  word: "learned:word",
  negated: "learned:negated",
  opening: "learned:opening",
  pair: "learned:pair",
  structure: "learned:structure",
} as const;

export function parseLearnedWeights(table: LearnedWeightTable): LearnedModel {
  const entries: Array<[string, TaskKind, number]> = [];
  for (const task of TASK_KINDS) {
    for (const entry of table[task].split(",")) {
      const trimmed = entry.trim();
      if (trimmed === "") continue;
      const space = trimmed.lastIndexOf(" ");
      const weight = Number(trimmed.slice(space + 1));
      if (space <= 0 || !Number.isFinite(weight) || weight < 0) {
        throw new Error(`classifier weights: bad entry "${trimmed}" for ${task}`);
      }
      entries.push([trimmed.slice(0, space), task, weight]);
    }
  }
  return modelFromWeights(entries);
}

/** Builds a model from `[feature, task, weight]` entries (the trainer's, during cross-validation). */
export function modelFromWeights(entries: Iterable<readonly [string, TaskKind, number]>): LearnedModel {
  const grouped = new Map<string, Array<[number, number]>>();
  for (const [feature, task, weight] of entries) {
    if (weight <= 0) continue;
    const list = grouped.get(feature) ?? [];
    list.push([TASK_INDEX.get(task)!, weight]);
    grouped.set(feature, list);
  }
  const weights = new Map<string, FeatureVotes>();
  for (const [feature, list] of grouped) {
    weights.set(feature, {
      tasks: Uint8Array.from(list, ([task]) => task),
      weights: Float64Array.from(list, ([, weight]) => weight),
    });
  }
  return { weights, pairs: pairVocabulary(weights.keys()) };
}

/**
 * The model's votes for one request: per task kind, the strongest few contributions and one sum
 * of the rest. Runs per request, so it keeps only the top few per task in small typed arrays
 * instead of building and sorting an object per vote.
 */
export function scoreFeatures(model: LearnedModel, features: FeatureVector): LearnedContribution[] {
  const taskCount = TASK_KINDS.length;
  const totals = new Float64Array(taskCount);
  const counts = new Int32Array(taskCount);
  const topWeights = new Float64Array(taskCount * TRACKED_PER_TASK);
  const topFeatures: string[] = new Array(taskCount * TRACKED_PER_TASK);
  const topEvidence: string[] = new Array(taskCount * TRACKED_PER_TASK);
  for (const [feature, hit] of features) {
    const votes = model.weights.get(feature);
    if (!votes) continue;
    for (let vote = 0; vote < votes.tasks.length; vote++) {
      const task = votes.tasks[vote]!;
      const weight = votes.weights[vote]! * hit.value;
      totals[task]! += weight;
      const count = counts[task]!++;
      // Insertion into the task's sorted top list; ties go to the smaller feature name.
      const base = task * TRACKED_PER_TASK;
      let position = Math.min(count, TRACKED_PER_TASK);
      while (
        position > 0 &&
        outranks(weight, feature, topWeights[base + position - 1]!, topFeatures[base + position - 1]!)
      ) {
        if (position < TRACKED_PER_TASK) {
          topWeights[base + position] = topWeights[base + position - 1]!;
          topFeatures[base + position] = topFeatures[base + position - 1]!;
          topEvidence[base + position] = topEvidence[base + position - 1]!;
        }
        position--;
      }
      if (position < TRACKED_PER_TASK) {
        topWeights[base + position] = weight;
        topFeatures[base + position] = feature;
        topEvidence[base + position] = hit.evidence;
      }
    }
  }
  const contributions: LearnedContribution[] = [];
  for (let task = 0; task < taskCount; task++) {
    const count = counts[task]!;
    if (count === 0) continue;
    const base = task * TRACKED_PER_TASK;
    const shown = Math.min(SIGNALS_PER_TASK, count);
    let shownWeight = 0;
    for (let index = 0; index < shown; index++) {
      const weight = topWeights[base + index]!;
      shownWeight += weight;
      contributions.push({
        name: SIGNAL_NAMES[featureKind(topFeatures[base + index]!)],
        task: TASK_KINDS[task]!,
        weight: round(weight),
        evidence: topEvidence[base + index]!,
      });
    }
    if (count > shown) {
      const quoted = topEvidence.slice(base + shown, base + Math.min(count, TRACKED_PER_TASK));
      contributions.push({
        name: "learned:other-words",
        task: TASK_KINDS[task]!,
        weight: round(Math.max(0, totals[task]! - shownWeight)),
        evidence: `${count - shown} more: ${quoted.join(", ")}`.slice(0, 80),
      });
    }
  }
  return contributions;
}

function outranks(weight: number, feature: string, otherWeight: number, otherFeature: string): boolean {
  return weight > otherWeight || (weight === otherWeight && feature < otherFeature);
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
