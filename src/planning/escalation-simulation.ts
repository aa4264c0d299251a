/**
 * A cost–quality simulation of the ladder: a task mix is replayed (seeded, so every run gives the
 * same figures) through "start low, gate, climb on a failed gate" and through the two flat
 * baselines, everything on Sonnet and everything on Opus, with the same imperfect gate judging all
 * three. Each attempt is good with a per-task, per-tier probability; the gate misses some bad
 * answers and rejects a few good ones. What comes out: cost per accepted answer, share of answers
 * that are truly good, share served locally, and Opus's share of calls. Pure; the bench states the
 * assumptions and prints the result.
 */

import type { ModelPrice } from "../budget/model-catalog.js";
import type { TaskKind } from "../config/task-kinds.js";
import { seededRandom } from "./seeded-random.js";

export interface SimulatedRung {
  alias: string;
  tier: 1 | 2 | 3;
  model: string;
}

export interface SimulationInput {
  /** Relative weight of each task kind in the mix. */
  mix: Partial<Record<TaskKind, number>>;
  requests: number;
  seed: number;
  ladders: Record<TaskKind, readonly SimulatedRung[]>;
  /** Probability that one attempt of this task on this tier is a good answer. */
  passProbability: (task: TaskKind, tier: 1 | 2 | 3) => number;
  tokens: Record<TaskKind, { input: number; output: number }>;
  /** Prices by model; models without a price (local) cost nothing. */
  prices: Readonly<Record<string, ModelPrice>>;
  maxHops: number;
  gate: {
    /** Share of bad answers the gate rejects. */
    recall: number;
    /** Share of good answers the gate wrongly rejects. */
    falseReject: number;
  };
  /** Tokens the findings and instructions add to an escalated request. */
  feedbackTokens: number;
}

export interface StrategyResult {
  strategy: string;
  requests: number;
  calls: number;
  escalations: number;
  costUsd: number;
  /** Final answers the gate accepted. */
  accepted: number;
  costPerAcceptedUsd: number;
  /** Final answers that were truly good (whatever the gate said). */
  goodShare: number;
  /** Final answers served by a tier-1 (local) model. */
  localShare: number;
  /** Calls (attempts) that went to tier 3. */
  opusCallShare: number;
}

/** The task of each simulated request, drawn by weight. */
export function drawTasks(mix: SimulationInput["mix"], count: number, random: () => number): TaskKind[] {
  const entries = Object.entries(mix).filter(([, weight]) => (weight ?? 0) > 0) as Array<[TaskKind, number]>;
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
  const tasks: TaskKind[] = [];
  for (let index = 0; index < count; index++) {
    let pick = random() * total;
    let chosen = entries.at(-1)![0];
    for (const [task, weight] of entries) {
      pick -= weight;
      if (pick < 0) {
        chosen = task;
        break;
      }
    }
    tasks.push(chosen);
  }
  return tasks;
}

/** The ladder: start on the task's first rung, climb while the gate rejects, up to maxHops. */
export function simulateLadder(input: SimulationInput): StrategyResult {
  return simulate(input, "ladder (start low, gate, climb)", (task) => input.ladders[task], input.maxHops);
}

/** Every request on one rung, gated but never escalated. */
export function simulateFlat(input: SimulationInput, rung: SimulatedRung, name: string): StrategyResult {
  return simulate(input, name, () => [rung], 0);
}

function simulate(
  input: SimulationInput,
  strategy: string,
  ladderFor: (task: TaskKind) => readonly SimulatedRung[],
  maxHops: number,
): StrategyResult {
  const random = seededRandom(input.seed);
  const tasks = drawTasks(input.mix, input.requests, random);
  let calls = 0;
  let opusCalls = 0;
  let escalations = 0;
  let costUsd = 0;
  let accepted = 0;
  let good = 0;
  let local = 0;
  for (const task of tasks) {
    const ladder = ladderFor(task);
    const tokens = input.tokens[task];
    let inputTokens = tokens.input;
    for (let rung = 0; rung < ladder.length; rung++) {
      const step = ladder[rung]!;
      calls++;
      if (step.tier === 3) opusCalls++;
      costUsd += callCost(input.prices[step.model], inputTokens, tokens.output);
      const isGood = random() < input.passProbability(task, step.tier);
      const rejected = isGood ? random() < input.gate.falseReject : random() < input.gate.recall;
      const canClimb = rung + 1 < ladder.length && rung < maxHops;
      if (!rejected || !canClimb) {
        if (!rejected) accepted++;
        if (isGood) good++;
        if (step.tier === 1) local++;
        break;
      }
      escalations++;
      // The next rung reads the original request, the rejected answer and the findings.
      inputTokens = tokens.input + tokens.output + input.feedbackTokens;
    }
  }
  const requests = tasks.length;
  return {
    strategy,
    requests,
    calls,
    escalations,
    costUsd,
    accepted,
    costPerAcceptedUsd: accepted === 0 ? 0 : costUsd / accepted,
    goodShare: requests === 0 ? 0 : good / requests,
    localShare: requests === 0 ? 0 : local / requests,
    opusCallShare: calls === 0 ? 0 : opusCalls / calls,
  };
}

function callCost(price: ModelPrice | undefined, inputTokens: number, outputTokens: number): number {
  if (!price) return 0;
  return inputTokens * price.inputUsdPerToken + outputTokens * price.outputUsdPerToken;
}
