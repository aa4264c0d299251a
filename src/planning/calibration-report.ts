/**
 * Calibration from outcomes: reads the ledger rows of a window and says, per task kind and alias,
 * how often gated answers passed (with a 95% Wilson interval), how often they were escalated, what
 * an accepted answer cost and what escalation cost (failed attempts plus judge calls). From that it
 * recommends where each task should start — but only on strong evidence: enough gated attempts and
 * a confidence bound past the threshold, not the raw ratio. Pure: rows and config in, report out.
 */
import { formatUsd } from "../budget/budget-money.js";
import type { SwitchyardConfig } from "../config/config-schema.js";
import { TASK_INDEX, TASK_KINDS, type TaskKind } from "../config/task-kinds.js";
import { TaskRouter } from "../routing/task-router.js";
import type { LedgerStore, RequestRecord } from "../store/ledger-store.js";
import { type RateInterval, wilsonInterval } from "./wilson-interval.js";

const DAY = 86_400_000;

export interface CalibrationSettings {
  minSamples: number;
  /** Lower 95% bound a cheaper alias must reach for the task to start there. */
  moveDownAt: number;
  /** Upper 95% bound below which the starting alias is judged too weak. */
  moveUpBelow: number;
}

export interface AliasStats {
  task: TaskKind;
  alias: string;
  tier: number;
  /** Whether the task starts on this alias in the current config. */
  isStart: boolean;
  gated: number;
  passed: number;
  passRate: RateInterval;
  escalated: number;
  escalationRate: number;
  /** Spent on this alias's attempts and on the judges that graded them. */
  costUsd: number;
  costPerAcceptedUsd: number | null;
  /** Summed latency of the failed attempts: the time a weak rung cost callers. */
  failedLatencyMs: number;
  failedCostUsd: number;
}

export interface TaskStats {
  task: TaskKind;
  startAlias: string;
  /** Requests (first attempts) in the window, and those whose final answer passed its gates. */
  requests: number;
  accepted: number;
  costUsd: number;
  costPerAcceptedUsd: number | null;
  escalations: number;
  /** Money on failed attempts plus every judge call. */
  escalationCostUsd: number;
  judgeCostUsd: number;
}

export interface TaskMove {
  task: TaskKind;
  fromAlias: string;
  toAlias: string;
}

export interface Recommendation {
  task: TaskKind;
  kind: "move-down" | "move-up" | "keep" | "not-enough-evidence";
  message: string;
  change?: TaskMove;
}

export interface OpusShareReport {
  calls: number;
  opusCalls: number;
  paidCalls: number;
  share: number;
  shareOfPaid: number;
  target: number;
}

export interface CalibrationReport {
  startMs: number;
  endMs: number;
  /** Days the rows actually span (at most the window): per-day figures divide by this. */
  days: number;
  aliases: AliasStats[];
  tasks: TaskStats[];
  recommendations: Recommendation[];
  opusShare: OpusShareReport;
}

export function calibrationSettings(config: SwitchyardConfig): CalibrationSettings {
  const calibration = config.escalation.calibration;
  return {
    minSamples: calibration.min_samples,
    moveDownAt: calibration.move_down_at,
    moveUpBelow: calibration.move_up_below,
  };
}

const DAY_MS = 86_400_000;

/** `calibrate` over the ledger's last `days` (the CLI's and the admin API's window). */
export async function recentCalibration(
  ledger: Pick<LedgerStore, "between">,
  config: SwitchyardConfig,
  window: { days: number; nowMs: number },
): Promise<CalibrationReport> {
  const endMs = window.nowMs;
  const startMs = endMs - window.days * DAY_MS;
  return calibrate(await ledger.between(startMs, endMs + 1), config, { startMs, endMs });
}

export function calibrate(
  rows: readonly RequestRecord[],
  config: SwitchyardConfig,
  window: { startMs: number; endMs: number },
  settings: CalibrationSettings = calibrationSettings(config),
): CalibrationReport {
  const attempts = rows.filter((row) => row.frontDoor !== "judge");
  const judges = rows.filter((row) => row.frontDoor === "judge");
  const chainOf = (row: RequestRecord) => row.parentId ?? row.id;
  const attemptKey = (chain: string, attempt: number) => `${chain}#${attempt}`;
  const attemptKeys = new Set(attempts.map((row) => attemptKey(chainOf(row), row.attempt)));
  const judgeCost = new Map<string, number>();
  for (const judge of judges) {
    const key = attemptKey(chainOf(judge), judge.attempt);
    judgeCost.set(key, (judgeCost.get(key) ?? 0) + judge.costUsd);
  }
  const firstRow = rows.reduce((first, row) => Math.min(first, row.startedAt), window.endMs);
  const days = Math.max(1, Math.min((window.endMs - window.startMs) / DAY, (window.endMs - firstRow) / DAY));

  const byAlias = new Map<string, AliasStats>();
  const statsFor = (row: RequestRecord): AliasStats => {
    const key = `${row.task}\u0000${row.alias}`;
    let stats = byAlias.get(key);
    if (!stats) {
      stats = {
        task: row.task as TaskKind,
        alias: row.alias,
        tier: row.tier,
        isStart: config.tasks[row.task as TaskKind]?.alias === row.alias,
        gated: 0,
        passed: 0,
        passRate: wilsonInterval(0, 0),
        escalated: 0,
        escalationRate: 0,
        costUsd: 0,
        costPerAcceptedUsd: null,
        failedLatencyMs: 0,
        failedCostUsd: 0,
      };
      byAlias.set(key, stats);
    }
    return stats;
  };
  for (const row of attempts) {
    if (row.gateVerdict === null) continue;
    const stats = statsFor(row);
    const key = attemptKey(chainOf(row), row.attempt);
    stats.gated++;
    stats.costUsd += row.costUsd + (judgeCost.get(key) ?? 0);
    if (row.gateVerdict === "pass") stats.passed++;
    else {
      stats.failedLatencyMs += row.latencyMs;
      stats.failedCostUsd += row.costUsd;
    }
    if (attemptKeys.has(attemptKey(chainOf(row), row.attempt + 1))) stats.escalated++;
  }
  for (const stats of byAlias.values()) {
    stats.passRate = wilsonInterval(stats.passed, stats.gated);
    stats.escalationRate = stats.gated === 0 ? 0 : stats.escalated / stats.gated;
    stats.costPerAcceptedUsd = stats.passed === 0 ? null : stats.costUsd / stats.passed;
  }

  const tasks = taskStats(rows, config, chainOf);
  const aliases = [...byAlias.values()].sort(
    (a, b) =>
      (TASK_INDEX.get(a.task) ?? -1) - (TASK_INDEX.get(b.task) ?? -1) ||
      a.tier - b.tier ||
      a.alias.localeCompare(b.alias),
  );
  const router = new TaskRouter(config);
  const recommendations = TASK_KINDS.filter((task) => config.tasks[task]).map((task) =>
    recommend(task, config, router, aliases, settings, days),
  );
  return {
    startMs: window.startMs,
    endMs: window.endMs,
    days,
    aliases,
    tasks,
    recommendations,
    opusShare: opusShare(rows, config.escalation.opus_share.target),
  };
}

function taskStats(
  rows: readonly RequestRecord[],
  config: SwitchyardConfig,
  chainOf: (row: RequestRecord) => string,
): TaskStats[] {
  const chains = new Map<string, RequestRecord[]>();
  for (const row of rows) {
    const chain = chains.get(chainOf(row));
    if (chain) chain.push(row);
    else chains.set(chainOf(row), [row]);
  }
  const stats = new Map<TaskKind, TaskStats>();
  for (const chain of chains.values()) {
    const attempts = chain.filter((row) => row.frontDoor !== "judge").sort((a, b) => a.attempt - b.attempt);
    const first = attempts[0];
    if (!first) continue;
    const task = first.task as TaskKind;
    let entry = stats.get(task);
    if (!entry) {
      entry = {
        task,
        startAlias: config.tasks[task]?.alias ?? first.alias,
        requests: 0,
        accepted: 0,
        costUsd: 0,
        costPerAcceptedUsd: null,
        escalations: 0,
        escalationCostUsd: 0,
        judgeCostUsd: 0,
      };
      stats.set(task, entry);
    }
    entry.requests++;
    if (attempts.some((row) => row.gateVerdict === "pass")) entry.accepted++;
    entry.escalations += attempts.length - 1;
    for (const row of chain) {
      entry.costUsd += row.costUsd;
      if (row.frontDoor === "judge") entry.judgeCostUsd += row.costUsd;
      if (row.frontDoor === "judge" || row.gateVerdict === "fail") entry.escalationCostUsd += row.costUsd;
    }
  }
  for (const entry of stats.values()) {
    entry.costPerAcceptedUsd = entry.accepted === 0 ? null : entry.costUsd / entry.accepted;
  }
  return [...stats.values()].sort((a, b) => (TASK_INDEX.get(a.task) ?? -1) - (TASK_INDEX.get(b.task) ?? -1));
}

function recommend(
  task: TaskKind,
  config: SwitchyardConfig,
  router: TaskRouter,
  aliases: readonly AliasStats[],
  settings: CalibrationSettings,
  days: number,
): Recommendation {
  const startAlias = config.tasks[task]!.alias;
  const startTier = config.aliases[startAlias]?.tier ?? 1;
  const forTask = aliases.filter((stats) => stats.task === task);
  const cheaper = forTask
    .filter((stats) => stats.tier < startTier && stats.gated >= settings.minSamples)
    .filter((stats) => stats.passRate.low >= settings.moveDownAt)
    .sort((a, b) => a.tier - b.tier || b.passRate.low - a.passRate.low)[0];
  if (cheaper) {
    return {
      task,
      kind: "move-down",
      message: `${task}: ${cheaper.alias} passed ${describeRate(cheaper)} — start it on tier ${cheaper.tier}`,
      change: { task, fromAlias: startAlias, toAlias: cheaper.alias },
    };
  }
  const start = forTask.find((stats) => stats.alias === startAlias);
  const gated = start?.gated ?? 0;
  if (!start || gated < settings.minSamples) {
    return {
      task,
      kind: "not-enough-evidence",
      message: `${task}: not enough evidence on ${startAlias} (n=${gated} < ${settings.minSamples})`,
    };
  }
  const next = router.ladderForTask(task)[1];
  if (start.passRate.high < settings.moveUpBelow && next) {
    const minutes = start.failedLatencyMs / 60_000 / days;
    const money = start.failedCostUsd / days;
    const waste = `${minutes.toFixed(1)} minutes${money > 0 ? ` and ${formatUsd(money)}` : ""} per day`;
    return {
      task,
      kind: "move-up",
      message: `${task}: ${startAlias} passed ${describeRate(start)} — starting on tier ${startTier} wastes ${waste}; start it on ${next.alias}`,
      change: { task, fromAlias: startAlias, toAlias: next.alias },
    };
  }
  return { task, kind: "keep", message: `${task}: keep ${startAlias} — passed ${describeRate(start)}` };
}

export function describeRate(stats: Pick<AliasStats, "gated" | "passRate">): string {
  const percent = (value: number) => Math.round(value * 100);
  return `${percent(stats.passRate.rate)}% of ${stats.gated} gated attempts (95% CI ${percent(stats.passRate.low)}–${percent(stats.passRate.high)}%)`;
}

function opusShare(rows: readonly RequestRecord[], target: number): OpusShareReport {
  const answered = rows.filter((row) => row.status === "ok");
  const calls = answered.length;
  const opusCalls = answered.filter((row) => row.tier === 3).length;
  const paidCalls = answered.filter((row) => row.tier >= 2).length;
  return {
    calls,
    opusCalls,
    paidCalls,
    share: calls === 0 ? 0 : opusCalls / calls,
    shareOfPaid: paidCalls === 0 ? 0 : opusCalls / paidCalls,
    target,
  };
}
