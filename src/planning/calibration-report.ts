/**
 * Calibration from outcomes: reads the ledger rows and the `switchyard eval` results of a window and
 * says, per task kind and alias, how often judged answers passed (with a 95% Wilson interval), how
 * often they were escalated, what an accepted answer cost and what escalation cost (failed attempts
 * plus judge calls). From that it recommends where each task should start — but only on strong,
 * judged evidence: verdicts of an executable gate, a judge gate, or the eval's checkers; enough of
 * them; and a confidence bound past the threshold, not the raw ratio. An answer only the structural
 * checks passed says nothing about its quality: it is counted and shown, never used. Pure: rows,
 * results and config in, report out.
 */
import { formatUsd } from "../budget/budget-money.js";
import type { SwitchyardConfig } from "../config/config-schema.js";
import { TASK_INDEX, TASK_KINDS, type TaskKind } from "../config/task-kinds.js";
import { parseJsonOrUndefined } from "../protocol/safe-json.js";
import { TaskRouter } from "../routing/task-router.js";
import type { EvalResultRecord, EvalStore } from "../store/eval-store.js";
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

/** What a verdict that counts as evidence came from. */
export type EvidenceKind = "executable" | "judge" | "eval";

export type EvidenceCounts = Record<EvidenceKind, number>;

export interface AliasStats {
  task: TaskKind;
  alias: string;
  tier: number;
  /** Whether the task starts on this alias in the current config. */
  isStart: boolean;
  /** Answers with a judged verdict: an executable or judge gate's, or an eval checker's. */
  judged: number;
  passed: number;
  passRate: RateInterval;
  /** The judged answers by where their verdict came from. */
  evidence: EvidenceCounts;
  /** Answers only the structural checks passed: shown, never evidence of quality. */
  structuralOnly: number;
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
  /** The judged verdicts a move or a keep rests on, by kind. */
  evidence?: EvidenceCounts;
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

/** `calibrate` over the ledger's last `days` (the CLI's and the admin API's window). */
/** The last `days` of the ledger and of `switchyard eval`'s results, calibrated. */
export async function recentCalibration(
  sources: { ledger: Pick<LedgerStore, "between">; evals: Pick<EvalStore, "between"> },
  config: SwitchyardConfig,
  window: { days: number; nowMs: number },
): Promise<CalibrationReport> {
  const endMs = window.nowMs;
  const startMs = endMs - window.days * DAY;
  const [rows, evalResults] = await Promise.all([
    sources.ledger.between(startMs, endMs + 1),
    sources.evals.between(startMs, endMs + 1),
  ]);
  return calibrate(rows, config, { startMs, endMs }, evalResults);
}

export function calibrate(
  rows: readonly RequestRecord[],
  config: SwitchyardConfig,
  window: { startMs: number; endMs: number },
  evalResults: readonly EvalResultRecord[] = [],
  settings: CalibrationSettings = calibrationSettings(config),
): CalibrationReport {
  // The eval's own calls are measured through its results, not its ledger rows.
  const traffic = rows.filter((row) => !EVAL_DOORS.has(row.frontDoor));
  const evalChains = new Set(
    rows.filter((row) => EVAL_DOORS.has(row.frontDoor)).map((row) => row.parentId ?? row.id),
  );
  const served = traffic.filter((row) => !evalChains.has(row.parentId ?? row.id));
  const attempts = served.filter((row) => row.frontDoor !== "judge");
  const judges = served.filter((row) => row.frontDoor === "judge");
  const chainOf = (row: RequestRecord) => row.parentId ?? row.id;
  const attemptKey = (chain: string, attempt: number) => `${chain}#${attempt}`;
  const attemptKeys = new Set(attempts.map((row) => attemptKey(chainOf(row), row.attempt)));
  const judgeCost = new Map<string, number>();
  for (const judge of judges) {
    const key = attemptKey(chainOf(judge), judge.attempt);
    judgeCost.set(key, (judgeCost.get(key) ?? 0) + judge.costUsd);
  }
  const firstRow = served.reduce((first, row) => Math.min(first, row.startedAt), window.endMs);
  const days = Math.max(1, Math.min((window.endMs - window.startMs) / DAY, (window.endMs - firstRow) / DAY));

  const byAlias = new Map<string, AliasStats>();
  const statsFor = (task: string, alias: string, tier: number): AliasStats => {
    const key = `${task}\u0000${alias}`;
    let stats = byAlias.get(key);
    if (!stats) {
      stats = {
        task: task as TaskKind,
        alias,
        tier,
        isStart: config.tasks[task as TaskKind]?.alias === alias,
        judged: 0,
        passed: 0,
        passRate: wilsonInterval(0, 0),
        evidence: { executable: 0, judge: 0, eval: 0 },
        structuralOnly: 0,
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
    const stats = statsFor(row.task, row.alias, row.tier);
    const kind = evidenceOf(row, config);
    if (!kind) {
      stats.structuralOnly++;
      continue;
    }
    const key = attemptKey(chainOf(row), row.attempt);
    stats.judged++;
    stats.evidence[kind]++;
    stats.costUsd += row.costUsd + (judgeCost.get(key) ?? 0);
    if (row.gateVerdict === "pass") stats.passed++;
    else {
      stats.failedLatencyMs += row.latencyMs;
      stats.failedCostUsd += row.costUsd;
    }
    if (attemptKeys.has(attemptKey(chainOf(row), row.attempt + 1))) stats.escalated++;
  }
  // An alias measured alone by `switchyard eval`: the ladder's results judge the ladder, not a rung.
  for (const result of evalResults) {
    if (result.target === "ladder" || result.verdict === "error") continue;
    const tier = config.aliases[result.target]?.tier ?? result.answerTier ?? 0;
    const stats = statsFor(result.taskKind, result.target, tier);
    stats.judged++;
    stats.evidence.eval++;
    stats.costUsd += result.costUsd;
    if (result.verdict === "pass") stats.passed++;
  }
  for (const stats of byAlias.values()) {
    stats.passRate = wilsonInterval(stats.passed, stats.judged);
    stats.escalationRate = stats.judged === 0 ? 0 : stats.escalated / stats.judged;
    stats.costPerAcceptedUsd = stats.passed === 0 ? null : stats.costUsd / stats.passed;
  }

  const tasks = taskStats(served, config, chainOf);
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
    opusShare: opusShare(served, config.escalation.opus_share.target),
  };
}

/** Front doors of `switchyard eval`'s own calls. */
const EVAL_DOORS: ReadonlySet<string> = new Set(["eval", "eval-judge"]);

/**
 * Where a gated answer's verdict came from, when it is evidence of quality: a judge or an
 * executable gate that ran on it. An answer the structural checks rejected on a task that has such
 * a gate would have reached it (and failed it: an empty or cut-off answer passes nothing), so it
 * counts as that gate's failure; otherwise a structural verdict is no evidence (undefined).
 */
function evidenceOf(row: RequestRecord, config: SwitchyardConfig): Exclude<EvidenceKind, "eval"> | undefined {
  const detail = row.gateDetail ? parseJsonOrUndefined(row.gateDetail) : undefined;
  const gates = (detail as { gates?: unknown } | undefined)?.gates;
  const ran = Array.isArray(gates) ? gates : [];
  if (ran.includes("judge")) return "judge";
  if (ran.includes("executable")) return "executable";
  if (row.gateVerdict !== "fail") return undefined;
  const configured = config.gates[row.task as TaskKind];
  if (configured?.judge) return "judge";
  if (configured?.executable) return "executable";
  return undefined;
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
    .filter((stats) => stats.tier < startTier && stats.judged >= settings.minSamples)
    .filter((stats) => stats.passRate.low >= settings.moveDownAt)
    .sort((a, b) => a.tier - b.tier || b.passRate.low - a.passRate.low)[0];
  if (cheaper) {
    return {
      task,
      kind: "move-down",
      message: `${task}: ${cheaper.alias} passed ${describeRate(cheaper)} — start it on tier ${cheaper.tier}`,
      change: { task, fromAlias: startAlias, toAlias: cheaper.alias },
      evidence: cheaper.evidence,
    };
  }
  const start = forTask.find((stats) => stats.alias === startAlias);
  const judged = start?.judged ?? 0;
  if (!start || judged < settings.minSamples) {
    const structural = start?.structuralOnly ?? 0;
    const ignored = structural > 0 ? `; ${structural} structural-only verdicts are not evidence` : "";
    return {
      task,
      kind: "not-enough-evidence",
      message: `${task}: not enough judged evidence on ${startAlias} (n=${judged} < ${settings.minSamples}${ignored})`,
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
      evidence: start.evidence,
    };
  }
  return {
    task,
    kind: "keep",
    message: `${task}: keep ${startAlias} — passed ${describeRate(start)}`,
    evidence: start.evidence,
  };
}

export function describeRate(stats: Pick<AliasStats, "judged" | "passRate" | "evidence">): string {
  const percent = (value: number) => Math.round(value * 100);
  return `${percent(stats.passRate.rate)}% of ${stats.judged} judged answers (95% CI ${percent(stats.passRate.low)}–${percent(stats.passRate.high)}%; ${describeEvidence(stats.evidence)})`;
}

/** "40 eval, 12 judge": the kinds of verdict behind a figure. */
export function describeEvidence(evidence: EvidenceCounts): string {
  const kinds = (["eval", "executable", "judge"] as const).filter((kind) => evidence[kind] > 0);
  return kinds.length === 0 ? "none" : kinds.map((kind) => `${evidence[kind]} ${kind}`).join(", ");
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
