/**
 * The eval runner end to end on the spine (real runtime, gates, budget and SQLite ledger; scripted
 * in-memory back ends answering each task with its right or wrong answer): an alias measured alone
 * never falls back or escalates; the tests of a code task fail a wrong answer the syntax gate let
 * through and pass a right one; on the ladder a gate's failure climbs and the eval checks the final
 * answer; a local judge scores text tasks; every result is stored and linked to its ledger rows;
 * `--max-usd` and the budget stop a run before it overspends.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type SimulationPolicy, simulatedReply } from "../../bench/eval-sim-models.js";
import type { BackendCall } from "../../src/backends/backend.js";
import { SwitchyardError } from "../../src/errors/switchyard-error.js";
import { findToolchains } from "../../src/escalation/toolchains.js";
import { EvalRunner, type EvalRunnerOptions } from "../../src/planning/eval/eval-runner.js";
import { EVAL_SUITE } from "../../src/planning/eval/eval-suite.js";
import type { EvalTask } from "../../src/planning/eval/eval-task.js";
import { findTranspiler } from "../../src/planning/eval/typescript-transpile.js";
import type { ScriptedAnswer } from "../helpers/scripted-backend.js";
import { type Spine, startSpine } from "../helpers/spine-harness.js";

const task = (id: string): EvalTask => EVAL_SUITE.find((candidate) => candidate.id === id)!;
const ALIAS_OF_MODEL: Record<string, string> = {
  "qwen2.5-coder:32b": "local-coder",
  "deepseek-r1:32b": "local-reasoner",
  "anthropic/claude-sonnet-4.5": "cloud-sonnet",
  "anthropic/claude-opus-4.6": "cloud-opus",
};

/** Right answers for the ids in `right`, wrong ones otherwise; judges score right answers 9, others 3. */
function policy(right: ReadonlySet<string>, overrides: Partial<SimulationPolicy> = {}): SimulationPolicy {
  return {
    answersRight: (answered) => right.has(answered.id),
    judgeScore: (_task, _alias, isRight) => (isRight ? 9 : 3),
    ...overrides,
  };
}

function scripted(choose: SimulationPolicy): (call: BackendCall) => ScriptedAnswer {
  return (call) => ({
    kind: "reply",
    text: simulatedReply(call.request, ALIAS_OF_MODEL[call.model]!, choose),
  });
}

let spine: Spine | undefined;
afterEach(async () => {
  await spine?.close();
  spine = undefined;
});

async function startEval(
  configYaml: string,
  choose: SimulationPolicy,
  options: Partial<EvalRunnerOptions> = {},
) {
  spine = await startSpine(configYaml, { engine: scripted(choose), openRouter: scripted(choose) });
  const { runtime } = spine;
  const runner = new EvalRunner({
    switchyard: runtime.switchyard,
    config: runtime.config,
    catalog: runtime.catalog,
    engines: runtime.engines,
    toolchains: { node: process.execPath, python: findToolchains().python, transpile: findTranspiler() },
    judgeAlias: "cloud-opus",
    store: runtime.stores.evals,
    ...options,
  });
  return { spine, runner };
}

describe("eval runner on the spine", () => {
  it("measures an alias alone: tests pass the right answer and fail the wrong one the syntax gate let through", async () => {
    const tasks = [task("codegen-js-chunk"), task("codegen-py-roman")];
    const { spine, runner } = await startEval("", policy(new Set(["codegen-js-chunk"])));
    const outcome = await runner.run({ tasks, targets: ["local-coder"], maxUsd: 1 });

    const byId = new Map(outcome.results.map((result) => [result.taskId, result]));
    expect(byId.get("codegen-js-chunk")).toMatchObject({
      verdict: "pass",
      evidence: "executable",
      answerAlias: "local-coder",
    });
    const roman = byId.get("codegen-py-roman")!;
    expect(roman).toMatchObject({ verdict: "fail", evidence: "executable", path: ["local-coder"] });
    expect(roman.detail).toContain("the tests failed");
    expect(roman.detail).toContain("IIII");
    // Pinned: the failed answer was neither escalated nor sent anywhere else.
    expect(roman.escalations).toBe(0);
    expect(spine.openRouter.calls).toHaveLength(0);

    const rows = await spine.rows();
    const row = rows.find((candidate) => candidate.id === roman.requestId)!;
    expect(row).toMatchObject({
      frontDoor: "eval",
      task: "code-generation",
      alias: "local-coder",
      parentId: null,
    });
    // The default gate compiled the wrong code and passed it: only the tests could tell.
    expect(row.gateVerdict).toBe("pass");
    expect(JSON.parse(row.gateDetail!).gates).toEqual(["structural", "executable"]);

    const stored = await spine.runtime.stores.evals.run(outcome.runId);
    expect(stored.map((result) => result.taskId).sort()).toEqual(["codegen-js-chunk", "codegen-py-roman"]);
    expect(stored.every((result) => result.costUsd === 0 && result.calls === 1)).toBe(true);
  }, 60_000);

  it("on the ladder a failed gate climbs, and the eval checks the answer that came back", async () => {
    const roman = task("codegen-py-roman");
    // local-coder answers with code that does not compile; Sonnet answers right.
    const broken = "```python\ndef to_roman(number):\n    return (\n```";
    const choose = policy(new Set(), { answersRight: (_task, alias) => alias === "cloud-sonnet" });
    const { spine, runner } = await startEval("", choose);
    spine.engine.enqueue({ kind: "reply", text: broken });
    const outcome = await runner.run({ tasks: [roman], targets: ["ladder"], maxUsd: 1 });

    const [result] = outcome.results;
    expect(result).toMatchObject({
      verdict: "pass",
      path: ["local-coder", "cloud-sonnet"],
      escalations: 1,
      calls: 2,
    });
    expect(result!.costUsd).toBeGreaterThan(0);
    const rows = await spine.rows();
    const attempts = rows.filter((row) => row.id === result!.requestId || row.parentId === result!.requestId);
    expect(attempts.map((row) => [row.alias, row.gateVerdict])).toEqual([
      ["local-coder", "fail"],
      ["cloud-sonnet", "pass"],
    ]);
    expect(result!.costUsd).toBeCloseTo(attempts[1]!.costUsd, 10);
  }, 60_000);

  it("a local judge scores text tasks against their reference points, for free", async () => {
    const tasks = [task("gaps-login-security"), task("story-invoice-export"), task("commit-fix-page-count")];
    const { spine, runner } = await startEval("", policy(new Set(["gaps-login-security"])), {
      judgeAlias: "local-reasoner",
    });
    const outcome = await runner.run({ tasks, targets: ["cloud-sonnet"], maxUsd: 1 });
    const byId = new Map(outcome.results.map((result) => [result.taskId, result]));

    expect(byId.get("gaps-login-security")).toMatchObject({
      verdict: "pass",
      evidence: "judge",
      judgeScore: 9,
      judgeCostUsd: 0,
    });
    // Its shape passes the rules; the judge finds it misses the facts.
    expect(byId.get("story-invoice-export")).toMatchObject({
      verdict: "fail",
      evidence: "deterministic+judge",
      judgeScore: 3,
    });
    expect(byId.get("story-invoice-export")!.detail).toContain("the judge scored it 3/10, below 7");
    // A rule decides before any judge is asked.
    expect(byId.get("commit-fix-page-count")).toMatchObject({
      verdict: "fail",
      evidence: "deterministic",
      judgeRequestId: null,
    });
    for (const result of outcome.results) expect(result.costUsd).toBeGreaterThan(0);

    const rows = await spine.rows();
    const judge = rows.find((row) => row.id === byId.get("gaps-login-security")!.judgeRequestId)!;
    expect(judge).toMatchObject({
      frontDoor: "eval-judge",
      alias: "local-reasoner",
      task: "gap-analysis",
      costUsd: 0,
    });
    expect(rows.filter((row) => row.frontDoor === "eval-judge")).toHaveLength(2);
    const judgePrompt = spine.engine.calls.find((call) => call.request.messages[0]?.role === "system")!;
    expect(judgePrompt.request.messages[1]?.content).toContain(
      "a 7-day JWT cannot end after 30 minutes of inactivity",
    );
  }, 60_000);

  it("a judge with no score leaves the answer without a verdict, and it is counted as an error", async () => {
    const { runner } = await startEval(
      "",
      policy(new Set(["gaps-backups"]), { judgeScore: () => Number.NaN }),
    );
    const outcome = await runner.run({ tasks: [task("gaps-backups")], targets: ["cloud-sonnet"], maxUsd: 1 });
    expect(outcome.results[0]).toMatchObject({ verdict: "error", judgeScore: null });
    expect(outcome.results[0]!.detail).toContain("gave no readable score");
  }, 30_000);

  it("an alias that cannot answer is not measured by another: no fallback, and the target stops", async () => {
    const tasks = EVAL_SUITE.filter((candidate) => candidate.kind === "decision-gate");
    const { spine, runner } = await startEval("", policy(new Set()), { judgeAlias: "cloud-opus" });
    const down = () => new SwitchyardError("upstream-unreachable", "engine: connection refused");
    for (let index = 0; index < 6; index++) spine.engine.enqueue({ kind: "fail", error: down() });
    const outcome = await runner.run({ tasks, targets: ["local-reasoner"], maxUsd: 1, parallel: 1 });
    expect(outcome.results).toHaveLength(3);
    expect(outcome.results.every((result) => result.verdict === "error" && result.answerAlias === null)).toBe(
      true,
    );
    expect(spine.openRouter.calls).toHaveLength(0);
    expect(outcome.skipped).toEqual([
      {
        target: "local-reasoner",
        count: 3,
        reason: expect.stringContaining(
          "3 calls in a row got no answer; the last: no answer: engine: connection refused",
        ),
      },
    ]);
  }, 30_000);

  it("holds each call's worst case against --max-usd, and stops at a budget refusal", async () => {
    const tasks = EVAL_SUITE.filter((candidate) => candidate.kind === "architecture");
    const { runner } = await startEval("budget:\n  aliases:\n    cloud-opus: 0.0001\n", policy(new Set()));
    const capped = await runner.run({ tasks, targets: ["cloud-sonnet"], maxUsd: 0.0001 });
    expect(capped.results).toEqual([]);
    expect(capped.skipped).toEqual([{ target: "cloud-sonnet", count: 6, reason: "--max-usd $0.00 reached" }]);

    const refused = await runner.run({ tasks, targets: ["cloud-opus"], maxUsd: 5, parallel: 1 });
    expect(refused.results).toHaveLength(1);
    expect(refused.results[0]).toMatchObject({ verdict: "error", answerAlias: null });
    expect(refused.skipped[0]).toMatchObject({ target: "cloud-opus", count: 5 });
    expect(refused.skipped[0]!.reason).toContain("the budget refused");
    expect(refused.spentUsd).toBe(0);
  }, 30_000);
});
