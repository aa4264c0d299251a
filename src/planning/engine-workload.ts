/**
 * Workloads for the capacity planner: a replay of local requests from the ledger, or a synthetic
 * mix of the local task kinds with typical prompt and answer sizes, arriving as a Poisson stream
 * or all at once. Synthetic draws come from a seeded generator, so a run is repeatable.
 */

import type { RequestRecord } from "../store/ledger-store.js";
import { seededRandom } from "./seeded-random.js";

export interface SimulatedRequest {
  id: number;
  /** Seconds from the start of the run. */
  arrivalSeconds: number;
  model: string;
  task: string;
  promptTokens: number;
  outputTokens: number;
}

export interface TaskShape {
  task: string;
  /** Share of local requests. */
  share: number;
  /** Median prompt and answer sizes, in tokens (answers of reasoning models include their thinking). */
  promptTokens: number;
  outputTokens: number;
}

/** The local task kinds, their share of traffic and typical sizes (assumptions, see the README). */
export const DEFAULT_TASK_MIX: TaskShape[] = [
  { task: "code-generation", share: 0.2, promptTokens: 2_500, outputTokens: 600 },
  { task: "test-generation", share: 0.1, promptTokens: 3_000, outputTokens: 900 },
  { task: "lint", share: 0.08, promptTokens: 1_800, outputTokens: 250 },
  { task: "commit-message", share: 0.12, promptTokens: 900, outputTokens: 60 },
  { task: "refactoring", share: 0.1, promptTokens: 3_500, outputTokens: 1_000 },
  { task: "story-drafting", share: 0.08, promptTokens: 1_200, outputTokens: 1_500 },
  { task: "backlog-grooming", share: 0.07, promptTokens: 2_000, outputTokens: 1_200 },
  { task: "bug-hunting", share: 0.15, promptTokens: 3_500, outputTokens: 2_000 },
  { task: "elaboration", share: 0.1, promptTokens: 1_500, outputTokens: 1_500 },
];

/** Spread of sizes around the median (log-normal σ). */
const sizeSpread = 0.7;

export interface SyntheticOptions {
  /** The model a task starts on, or undefined for a task that is not local. */
  modelForTask: (task: string) => string | undefined;
  requestsPerHour: number;
  hours: number;
  seed: number;
  /** Everything arrives at once (a burst of `requestsPerHour × hours` requests). */
  burst?: boolean;
  mix?: TaskShape[];
  /** Prompts are cut to fit this context. */
  maxPromptTokens?: number;
}

export function syntheticWorkload(options: SyntheticOptions): SimulatedRequest[] {
  const random = seededRandom(options.seed);
  const mix = (options.mix ?? DEFAULT_TASK_MIX).filter((shape) => options.modelForTask(shape.task));
  const totalShare = mix.reduce((sum, shape) => sum + shape.share, 0);
  const count = Math.round(options.requestsPerHour * options.hours);
  const requests: SimulatedRequest[] = [];
  let clock = 0;
  for (let id = 0; id < count && mix.length > 0; id++) {
    // Poisson arrivals: exponential gaps with the given mean.
    if (!options.burst) clock += (-Math.log(1 - random()) * 3_600) / options.requestsPerHour;
    const shape = pickShape(mix, random() * totalShare);
    const promptTokens = Math.min(
      options.maxPromptTokens ?? 30_000,
      logNormal(random, shape.promptTokens, 32),
    );
    requests.push({
      id,
      arrivalSeconds: clock,
      model: options.modelForTask(shape.task)!,
      task: shape.task,
      promptTokens,
      outputTokens: logNormal(random, shape.outputTokens, 8),
    });
  }
  return requests;
}

/**
 * Local requests from the ledger, in arrival order, as they happened (`speedup` 2 replays them
 * twice as fast: the same work in half the time).
 */
export function ledgerWorkload(
  rows: RequestRecord[],
  localBackends: Set<string>,
  speedup = 1,
): SimulatedRequest[] {
  const local = rows
    .filter((row) => localBackends.has(row.backend) && row.status !== "error")
    .sort((left, right) => left.startedAt - right.startedAt);
  const start = local[0]?.startedAt ?? 0;
  return local.map((row, id) => ({
    id,
    arrivalSeconds: (row.startedAt - start) / 1000 / speedup,
    model: row.model,
    task: row.task,
    promptTokens: Math.max(1, row.inputTokens),
    outputTokens: Math.max(1, row.outputTokens),
  }));
}

/** The task whose slice of the cumulative shares holds `point`. */
function pickShape(mix: TaskShape[], point: number): TaskShape {
  let cumulative = 0;
  for (const shape of mix) {
    cumulative += shape.share;
    if (point <= cumulative) return shape;
  }
  return mix.at(-1)!;
}

function logNormal(random: () => number, median: number, minimum: number): number {
  // Box–Muller: one standard normal from two uniforms.
  const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Math.max(minimum, Math.round(median * Math.exp(sizeSpread * normal)));
}
