/**
 * Calibration on a synthetic ledger whose answer is known: pass rates with Wilson bounds, escalation
 * and judge costs, the recommendations (move down, move up, keep, not enough evidence) resting only
 * on judged evidence — executable and judge gates, eval results — never on structural-only passes,
 * the Opus share — and the config edit that applies a move while keeping every comment.
 */
import { describe, expect, it } from "vitest";
import { parseConfigText } from "../../src/config/config-load.js";
import { formatCalibrationReport } from "../../src/planning/calibration-format.js";
import { calibrate } from "../../src/planning/calibration-report.js";
import { applyTaskMoves, unifiedDiff } from "../../src/planning/config-task-edit.js";
import { wilsonInterval } from "../../src/planning/wilson-interval.js";
import type { EvalResultRecord } from "../../src/store/eval-store.js";
import type { RequestRecord } from "../../src/store/ledger-store.js";
import { sampleEvalResult } from "../store/eval-store-suite.js";
import { sampleRecord } from "../store/ledger-suite.js";

const DAY = 86_400_000;
const endMs = Date.UTC(2025, 5, 30);
const startMs = endMs - 7 * DAY;

const ALIASES = {
  "local-coder": { tier: 1, model: "qwen2.5-coder:32b", backend: "engine" },
  "local-reasoner": { tier: 1, model: "deepseek-r1:32b", backend: "engine" },
  "cloud-sonnet": { tier: 2, model: "anthropic/claude-sonnet-4.5", backend: "openrouter" },
  "cloud-opus": { tier: 3, model: "anthropic/claude-opus-4.6", backend: "openrouter" },
} as const;

let sequence = 0;
/** A gated attempt; its verdict came from a judge unless `gates` says otherwise. */
function attempt(
  task: string,
  alias: keyof typeof ALIASES,
  verdict: "pass" | "fail" | null,
  extra: Partial<RequestRecord> = {},
  gates: readonly string[] = ["structural", "judge"],
) {
  const { tier, model, backend } = ALIASES[alias];
  sequence++;
  return sampleRecord({
    gateDetail: verdict === null ? null : JSON.stringify({ gates, findings: [], ms: 1 }),
    id: `row-${sequence}`,
    // Spread over the whole week, so per-day figures divide by 7.
    startedAt: startMs + ((sequence * 7_919) % (7 * DAY)),
    task,
    alias,
    tier,
    model,
    backend,
    gateVerdict: verdict,
    latencyMs: 60_000,
    costUsd: tier === 1 ? 0 : 0.01,
    ...extra,
  });
}

function repeat(count: number, make: (index: number) => RequestRecord[]): RequestRecord[] {
  return Array.from({ length: count }, (_, index) => make(index)).flat();
}

// code-review starts on local-coder here, so its weak pass rate is a move up.
const config = parseConfigText("tasks:\n  code-review: { alias: local-coder }\n", "test", {});

function syntheticLedger(): RequestRecord[] {
  return [
    // gap-analysis tried on local-reasoner (pinned): 170 of 180 pass → move down to tier 1.
    ...repeat(180, (index) => [attempt("gap-analysis", "local-reasoner", index < 170 ? "pass" : "fail")]),
    // code-review on local-coder: 12 of 40 pass; each failure escalates to Sonnet, which passes.
    ...repeat(40, (index) => {
      if (index < 12) return [attempt("code-review", "local-coder", "pass")];
      const first = attempt("code-review", "local-coder", "fail");
      return [first, attempt("code-review", "cloud-sonnet", "pass", { parentId: first.id, attempt: 2 })];
    }),
    // lint: only 12 answers, checked by the executable gate.
    ...repeat(12, () => [attempt("lint", "local-coder", "pass", {}, ["structural", "executable"])]),
    // commit-message: 48 of 50 pass, each graded by a paid judge.
    ...repeat(50, (index) => {
      const answer = attempt("commit-message", "local-coder", index < 48 ? "pass" : "fail");
      const judge = attempt("commit-message", "cloud-sonnet", null, {
        frontDoor: "judge",
        parentId: answer.id,
        costUsd: 0.002,
      });
      return [answer, judge];
    }),
    // architecture on Opus, ungated; one refused by the budget (an error row, not a call).
    ...repeat(10, () => [attempt("architecture", "cloud-opus", null)]),
    attempt("architecture", "cloud-opus", null, { status: "error", budgetAction: "rejected", costUsd: 0 }),
  ];
}

describe("Wilson interval", () => {
  it("matches the textbook values and stays inside 0..1", () => {
    const interval = wilsonInterval(170, 180);
    expect(interval.rate).toBeCloseTo(0.9444, 4);
    expect(interval.low).toBeCloseTo(0.9008, 3);
    expect(interval.high).toBeCloseTo(0.9696, 3);
    expect(wilsonInterval(0, 10).low).toBe(0);
    expect(wilsonInterval(10, 10).high).toBeCloseTo(1, 10);
    expect(wilsonInterval(10, 10).low).toBeCloseTo(0.7225, 3);
    expect(wilsonInterval(0, 0)).toEqual({ rate: 0, low: 0, high: 1 });
  });
});

describe("calibrate", () => {
  const report = calibrate(syntheticLedger(), config, { startMs, endMs });
  const recommendation = (task: string) => report.recommendations.find((entry) => entry.task === task)!;
  const stats = (task: string, alias: string) =>
    report.aliases.find((entry) => entry.task === task && entry.alias === alias)!;

  it("computes pass rates, escalation rates and costs per task and alias", () => {
    expect(stats("gap-analysis", "local-reasoner")).toMatchObject({
      judged: 180,
      passed: 170,
      isStart: false,
      evidence: { judge: 180, executable: 0, eval: 0 },
      structuralOnly: 0,
    });
    const review = stats("code-review", "local-coder");
    expect(review).toMatchObject({
      judged: 40,
      passed: 12,
      escalated: 28,
      escalationRate: 0.7,
      isStart: true,
    });
    expect(review.failedLatencyMs).toBe(28 * 60_000);
    expect(stats("code-review", "cloud-sonnet")).toMatchObject({ judged: 28, passed: 28, escalated: 0 });
    expect(stats("code-review", "cloud-sonnet").costPerAcceptedUsd).toBeCloseTo(0.01, 10);
    // Judge calls are charged to the answers they graded, not counted as attempts.
    const commit = stats("commit-message", "local-coder");
    expect(commit.judged).toBe(50);
    expect(commit.costUsd).toBeCloseTo(50 * 0.002, 10);
    expect(commit.costPerAcceptedUsd).toBeCloseTo((50 * 0.002) / 48, 10);
    const commitTask = report.tasks.find((task) => task.task === "commit-message")!;
    expect(commitTask).toMatchObject({ requests: 50, accepted: 48, escalations: 0 });
    expect(commitTask.judgeCostUsd).toBeCloseTo(0.1, 10);
    expect(commitTask.escalationCostUsd).toBeCloseTo(0.1, 10);
    const reviewTask = report.tasks.find((task) => task.task === "code-review")!;
    expect(reviewTask).toMatchObject({ requests: 40, accepted: 40, escalations: 28 });
    expect(reviewTask.costPerAcceptedUsd).toBeCloseTo((28 * 0.01) / 40, 10);
    expect(report.days).toBeCloseTo(7, 1);
  });

  it("recommends moves only on strong evidence, and says so otherwise", () => {
    expect(recommendation("gap-analysis")).toEqual({
      task: "gap-analysis",
      kind: "move-down",
      message:
        "gap-analysis: local-reasoner passed 94% of 180 judged answers (95% CI 90–97%; 180 judge) — start it on tier 1",
      change: { task: "gap-analysis", fromAlias: "cloud-sonnet", toAlias: "local-reasoner" },
      evidence: { executable: 0, judge: 180, eval: 0 },
    });
    const review = recommendation("code-review");
    expect(review.kind).toBe("move-up");
    // 28 failed attempts × 1 minute over 7 days.
    expect(review.message).toBe(
      "code-review: local-coder passed 30% of 40 judged answers (95% CI 18–45%; 40 judge) — starting on tier 1 wastes 4.0 minutes per day; start it on cloud-sonnet",
    );
    expect(review.change).toEqual({ task: "code-review", fromAlias: "local-coder", toAlias: "cloud-sonnet" });
    expect(recommendation("lint")).toMatchObject({
      kind: "not-enough-evidence",
      message: "lint: not enough judged evidence on local-coder (n=12 < 30)",
    });
    expect(recommendation("commit-message").kind).toBe("keep");
    expect(recommendation("refactoring").message).toBe(
      "refactoring: not enough judged evidence on local-coder (n=0 < 30)",
    );
  });

  it("does not move down on a high raw ratio with a weak bound", () => {
    const few = repeat(30, (index) => [
      attempt("decision-gate", "local-reasoner", index < 27 ? "pass" : "fail"),
    ]);
    const result = calibrate(few, config, { startMs, endMs });
    // 90% raw, but the lower bound is 74%.
    expect(result.recommendations.find((entry) => entry.task === "decision-gate")?.kind).toBe(
      "not-enough-evidence",
    );
  });

  it("reports the Opus share of all calls and of paid ones", () => {
    const calls = 180 + 40 + 28 + 12 + 100 + 10;
    expect(report.opusShare).toMatchObject({ calls, opusCalls: 10, paidCalls: 28 + 50 + 10, target: 0.05 });
    expect(report.opusShare.share).toBeCloseTo(10 / calls, 10);
    const text = formatCalibrationReport(report);
    expect(text).toContain("→ gap-analysis: local-reasoner passed 94%");
    expect(text).toContain(`Opus share: 3% of ${calls} calls (11% of 88 paid), within the 5% target`);
  });
});

describe("calibration rests on judged evidence only", () => {
  it("never moves a task on structural-only passes: 'the answer was not empty' says nothing of its quality", () => {
    // A month of architecture pinned to Sonnet, gated by the structural checks alone: every one passed.
    const structural = repeat(200, () => [
      attempt("architecture", "cloud-sonnet", "pass", {}, ["structural"]),
    ]);
    const result = calibrate(structural, config, { startMs, endMs });
    const sonnet = result.aliases.find(
      (entry) => entry.task === "architecture" && entry.alias === "cloud-sonnet",
    )!;
    expect(sonnet).toMatchObject({
      judged: 0,
      structuralOnly: 200,
      evidence: { executable: 0, judge: 0, eval: 0 },
    });
    expect(result.recommendations.find((entry) => entry.task === "architecture")).toMatchObject({
      kind: "not-enough-evidence",
      message: "architecture: not enough judged evidence on cloud-opus (n=0 < 30)",
    });
    expect(result.recommendations.some((entry) => entry.change)).toBe(false);
    const text = formatCalibrationReport(result);
    expect(text).toMatch(/architecture\s+cloud-sonnet\s+2\s+0\s+-\s+-\s+none\s+200/);
    expect(text).toContain("structural only: answers only the structural checks passed");
    // Structural verdicts on the starting alias are named, and still not counted.
    const onStart = repeat(40, () => [attempt("lint", "local-coder", "pass", {}, ["structural"])]);
    expect(
      calibrate(onStart, parseConfigText("gates:\n  lint: { executable: false }\n", "t", {}), {
        startMs,
        endMs,
      }).recommendations.find((entry) => entry.task === "lint")?.message,
    ).toBe(
      "lint: not enough judged evidence on local-coder (n=0 < 30; 40 structural-only verdicts are not evidence)",
    );
  });

  it("counts a structural failure on a task with a dearer gate as that gate's failure", () => {
    // story-drafting is judged by the other local model by default; an empty answer never reached it.
    const rows = [
      ...repeat(20, () => [attempt("story-drafting", "local-reasoner", "pass")]),
      ...repeat(20, () => [attempt("story-drafting", "local-reasoner", "fail", {}, ["structural"])]),
      // commit-message has no dearer gate: its structural failures are not evidence either way.
      ...repeat(20, () => [attempt("commit-message", "local-coder", "fail", {}, ["structural"])]),
    ];
    const result = calibrate(rows, config, { startMs, endMs });
    const story = result.aliases.find((entry) => entry.task === "story-drafting")!;
    expect(story).toMatchObject({ judged: 40, passed: 20, evidence: { judge: 40 }, structuralOnly: 0 });
    const commit = result.aliases.find((entry) => entry.task === "commit-message")!;
    expect(commit).toMatchObject({ judged: 0, structuralOnly: 20 });
  });

  it("takes eval results for an alias measured alone as evidence, and says which evidence a move rests on", () => {
    const results: EvalResultRecord[] = [
      ...Array.from({ length: 40 }, () =>
        sampleEvalResult({
          taskKind: "gap-analysis",
          target: "local-reasoner",
          answerTier: 1,
          verdict: "pass",
          startedAt: startMs + DAY,
        }),
      ),
      // The ladder's results judge the ladder, not a rung; results without a verdict are no evidence.
      ...Array.from({ length: 30 }, () =>
        sampleEvalResult({
          taskKind: "gap-analysis",
          target: "ladder",
          answerAlias: "local-reasoner",
          verdict: "fail",
        }),
      ),
      sampleEvalResult({
        taskKind: "gap-analysis",
        target: "local-reasoner",
        verdict: "error",
        answerAlias: null,
      }),
    ];
    const judged = repeat(10, () => [
      attempt("gap-analysis", "local-reasoner", "pass", {}, ["structural", "judge"]),
    ]);
    const result = calibrate(judged, config, { startMs, endMs }, results);
    expect(result.recommendations.find((entry) => entry.task === "gap-analysis")).toEqual({
      task: "gap-analysis",
      kind: "move-down",
      message:
        "gap-analysis: local-reasoner passed 100% of 50 judged answers (95% CI 93–100%; 40 eval, 10 judge) — start it on tier 1",
      change: { task: "gap-analysis", fromAlias: "cloud-sonnet", toAlias: "local-reasoner" },
      evidence: { executable: 0, judge: 10, eval: 40 },
    });
  });

  it("leaves the eval's own ledger rows out of traffic figures and the Opus share", () => {
    const evalCall = attempt("architecture", "cloud-opus", "pass", { frontDoor: "eval" });
    const evalJudge = attempt("architecture", "cloud-opus", null, { frontDoor: "eval-judge" });
    const gateJudge = attempt("architecture", "cloud-opus", null, {
      frontDoor: "judge",
      parentId: evalCall.id,
    });
    const real = attempt("code-generation", "local-coder", "pass", {}, ["structural", "executable"]);
    const result = calibrate([evalCall, evalJudge, gateJudge, real], config, { startMs, endMs });
    expect(result.opusShare).toMatchObject({ calls: 1, opusCalls: 0 });
    expect(result.tasks.map((task) => task.task)).toEqual(["code-generation"]);
    expect(result.aliases.map((stats) => [stats.task, stats.alias])).toEqual([
      ["code-generation", "local-coder"],
    ]);
  });
});

describe("applying a move to the config file", () => {
  const original = [
    "# Switchyard on the Brain — edited by hand, keep these notes",
    "server:",
    "  port: 9000   # the LAN port",
    "",
    "tasks:",
    "  # judgment work",
    "  gap-analysis: { alias: cloud-sonnet }  # revisit after calibration",
    "  code-review:",
    "    alias: local-coder   # experiment",
    "",
  ].join("\n");

  it("changes only the aliases and keeps every other byte", () => {
    const updated = applyTaskMoves(original, [
      { task: "gap-analysis", fromAlias: "cloud-sonnet", toAlias: "local-reasoner" },
      { task: "code-review", fromAlias: "local-coder", toAlias: "cloud-sonnet" },
    ]);
    for (const comment of [
      "# Switchyard on the Brain — edited by hand, keep these notes",
      "# the LAN port",
      "# judgment work",
      "# revisit after calibration",
      "# experiment",
    ]) {
      expect(updated).toContain(comment);
    }
    expect(updated).toBe(
      original
        .replace("{ alias: cloud-sonnet }", "{ alias: local-reasoner }")
        .replace("alias: local-coder   # experiment", "alias: cloud-sonnet   # experiment"),
    );
    const parsed = parseConfigText(updated, "updated", {});
    expect(parsed.tasks["gap-analysis"].alias).toBe("local-reasoner");
    expect(parsed.tasks["code-review"].alias).toBe("cloud-sonnet");
    expect(parsed.server.port).toBe(9000);
  });

  it("adds a task the file does not mention, or a tasks section when it has none", () => {
    const moveLint = [{ task: "lint" as const, fromAlias: "local-coder", toAlias: "cloud-sonnet" }];
    expect(applyTaskMoves("server:\n  port: 9000   # mine\n", moveLint)).toBe(
      "server:\n  port: 9000   # mine\ntasks:\n  lint: { alias: cloud-sonnet }\n",
    );
    expect(applyTaskMoves(original, moveLint)).toContain(
      "tasks:\n  # judgment work\n  lint: { alias: cloud-sonnet }\n  gap-analysis: { alias: cloud-sonnet }  # revisit",
    );
    // A flow-style section cannot take a new line; re-serialising still keeps the comments.
    const flow = applyTaskMoves("# mine\ntasks: { refactoring: { alias: local-coder } }  # flow\n", moveLint);
    expect(flow).toContain("# mine");
    expect(parseConfigText(flow, "flow", {}).tasks.lint.alias).toBe("cloud-sonnet");
  });

  it("shows a unified diff of the change", () => {
    const updated = applyTaskMoves(original, [
      { task: "gap-analysis", fromAlias: "cloud-sonnet", toAlias: "local-reasoner" },
    ]);
    const diff = unifiedDiff("switchyard.yaml", original, updated);
    expect(diff).toContain("--- switchyard.yaml\n+++ switchyard.yaml (calibrated)\n@@ -4,7 +4,7 @@\n");
    expect(diff).toContain("-  gap-analysis: { alias: cloud-sonnet }  # revisit after calibration\n");
    expect(diff).toContain("+  gap-analysis: { alias: local-reasoner }  # revisit after calibration\n");
    expect(diff.split("\n").filter((line) => /^[-+] /.test(line))).toHaveLength(2);
    expect(unifiedDiff("x", original, original)).toBe("");
  });
});
