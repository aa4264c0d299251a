/**
 * The cost–quality simulation: deterministic for a seed, exact on cases that can be worked out by
 * hand, and the bench's stated assumptions give the ladder a lower cost per accepted answer than
 * flat Sonnet.
 */
import { describe, expect, it } from "vitest";
import { formatEscalationSim, runEscalationSim } from "../../bench/escalation-sim.js";
import { builtInCatalog } from "../../src/budget/model-catalog.js";
import { TASK_KINDS, type TaskKind } from "../../src/config/task-kinds.js";
import {
  drawTasks,
  type SimulatedRung,
  type SimulationInput,
  simulateFlat,
  simulateLadder,
} from "../../src/planning/escalation-simulation.js";
import { seededRandom } from "../../src/planning/seeded-random.js";

const local: SimulatedRung = { alias: "local-coder", tier: 1, model: "qwen2.5-coder:32b" };
const sonnet: SimulatedRung = { alias: "cloud-sonnet", tier: 2, model: "anthropic/claude-sonnet-4.5" };
const opus: SimulatedRung = { alias: "cloud-opus", tier: 3, model: "anthropic/claude-opus-4.6" };

function input(
  passByTier: [number, number, number],
  overrides: Partial<SimulationInput> = {},
): SimulationInput {
  const ladders = Object.fromEntries(TASK_KINDS.map((task) => [task, [local, sonnet, opus]])) as Record<
    TaskKind,
    SimulatedRung[]
  >;
  const tokens = Object.fromEntries(
    TASK_KINDS.map((task) => [task, { input: 1_000, output: 1_000 }]),
  ) as Record<TaskKind, { input: number; output: number }>;
  return {
    mix: { "code-generation": 1 },
    requests: 1_000,
    seed: 7,
    ladders,
    passProbability: (_task, tier) => passByTier[tier - 1]!,
    tokens,
    prices: builtInCatalog().models,
    maxHops: 2,
    gate: { recall: 1, falseReject: 0 },
    feedbackTokens: 0,
    ...overrides,
  };
}

describe("escalation simulation", () => {
  it("is deterministic for a seed", () => {
    const random = seededRandom(42);
    const first = [random(), random(), random()];
    const again = seededRandom(42);
    expect([again(), again(), again()]).toEqual(first);
    expect(
      drawTasks({ lint: 1, architecture: 3 }, 4_000, seededRandom(1)).filter((task) => task === "lint")
        .length,
    ).toBeGreaterThan(900);
    expect(simulateLadder(input([0.5, 0.9, 1]))).toEqual(simulateLadder(input([0.5, 0.9, 1])));
  });

  it("matches hand-worked cases with a perfect gate", () => {
    // Local always good: everything served locally, for nothing.
    expect(simulateLadder(input([1, 1, 1]))).toMatchObject({
      costUsd: 0,
      localShare: 1,
      accepted: 1_000,
      calls: 1_000,
    });
    // Local never good, Sonnet always: one Sonnet call per request reading 1,000 + 1,000 tokens.
    const viaSonnet = simulateLadder(input([0, 1, 1]));
    expect(viaSonnet).toMatchObject({
      localShare: 0,
      accepted: 1_000,
      calls: 2_000,
      escalations: 1_000,
      goodShare: 1,
    });
    expect(viaSonnet.costPerAcceptedUsd).toBeCloseTo(2_000 * 3e-6 + 1_000 * 15e-6, 10);
    // Nothing is ever good: three calls each, Opus on a third of them, nothing accepted.
    const hopeless = simulateLadder(input([0, 0, 0]));
    expect(hopeless).toMatchObject({ accepted: 0, calls: 3_000, goodShare: 0 });
    expect(hopeless.opusCallShare).toBeCloseTo(1 / 3, 10);
    // Flat Sonnet: one call, no escalation.
    const flat = simulateFlat(input([0, 0.5, 1]), sonnet, "flat");
    expect(flat.calls).toBe(1_000);
    expect(flat.escalations).toBe(0);
    expect(flat.accepted).toBeGreaterThan(400);
    expect(flat.accepted).toBeLessThan(600);
  });

  it("respects the hop limit", () => {
    expect(simulateLadder(input([0, 0, 1], { maxHops: 1 }))).toMatchObject({
      calls: 2_000,
      accepted: 0,
      opusCallShare: 0,
    });
  });

  it("under the bench's stated assumptions, the ladder costs less per accepted answer than flat Sonnet", () => {
    const [workday] = runEscalationSim();
    const [ladder, flatSonnet, flatOpus] = workday!.results;
    expect(ladder!.costPerAcceptedUsd).toBeLessThan(flatSonnet!.costPerAcceptedUsd);
    expect(flatSonnet!.costPerAcceptedUsd).toBeLessThan(flatOpus!.costPerAcceptedUsd);
    expect(ladder!.localShare).toBeGreaterThan(0.5);
    expect(formatEscalationSim(runEscalationSim())).toContain("everything on Opus");
  });
});
