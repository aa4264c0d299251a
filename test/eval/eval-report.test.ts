/**
 * The evaluation report and the cost estimate on results worked out by hand: pass rates with
 * Wilson intervals that leave out results without a verdict, cost per accepted answer, the ladder
 * beside the flat paid aliases on the tasks all of them answered, the share of calls per tier; and
 * an estimate that prices paid rungs, the eval's judge and the worst case of a ladder.
 */
import { describe, expect, it } from "vitest";
import { builtInCatalog } from "../../src/budget/model-catalog.js";
import { parseConfigText } from "../../src/config/config-load.js";
import { estimateRun, expectedCallUsd, worstCaseCallUsd } from "../../src/planning/eval/eval-estimate.js";
import { formatEvalReport } from "../../src/planning/eval/eval-format.js";
import { evalReport } from "../../src/planning/eval/eval-report.js";
import { EVAL_SUITE } from "../../src/planning/eval/eval-suite.js";
import { wilsonInterval } from "../../src/planning/wilson-interval.js";
import { sampleEvalResult } from "../store/eval-store-suite.js";

const config = parseConfigText(undefined, "defaults", {});

describe("eval report", () => {
  const results = [
    // The ladder: two tasks; one escalated local -> Sonnet.
    sampleEvalResult({ target: "ladder", taskId: "a", path: ["local-coder"], costUsd: 0, verdict: "fail" }),
    sampleEvalResult({ target: "ladder", taskId: "b", path: ["local-coder", "cloud-sonnet"], costUsd: 0.02 }),
    // Flat Sonnet: both pass; task c had no verdict (no answer).
    sampleEvalResult({
      target: "cloud-sonnet",
      taskId: "a",
      path: ["cloud-sonnet"],
      costUsd: 0.01,
      answerAlias: "cloud-sonnet",
    }),
    sampleEvalResult({
      target: "cloud-sonnet",
      taskId: "b",
      path: ["cloud-sonnet"],
      costUsd: 0.01,
      answerAlias: "cloud-sonnet",
    }),
    sampleEvalResult({
      target: "cloud-sonnet",
      taskId: "c",
      verdict: "error",
      answerAlias: null,
      path: [],
      costUsd: 0,
    }),
    // Flat Opus answered only a.
    sampleEvalResult({
      target: "cloud-opus",
      taskId: "a",
      path: ["cloud-opus"],
      costUsd: 0.05,
      answerAlias: "cloud-opus",
    }),
    sampleEvalResult({ target: "cloud-opus", taskId: "b", verdict: "error", answerAlias: null, path: [] }),
  ];
  const report = evalReport(results, config);

  it("rates only results with a verdict, and charges every cost to the accepted answers", () => {
    const sonnet = report.totals.find((cell) => cell.target === "cloud-sonnet")!;
    expect(sonnet).toMatchObject({ tasks: 3, judged: 2, passed: 2, errors: 1 });
    expect(sonnet.passRate).toEqual(wilsonInterval(2, 2));
    expect(sonnet.costPerAcceptedUsd).toBeCloseTo(0.01, 10);
    const ladder = report.totals.find((cell) => cell.target === "ladder")!;
    expect(ladder.costPerAcceptedUsd).toBeCloseTo(0.02, 10);
    expect(report.totals.map((cell) => cell.target)).toEqual(["cloud-sonnet", "cloud-opus", "ladder"]);
  });

  it("compares the ladder with each flat paid alias on the tasks every one of them answered", () => {
    expect(report.comparison?.tasks).toBe(1);
    const [ladder, sonnet, opus] = report.comparison!.lines;
    expect(ladder).toMatchObject({ label: "ladder", callsPerTask: 1, tierShare: { 1: 1, 2: 0, 3: 0 } });
    expect(ladder!.cell).toMatchObject({ judged: 1, passed: 0, costPerAcceptedUsd: null });
    expect(sonnet!.label).toBe("all cloud-sonnet");
    expect(opus!.cell.costPerAcceptedUsd).toBeCloseTo(0.05, 10);
    const text = formatEvalReport(report);
    expect(text).toContain("The ladder against flat models, on the 1 task each of them answered:");
    expect(text).toMatch(/all cloud-opus\s+100% \(1\/1\)\s+21%–100%\s+\$0\.0500\s+\$0\.0500\s+5\.00×/);
  });

  it("counts tiers of every attempt on the ladder", () => {
    const both = evalReport(
      results
        .filter((result) => result.taskId === "b" && result.verdict !== "error")
        .concat(
          sampleEvalResult({
            target: "cloud-opus",
            taskId: "b",
            path: ["cloud-opus"],
            answerAlias: "cloud-opus",
          }),
        ),
      config,
    );
    const ladder = both.comparison!.lines[0]!;
    expect(ladder.callsPerTask).toBe(2);
    expect(ladder.tierShare).toEqual({ 1: 0.5, 2: 0.5, 3: 0 });
  });
});

describe("eval cost estimate", () => {
  const context = { config, catalog: builtInCatalog(), judgeAlias: "cloud-opus" };
  const code = EVAL_SUITE.find((task) => task.id === "codegen-js-chunk")!;
  const text = EVAL_SUITE.find((task) => task.id === "gaps-backups")!;

  it("prices paid rungs only, and the eval's judge only for judged text tasks", () => {
    expect(expectedCallUsd(code, "local-coder", context)).toBe(0);
    expect(expectedCallUsd(code, "cloud-sonnet", context)).toBeGreaterThan(0);
    expect(expectedCallUsd(text, "local-reasoner", context)).toBeGreaterThan(0);
    expect(expectedCallUsd(text, "local-reasoner", { ...context, judgeAlias: "local-coder" })).toBe(0);
  });

  it("bounds a ladder by every rung at max_tokens, above its expected cost", () => {
    const worst = worstCaseCallUsd(code, "ladder", context);
    // Sonnet and Opus each answering the full 1,000 tokens is at least 1,000 × ($15 + $25) per M.
    expect(worst).toBeGreaterThan(1_000 * (15 + 25) * 1e-6);
    expect(worst).toBeGreaterThan(expectedCallUsd(code, "ladder", context));
    const run = estimateRun([code, text], ["local-coder", "ladder"], context);
    expect(run.byTarget["local-coder"]!.worstUsd).toBeCloseTo(
      worstCaseCallUsd(text, "local-coder", context),
      10,
    );
    expect(run.worstUsd).toBeGreaterThan(run.expectedUsd);
  });
});
