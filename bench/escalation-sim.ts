/**
 * The escalation ladder's cost and quality against flat Sonnet and flat Opus, by a model of gates
 * with a stated recall (`src/planning/escalation-simulation.ts`): a quick what-if, and the source of
 * the stated pass rates per tier. `npm run bench` reports the ladder's economics from the eval
 * suite instead (eval-economics.ts), where the gates are the real default gates. Deterministic
 * (seed 20250501), so the figures only change when an assumption does. The assumptions:
 *
 * - Mixes: the labelled routing set's task distribution (test/fixtures, ~uniform over 15 kinds),
 *   and a "workday" mix weighted toward mechanical work (below), 20,000 requests each.
 * - Ladders: the default config's (local → Sonnet → Opus; judgment tasks Sonnet → Opus; architecture
 *   and conflict resolution Opus alone); at most 2 hops.
 * - Pass probabilities per attempt: PASS_BY_TIER below (guesses from the reference setup's split,
 *   not measurements — `switchyard calibrate` measures the real ones).
 * - Gate: rejects 85% of bad answers and 3% of good ones. Judges are local, so free.
 * - Tokens per task: TOKENS below; an escalated attempt also reads the rejected answer plus 150
 *   tokens of findings. Prices: builtInCatalog() (Sonnet $3/$15, Opus $5/$25 per M tokens).
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { builtInCatalog } from "../src/budget/model-catalog.js";
import { parseConfigText } from "../src/config/config-load.js";
import { TASK_KINDS, type TaskKind } from "../src/config/task-kinds.js";
import {
  type SimulatedRung,
  type SimulationInput,
  type StrategyResult,
  simulateFlat,
  simulateLadder,
} from "../src/planning/escalation-simulation.js";
import { formatTable } from "../src/planning/report-table.js";
import { TaskRouter } from "../src/routing/task-router.js";

const SEED = 20250501;
const REQUESTS = 20_000;

/** [tier 1, tier 2, tier 3] probability that one attempt is a good answer. */
export const PASS_BY_TIER: Record<TaskKind, [number, number, number]> = {
  "code-generation": [0.7, 0.95, 0.97],
  "test-generation": [0.7, 0.95, 0.97],
  lint: [0.85, 0.96, 0.97],
  "commit-message": [0.92, 0.97, 0.98],
  refactoring: [0.7, 0.94, 0.97],
  "story-drafting": [0.8, 0.95, 0.97],
  "backlog-grooming": [0.8, 0.95, 0.97],
  "bug-hunting": [0.55, 0.9, 0.95],
  elaboration: [0.65, 0.94, 0.97],
  "gap-analysis": [0.45, 0.92, 0.96],
  "code-review": [0.4, 0.92, 0.96],
  "decision-gate": [0.5, 0.92, 0.96],
  "qa-verification": [0.5, 0.92, 0.96],
  architecture: [0.3, 0.8, 0.93],
  "conflict-resolution": [0.35, 0.85, 0.93],
};

/** Typical prompt and answer sizes in tokens. */
export const TOKENS: Record<TaskKind, { input: number; output: number }> = {
  "code-generation": { input: 2_500, output: 800 },
  "test-generation": { input: 2_500, output: 1_200 },
  lint: { input: 2_000, output: 400 },
  "commit-message": { input: 1_500, output: 100 },
  refactoring: { input: 3_000, output: 1_200 },
  "story-drafting": { input: 800, output: 700 },
  "backlog-grooming": { input: 2_000, output: 900 },
  "bug-hunting": { input: 4_000, output: 700 },
  elaboration: { input: 1_000, output: 900 },
  "gap-analysis": { input: 3_000, output: 900 },
  "code-review": { input: 5_000, output: 1_000 },
  "decision-gate": { input: 2_500, output: 500 },
  "qa-verification": { input: 3_000, output: 700 },
  architecture: { input: 4_000, output: 1_500 },
  "conflict-resolution": { input: 3_000, output: 1_000 },
};

/** A working day: mostly mechanical and drafting work, a little architecture (weights sum to 100). */
export const WORKDAY_MIX: Record<TaskKind, number> = {
  "code-generation": 20,
  "test-generation": 10,
  lint: 8,
  "commit-message": 12,
  refactoring: 8,
  "story-drafting": 4,
  "backlog-grooming": 3,
  "bug-hunting": 8,
  elaboration: 5,
  "gap-analysis": 4,
  "code-review": 8,
  "decision-gate": 3,
  "qa-verification": 4,
  architecture: 2,
  "conflict-resolution": 1,
};

export interface EscalationSimResult {
  mix: string;
  results: StrategyResult[];
}

export function runEscalationSim(): EscalationSimResult[] {
  const config = parseConfigText(undefined, "built-in defaults", {});
  const router = new TaskRouter(config);
  const ladders = Object.fromEntries(
    TASK_KINDS.map((task) => [
      task,
      router.ladderForTask(task).map(({ alias, tier, model }) => ({ alias, tier, model })),
    ]),
  ) as Record<TaskKind, SimulatedRung[]>;
  const rung = (alias: string): SimulatedRung => {
    const entry = config.aliases[alias]!;
    return { alias, tier: entry.tier, model: entry.model };
  };
  const mixes: Array<[string, Partial<Record<TaskKind, number>>]> = [
    ["workday mix", WORKDAY_MIX],
    ["labelled-set mix", labelledSetMix()],
  ];
  return mixes.map(([name, mix]) => {
    const input: SimulationInput = {
      mix,
      requests: REQUESTS,
      seed: SEED,
      ladders,
      passProbability: (task, tier) => PASS_BY_TIER[task][tier - 1]!,
      tokens: TOKENS,
      prices: builtInCatalog().models,
      maxHops: config.escalation.max_hops,
      gate: { recall: 0.85, falseReject: 0.03 },
      feedbackTokens: 150,
    };
    return {
      mix: name,
      results: [
        simulateLadder(input),
        simulateFlat(input, rung("cloud-sonnet"), "everything on Sonnet"),
        simulateFlat(input, rung("cloud-opus"), "everything on Opus"),
      ],
    };
  });
}

function labelledSetMix(): Partial<Record<TaskKind, number>> {
  const relative = "test/fixtures/routing-labelled-set.jsonl";
  const path = [fileURLToPath(new URL(`../${relative}`, import.meta.url)), resolve(relative)].find(
    existsSync,
  );
  if (!path) return Object.fromEntries(TASK_KINDS.map((task) => [task, 1]));
  const mix: Partial<Record<TaskKind, number>> = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    const task = (JSON.parse(line) as { task: TaskKind }).task;
    mix[task] = (mix[task] ?? 0) + 1;
  }
  return mix;
}

export function formatEscalationSim(results: EscalationSimResult[]): string {
  const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
  const sections = results.map(({ mix, results: strategies }) => {
    const sonnet = strategies[1]!;
    const rows = strategies.map((result) => [
      result.strategy,
      `$${(result.costPerAcceptedUsd * 1000).toFixed(2)}`,
      `${(result.costPerAcceptedUsd / sonnet.costPerAcceptedUsd).toFixed(2)}×`,
      percent(result.accepted / result.requests),
      percent(result.goodShare),
      percent(result.localShare),
      percent(result.opusCallShare),
      (result.calls / result.requests).toFixed(2),
    ]);
    return `${mix}, ${strategies[0]!.requests.toLocaleString("en-US")} requests:\n${formatTable(
      ["strategy", "$/1k accepted", "vs Sonnet", "accepted", "good", "local", "opus calls", "calls/req"],
      rows,
    )}`;
  });
  return `Escalation simulation (seed ${SEED}; pass rates and token sizes are stated assumptions)\n\n${sections.join("\n\n")}`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(formatEscalationSim(runEscalationSim()));
}
