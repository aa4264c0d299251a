/**
 * The economics of the ladder, from the evaluation suite: the real eval runner sends every task
 * through the real spine — routing, the default gates (syntax checks run for real, judges are
 * simulated models), escalation, the budget, the ledger — to simulated back ends that answer each
 * task with its right or its wrong answer at a stated pass rate per alias, and the eval's checkers
 * decide what was accepted. Out come cost per accepted answer for the ladder, all-Sonnet and
 * all-Opus at equal acceptance, and the share of calls per tier; then the same from the user's own
 * stored `switchyard eval` results, when there are any. Every assumption is printed beside the
 * figures. Seeded: the same figures on every run until an assumption changes.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import pino from "pino";
import { builtInCatalog } from "../src/budget/model-catalog.js";
import { loadConfig, parseConfigText } from "../src/config/config-load.js";
import type { SwitchyardConfig } from "../src/config/config-schema.js";
import type { TaskKind } from "../src/config/task-kinds.js";
import { startRuntime } from "../src/core/switchyard-runtime.js";
import { findToolchains } from "../src/escalation/toolchains.js";
import type { AnswerChecker, AnswerVerdict } from "../src/planning/eval/answer-check.js";
import { formatEvalReport } from "../src/planning/eval/eval-format.js";
import { type EvalReport, evalReport } from "../src/planning/eval/eval-report.js";
import { LADDER } from "../src/planning/eval/eval-request.js";
import { EvalRunner } from "../src/planning/eval/eval-runner.js";
import { EVAL_SUITE } from "../src/planning/eval/eval-suite.js";
import { findTranspiler } from "../src/planning/eval/typescript-transpile.js";
import { formatTable } from "../src/planning/report-table.js";
import type { EvalResultRecord } from "../src/store/eval-store.js";
import { databaseLocation, isPostgresUrl, openStores } from "../src/store/open-stores.js";
import { PASS_BY_TIER } from "./escalation-sim.js";
import { keyedDraw, SimulatedModels, type SimulationPolicy } from "./eval-sim-models.js";

export const ECONOMICS_SEED = "2025-05-01";
/**
 * Times the suite is run per strategy: 93 tasks × 2 rounds = 186 answers each. Most of the time
 * goes to the default gates' syntax checks, which really run (`tsc` above all); set
 * BENCH_EVAL_ROUNDS for tighter intervals.
 */
export const ROUNDS = Number(process.env.BENCH_EVAL_ROUNDS ?? 2);
/** A gate's local judge: share of wrong answers it catches, and of right answers it fails. */
export const GATE_JUDGE = { catches: 0.8, falselyFails: 0.1 };
const TARGETS = [LADDER, "cloud-sonnet", "cloud-opus"];

export interface EconomicsResult {
  rounds: number;
  report: EvalReport;
  seconds: number;
  /** From the user's stored results (last 30 days), when there are any. */
  stored?: { location: string; report: EvalReport };
}

/** The stated pass rate of one attempt of `task` on an alias of `tier` (PASS_BY_TIER). */
export function statedPassRate(task: TaskKind, tier: 1 | 2 | 3): number {
  return PASS_BY_TIER[task][tier - 1]!;
}

function policy(config: SwitchyardConfig, round: () => number): SimulationPolicy {
  const tierOf = (alias: string) => config.aliases[alias]?.tier ?? 1;
  return {
    answersRight: (task, alias, attempt) =>
      keyedDraw(ECONOMICS_SEED, round(), task.id, alias, attempt, "answer") <
      statedPassRate(task.kind, tierOf(alias)),
    judgeScore: (task, alias, right, gate) => {
      // The eval's own judge is the measuring stick: in the simulation it knows the right answer.
      if (!gate) return right ? 9 : 2;
      const draw = keyedDraw(ECONOMICS_SEED, round(), task.id, alias, right ? "right" : "wrong", "judge");
      if (right) return draw < GATE_JUDGE.falselyFails ? 4 : 8;
      return draw < GATE_JUDGE.catches ? 3 : 7;
    },
  };
}

/** The same answer to the same task gets the same verdict: its tests and rules run once. */
function memoised(checker: AnswerChecker): AnswerChecker {
  const verdicts = new Map<string, Promise<AnswerVerdict>>();
  return (task, answer) => {
    const key = `${task.id}\u0000${answer}`;
    let verdict = verdicts.get(key);
    if (!verdict) {
      verdict = checker(task, answer);
      verdicts.set(key, verdict);
    }
    return verdict;
  };
}

export async function runEvalEconomics(): Promise<EconomicsResult> {
  const started = performance.now();
  const directory = mkdtempSync(join(tmpdir(), "switchyard-eval-bench-"));
  const base = parseConfigText(undefined, "built-in defaults", {});
  let round = 0;
  const simulated = policy(base, () => round);
  const aliasOf = (model: string) =>
    Object.entries(base.aliases).find(([, entry]) => entry.model === model)?.[0] ?? model;
  const config = parseConfigText(
    [
      "backends:",
      "  engine: { base_url: 'http://127.0.0.1:9', warm: false, busy_retry: { attempts: 0 }, health: { poll_interval_ms: 0, failure_threshold: 1000000 } }",
      "  openrouter: { base_url: 'http://127.0.0.1:9/api/v1', api_key: sk-or-simulated }",
      `database: { url: '${join(directory, "ledger.db")}' }`,
      "budget:",
      "  monthly_usd: 100000",
      "  aliases: { cloud-sonnet: 100000, cloud-opus: 100000 }",
      "  key_check_interval_minutes: 0",
      `  catalog: { path: '${join(directory, "catalog.json")}', sync_on_start: false }`,
      "logging: { level: silent }",
    ].join("\n"),
    "eval bench",
    {},
  );
  const runtime = await startRuntime(config, {
    logger: pino({ level: "silent" }),
    env: { SWITCHYARD_HOME: directory },
    backends: new Map([
      ["engine", new SimulatedModels("engine", "ollama", aliasOf, simulated)],
      ["openrouter", new SimulatedModels("openrouter", "openai-compatible", aliasOf, simulated)],
    ]),
  });
  const results: EvalResultRecord[] = [];
  try {
    const runner = new EvalRunner({
      switchyard: runtime.switchyard,
      config,
      catalog: () => builtInCatalog(),
      toolchains: { node: process.execPath, python: findToolchains().python, transpile: findTranspiler() },
      judgeAlias: "cloud-opus",
      wrapChecker: memoised,
    });
    for (round = 1; round <= ROUNDS; round++) {
      const outcome = await runner.run({
        tasks: EVAL_SUITE,
        targets: TARGETS,
        maxUsd: Number.POSITIVE_INFINITY,
        parallel: 8,
      });
      results.push(...outcome.results);
    }
  } finally {
    await runtime.close();
    rmSync(directory, { recursive: true, force: true });
  }
  const stored = await storedResults();
  return {
    rounds: ROUNDS,
    report: evalReport(results, config),
    seconds: (performance.now() - started) / 1000,
    ...(stored ? { stored } : {}),
  };
}

/** The user's own results of the last 30 days, read without creating a database that is not there. */
async function storedResults(): Promise<EconomicsResult["stored"]> {
  try {
    const loaded = loadConfig({});
    const location = databaseLocation(loaded.config, loaded.env);
    if (!isPostgresUrl(location) && !existsSync(location)) return undefined;
    const stores = await openStores(location);
    try {
      const now = Date.now();
      const results = await stores.evals.between(now - 30 * 86_400_000, now + 1);
      if (results.length === 0) return undefined;
      return {
        location: isPostgresUrl(location) ? "PostgreSQL" : location,
        report: evalReport(results, loaded.config),
      };
    } finally {
      await stores.close();
    }
  } catch {
    return undefined;
  }
}

export function formatEvalEconomics(result: EconomicsResult): string {
  const comparison = result.report.comparison;
  const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
  const lines = [
    `Ladder economics from the eval suite (${EVAL_SUITE.length} tasks × ${result.rounds} rounds per strategy, seed ${ECONOMICS_SEED}, ${result.seconds.toFixed(0)} s)`,
    "",
  ];
  if (comparison) {
    const sonnet = comparison.lines.find((line) => line.target === "cloud-sonnet");
    lines.push(
      formatTable(
        [
          "strategy",
          "accepted",
          "95% CI",
          "$/1k accepted",
          "vs Sonnet",
          "calls/task",
          "calls on tier 1 / 2 / 3",
        ],
        comparison.lines.map((line) => [
          line.label,
          percent(line.cell.passRate.rate),
          `${percent(line.cell.passRate.low)}–${percent(line.cell.passRate.high)}`,
          line.cell.costPerAcceptedUsd === null
            ? "-"
            : `$${(line.cell.costPerAcceptedUsd * 1000).toFixed(2)}`,
          line.cell.costPerAcceptedUsd && sonnet?.cell.costPerAcceptedUsd
            ? `${(line.cell.costPerAcceptedUsd / sonnet.cell.costPerAcceptedUsd).toFixed(2)}×`
            : "-",
          line.callsPerTask.toFixed(2),
          [1, 2, 3].map((tier) => percent(line.tierShare[tier as 1 | 2 | 3])).join(" / "),
        ]),
      ),
    );
  }
  lines.push(
    "",
    "Assumptions behind these figures:",
    "- accepted: the eval's checkers passed the final answer — unit tests for code, rules and a judge for text.",
    "  In the simulation the eval's judge knows the right answer, so 'accepted' is 'truly right'.",
    "- $/accepted: all spent on the answers (every attempt, the gates' judges) ÷ accepted answers = the cost",
    "  of an accepted answer when failed ones are paid for and asked again: cost at equal acceptance.",
    "- Each attempt is right with the stated probability for its task kind and tier (PASS_BY_TIER in",
    "  bench/escalation-sim.ts: e.g. code generation 70% / 95% / 97% on tier 1 / 2 / 3); an escalated attempt",
    "  is no likelier to be right than a first one. These are guesses, not measurements: run switchyard eval.",
    "- Right and wrong answers are the suite's own, so token sizes are theirs; prices are the built-in list",
    "  (Sonnet $3/$15, Opus $5/$25 per M tokens); local models cost nothing (electricity is in `savings`).",
    `- Gates are the defaults: syntax checks on code (run for real: the suite's wrong code compiles, so they`,
    `  pass it), and a local judge on drafting and reasoning answers from tier 1, simulated to catch`,
    `  ${percent(GATE_JUDGE.catches)} of wrong answers and to fail ${percent(GATE_JUDGE.falselyFails)} of right ones. Judges on Sonnet and Opus answers: none.`,
    "- The ladder is the default task table with at most 2 climbs; the flat strategies pin every task to one",
    "  alias, gated the same way but never escalated.",
  );
  if (result.stored) {
    lines.push("", `From your stored switchyard eval results (${result.stored.location}, last 30 days):`, "");
    lines.push(formatEvalReport(result.stored.report).trimEnd());
  } else {
    lines.push(
      "",
      "No stored switchyard eval results found: run `switchyard eval` for figures from your own models.",
    );
  }
  return lines.join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(formatEvalEconomics(await runEvalEconomics()));
}
