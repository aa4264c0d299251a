/**
 * `switchyard eval`: runs the evaluation suite through each alias alone and through the ladder, on
 * this machine's Engine and key, and reports pass rates with 95% intervals, cost per accepted
 * answer, tokens and latency — the ladder beside all-Sonnet and all-Opus. Results are stored in the
 * ledger database, where `switchyard calibrate` reads them as judged evidence. It refuses to start
 * when the estimate is over `--max-usd` or the budget, and stops before passing `--max-usd`.
 */

import { catalogPath, loadCatalog } from "../budget/catalog-sync.js";
import type { SwitchyardConfig } from "../config/config-schema.js";
import { startRuntime } from "../core/switchyard-runtime.js";
import { SwitchyardError } from "../errors/switchyard-error.js";
import { findToolchains } from "../escalation/toolchains.js";
import type { EvalToolchains } from "../planning/eval/code-check.js";
import { estimateRun } from "../planning/eval/eval-estimate.js";
import { formatEvalReport, usd } from "../planning/eval/eval-format.js";
import { evalReport } from "../planning/eval/eval-report.js";
import { LADDER } from "../planning/eval/eval-request.js";
import { EvalRunner } from "../planning/eval/eval-runner.js";
import { EVAL_SUITE, SUITE_VERSION, selectTasks } from "../planning/eval/eval-suite.js";
import { type EvalTask, toolchainOf } from "../planning/eval/eval-task.js";
import { findTranspiler } from "../planning/eval/typescript-transpile.js";
import { formatTable } from "../planning/report-table.js";
import { Cancellation } from "../protocol/cancel-signal.js";
import type { EvalResultRecord } from "../store/eval-store.js";
import { databaseLocation, openStores } from "../store/open-stores.js";
import { CliFailure, loadCliConfig } from "./cli-context.js";
import { cliLogger } from "./cli-logger.js";

export interface EvalCommandOptions {
  alias?: string[];
  ladder?: boolean;
  task?: string[];
  limit?: string;
  maxUsd?: string;
  parallel?: string;
  judge?: string;
  json?: boolean;
  list?: boolean;
  last?: boolean;
  skipMissingToolchains?: boolean;
  config?: string;
}

/** `maxUsd` is always given: the command line fills in its default (eval-register.ts). */
export async function evalCommand(options: EvalCommandOptions & { maxUsd: string }): Promise<void> {
  const loaded = loadCliConfig(options.config);
  const { config, env } = loaded;
  if (options.list) return listTasks();
  if (options.last) return showLastRun(config, env, options.json ?? false);

  const limit = positiveInteger(options.limit, "--limit");
  const parallel = positiveInteger(options.parallel, "--parallel");
  const maxUsd = Number(options.maxUsd);
  if (!Number.isFinite(maxUsd) || maxUsd < 0)
    usage(`--max-usd must be a number of dollars, 0 or more; got "${options.maxUsd}"`);
  let tasks: EvalTask[];
  try {
    tasks = selectTasks({ names: list(options.task), ...(limit ? { limitPerKind: limit } : {}) });
  } catch (error) {
    if (error instanceof SwitchyardError) usage(`eval: ${error.message}`);
    throw error;
  }
  const targets = chooseTargets(config, list(options.alias), options.ladder ?? false);
  const judgeAlias = options.judge ?? strongestAlias(config);
  if (!config.aliases[judgeAlias])
    usage(`eval: --judge names no configured alias; use one of: ${Object.keys(config.aliases).join(", ")}`);

  const toolchains: EvalToolchains = {
    node: process.execPath,
    python: findToolchains().python,
    transpile: findTranspiler(),
  };
  tasks = runnableTasks(tasks, toolchains, options.skipMissingToolchains ?? false);

  const { catalog } = await loadCatalog({
    cachePath: catalogPath(config, env),
    allowSync: false,
    maxAgeMs: config.budget.catalog.max_age_hours * 3_600_000,
  });
  const estimate = estimateRun(tasks, targets, { config, catalog, judgeAlias });
  const size = `${plural(tasks.length, "task")} × ${plural(targets.length, "target")}`;
  if (estimate.expectedUsd > maxUsd) {
    usage(
      `eval: this run (${size}) is estimated at ${usd(estimate.expectedUsd)}, more than --max-usd ${usd(maxUsd)}: raise --max-usd, or narrow it with --task, --limit or --alias`,
    );
  }

  // Warnings as plain lines on stderr: stdout is the report (or its --json).
  const runtime = await startRuntime(config, { env, logger: cliLogger("warn") });
  const cancellation = new Cancellation();
  const stop = () => cancellation.abort();
  process.once("SIGINT", stop);
  try {
    const budget = await runtime.budget.status();
    if (estimate.expectedUsd > budget.effectiveRemainingUsd) {
      throw new CliFailure(
        `eval: the budget has ${usd(budget.effectiveRemainingUsd)} left this period and this run (${size}) is estimated at ${usd(estimate.expectedUsd)}; narrow it with --task, --limit or --alias`,
      );
    }
    process.stderr.write(
      `eval: ${size} (${targets.join(", ")}), judge ${judgeAlias}; estimated ${usd(estimate.expectedUsd)}, at most ${usd(estimate.worstUsd)}; stops at --max-usd ${usd(maxUsd)}\n`,
    );
    const runner = new EvalRunner({
      switchyard: runtime.switchyard,
      config,
      catalog: runtime.catalog,
      engines: runtime.engines,
      toolchains,
      judgeAlias,
      store: runtime.stores.evals,
    });
    const outcome = await runner.run({
      tasks,
      targets,
      maxUsd,
      parallel,
      signal: cancellation,
      onResult: (result, done, total) => process.stderr.write(progressLine(result, done, total)),
    });
    const report = evalReport(outcome.results, config);
    if (options.json) {
      const json = {
        runId: outcome.runId,
        suiteVersion: SUITE_VERSION,
        estimate,
        spentUsd: outcome.spentUsd,
        skipped: outcome.skipped,
        report,
      };
      process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    } else {
      process.stdout.write(formatEvalReport(report));
      for (const skipped of outcome.skipped)
        process.stdout.write(`${skipped.target}: ${skipped.count} tasks not run — ${skipped.reason}\n`);
      process.stdout.write(
        `Spent ${usd(outcome.spentUsd)}. Stored as run ${outcome.runId}; switchyard calibrate reads it.\n`,
      );
    }
    if (outcome.results.length > 0 && outcome.results.every((result) => result.answerAlias === null)) {
      throw new CliFailure(
        "eval: no task got an answer; see the errors above (is the Engine up, is OPENROUTER_API_KEY set?)",
      );
    }
  } finally {
    process.removeListener("SIGINT", stop);
    await runtime.close();
  }
}

/** Every alias (by tier) and the ladder, unless the options name some. */
function chooseTargets(config: SwitchyardConfig, aliases: string[], ladder: boolean): string[] {
  for (const alias of aliases) {
    if (!config.aliases[alias])
      usage(
        `eval: --alias "${alias}" is not a configured alias; use one of: ${Object.keys(config.aliases).join(", ")}`,
      );
  }
  if (aliases.length === 0 && !ladder) {
    const byTier = Object.keys(config.aliases).sort(
      (a, b) => config.aliases[a]!.tier - config.aliases[b]!.tier,
    );
    return [...byTier, LADDER];
  }
  return [...new Set(aliases), ...(ladder ? [LADDER] : [])];
}

/** The judge by default: the strongest configured alias (highest tier, first of a tier). */
function strongestAlias(config: SwitchyardConfig): string {
  return Object.keys(config.aliases).reduce((best, alias) =>
    config.aliases[alias]!.tier > config.aliases[best]!.tier ? alias : best,
  );
}

/** Tasks whose checker can run here; refuses, with one line, when some cannot and that was not allowed. */
function runnableTasks(tasks: EvalTask[], toolchains: EvalToolchains, skipMissing: boolean): EvalTask[] {
  const missing = new Map<string, number>();
  const runnable = tasks.filter((task) => {
    const needed = toolchainOf(task);
    const absent =
      (needed === "python3" && !toolchains.python) || (needed === "tsc" && !toolchains.transpile);
    if (absent) missing.set(needed!, (missing.get(needed!) ?? 0) + 1);
    return !absent;
  });
  if (missing.size === 0) return runnable;
  const tasksNeed = (count: number) => (count === 1 ? "1 task needs" : `${count} tasks need`);
  const named = [...missing].map(([tool, count]) =>
    tool === "python3"
      ? `${tasksNeed(count)} python3, which is not on PATH`
      : `${tasksNeed(count)} a TypeScript compiler (none beside Switchyard or on PATH: npm install -g typescript)`,
  );
  const message = `eval: ${named.join(", and ")}`;
  if (!skipMissing)
    throw new CliFailure(
      `${message}; install it, or pass --skip-missing-toolchains to leave those tasks out`,
    );
  process.stderr.write(`${message}; left out (--skip-missing-toolchains)\n`);
  if (runnable.length === 0) throw new CliFailure("eval: no task left to run");
  return runnable;
}

async function showLastRun(config: SwitchyardConfig, env: NodeJS.ProcessEnv, json: boolean): Promise<void> {
  const stores = await openStores(databaseLocation(config, env));
  let results: EvalResultRecord[] = [];
  try {
    const runId = await stores.evals.lastRunId();
    if (!runId) throw new CliFailure("eval: no stored results yet; run switchyard eval first");
    results = await stores.evals.run(runId);
  } finally {
    await stores.close();
  }
  const report = evalReport(results, config);
  process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : formatEvalReport(report));
}

function listTasks(): void {
  const rows = EVAL_SUITE.map((task) => [
    task.id,
    task.kind,
    task.check.type === "code" ? `tests (${task.check.language})` : checkedBy(task),
    task.title,
  ]);
  process.stdout.write(
    `${formatTable(["task", "kind", "checked by", "title"], rows)}\n${EVAL_SUITE.length} tasks, suite ${SUITE_VERSION}\n`,
  );
}

function checkedBy(task: EvalTask): string {
  if (task.check.type !== "text") return "tests";
  const parts = [...(task.check.rules?.length ? ["rules"] : []), ...(task.check.judge ? ["judge"] : [])];
  return parts.join(" + ");
}

function progressLine(result: EvalResultRecord, done: number, total: number): string {
  const cost = result.costUsd > 0 ? ` ${usd(result.costUsd)}` : "";
  return `[${done}/${total}] ${result.target} ${result.taskId}: ${result.verdict}${cost} ${(result.latencyMs / 1000).toFixed(1)} s\n`;
}

/** Comma-separated or repeated option values. */
function list(values: string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((value) => value.split(","))
    .map((value) => value.trim())
    .filter(Boolean);
}

function positiveInteger(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    usage(`${name} must be a whole number, 1 or more; got "${value}"`);
  return number;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function usage(message: string): never {
  throw new CliFailure(message, 2);
}
