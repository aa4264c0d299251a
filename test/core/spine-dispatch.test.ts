/**
 * One attempt's walk up its plan, through the spine: a rung that fails before its first event
 * hands over to the next; a break mid-answer does not; the budget's stand-ins and refusals follow
 * the plan; a caller who goes away aborts the upstream and is recorded as aborted.
 */
import { afterEach, describe, expect, it } from "vitest";
import { SwitchyardError } from "../../src/errors/switchyard-error.js";
import { Cancellation } from "../../src/protocol/cancel-signal.js";
import { collectChatEvents } from "../../src/protocol/chat-types.js";
import { type Spine, startSpine } from "../helpers/spine-harness.js";

let spine: Spine | undefined;
afterEach(async () => {
  await spine?.close();
  spine = undefined;
});

const review = { model: "switchyard/code-review", content: "Review this diff" };
const unreachable = () =>
  new SwitchyardError("upstream-unreachable", "engine is down", { backend: "engine" });

describe("fallback before the first event", () => {
  it("moves up the ladder and records the hop", async () => {
    spine = await startSpine();
    spine.engine.enqueue({ kind: "fail", error: unreachable() });
    const { answer, result } = await spine.ask({ model: "switchyard/code-generation" });
    expect(result.text).toBe("Hello from anthropic/claude-sonnet-4.5");
    expect(answer.step.alias).toBe("cloud-sonnet");
    expect(answer.hops).toEqual([
      { fromAlias: "local-coder", toAlias: "cloud-sonnet", reason: "upstream-unreachable: engine is down" },
    ]);
    const [row] = await spine.rows();
    expect(row).toMatchObject({ alias: "cloud-sonnet", status: "ok", attempt: 1 });
    expect(row?.fallbackHops).toHaveLength(1);
  });

  it("a request the upstream refuses as invalid does not move up", async () => {
    spine = await startSpine();
    spine.engine.enqueue({
      kind: "fail",
      error: new SwitchyardError("upstream-invalid-request", "bad request", { backend: "engine" }),
    });
    await expect(spine.ask({ model: "switchyard/code-generation" })).rejects.toMatchObject({
      code: "upstream-invalid-request",
    });
    expect(spine.openRouter.calls).toHaveLength(0);
  });

  it("a break mid-answer is the caller's error: what was sent cannot move", async () => {
    spine = await startSpine();
    spine.engine.enqueue({
      kind: "break",
      text: "partial",
      error: new SwitchyardError("upstream-error", "runner crashed", { backend: "engine" }),
    });
    const answer = await spine.call({ model: "switchyard/code-generation", stream: true }).answer;
    await expect(collectChatEvents(answer.events)).rejects.toMatchObject({ code: "upstream-error" });
    const [row] = await spine.rows();
    expect(row).toMatchObject({ status: "error", errorCode: "upstream-error", alias: "local-coder" });
    expect(spine.openRouter.calls).toHaveLength(0);
  });
});

describe("the budget step", () => {
  it("at a cap, downgrade (the default) runs on the plan's stand-in and says so", async () => {
    spine = await startSpine("budget:\n  aliases:\n    cloud-sonnet: 0\n");
    const { answer, result } = await spine.ask(review);
    expect(result.text).toBe("Hello from qwen2.5-coder:32b");
    expect(answer.downgrade).toMatchObject({ fromAlias: "cloud-sonnet", toAlias: "local-coder" });
    expect(spine.openRouter.calls).toHaveLength(0);
    const [row] = await spine.rows();
    expect(row).toMatchObject({
      task: "code-review",
      alias: "local-coder",
      budgetAction: "downgraded",
      costUsd: 0,
    });
    expect(row?.fallbackHops[0]?.reason).toContain("cloud-sonnet ceiling $0.00");
  });

  it("reject refuses with the budget's figures, and the refusal is a row", async () => {
    spine = await startSpine("budget:\n  on_exhausted: reject\n  monthly_usd: 0\n");
    const error = await spine.ask(review).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "budget-exceeded", details: { budget: "monthly", limit_usd: 0 } });
    expect((error as Error).message).toMatch(
      /Monthly budget exhausted: monthly total \$0\.00, spent \$0\.00/,
    );
    const [row] = await spine.rows();
    expect(row).toMatchObject({ status: "error", errorCode: "budget-exceeded", budgetAction: "rejected" });
  });

  it("a caller that forbids the downgrade gets the refusal instead", async () => {
    spine = await startSpine("budget:\n  aliases:\n    cloud-sonnet: 0\n");
    await expect(spine.ask(review, { forbidDowngrade: true })).rejects.toMatchObject({
      code: "budget-exceeded",
    });
    expect(spine.engine.calls).toHaveLength(0);
  });

  it("local work is never capped", async () => {
    spine = await startSpine("budget:\n  on_exhausted: reject\n  monthly_usd: 0\n");
    const { result } = await spine.ask({ model: "switchyard/commit-message", content: "fix typo" });
    expect(result.text).toBe("Hello from qwen2.5-coder:32b");
  });

  it("a paid answer is settled to what it cost and the row says so", async () => {
    spine = await startSpine();
    spine.openRouter.enqueue({
      kind: "reply",
      text: "LGTM",
      usage: { inputTokens: 1_000, outputTokens: 100, costUsd: 0.0045 },
    });
    await spine.ask(review);
    await spine.runtime.budget.idle();
    const [row] = await spine.rows();
    expect(row).toMatchObject({ costUsd: 0.0045, reportedCostUsd: 0.0045, status: "ok" });
    expect(row?.reservedUsd).toBeGreaterThan(0.0045);
    const status = await spine.runtime.budget.status();
    expect(status.lines[0]?.settledUsd).toBeCloseTo(0.0045, 9);
    expect(status.lines[0]?.reservedUsd).toBe(0);
  });
});

describe("a caller that goes away", () => {
  it("aborts the upstream, frees the rung and records the attempt as aborted", async () => {
    spine = await startSpine();
    let release: () => void = () => {};
    const loaded = new Promise<void>((resolve) => {
      release = resolve;
    });
    spine.engine.enqueue({ kind: "reply", text: "never seen", after: loaded });
    const cancellation = new Cancellation();
    const answering = spine.call(
      { model: "switchyard/code-generation", stream: true },
      { signal: cancellation },
    ).answer;
    await spine.engine.called(1);
    cancellation.abort();
    release();
    await expect(answering).rejects.toMatchObject({ code: "aborted" });
    const [row] = await spine.rows();
    expect(row).toMatchObject({ status: "aborted", alias: "local-coder" });
    expect(spine.runtime.switchyard.inFlight).toBe(0);
  });
});

describe("in flight", () => {
  it("counts attempts until they are recorded, and drained() waits for them", async () => {
    spine = await startSpine();
    const answer = await spine.call({ model: "switchyard/code-generation", stream: true }).answer;
    expect(spine.runtime.switchyard.inFlight).toBe(1);
    const drained = spine.runtime.switchyard.drained(60_000);
    await collectChatEvents(answer.events);
    await expect(drained).resolves.toBe(true);
    expect(spine.runtime.switchyard.inFlight).toBe(0);
  });
});

describe("walking down the ladder when a rung cannot be paid for", () => {
  const architecture = { model: "switchyard/architecture", content: "Monolith or services?" };

  it("at the Opus cap an architecture request goes to Sonnet while Sonnet has budget", async () => {
    spine = await startSpine("budget:\n  aliases:\n    cloud-opus: 0\n");
    const { answer, result } = await spine.ask(architecture);
    expect(result.text).toBe("Hello from anthropic/claude-sonnet-4.5");
    expect(answer.downgrade).toMatchObject({ fromAlias: "cloud-opus", toAlias: "cloud-sonnet" });
    const [row] = await spine.rows();
    expect(row).toMatchObject({ alias: "cloud-sonnet", tier: 2, budgetAction: "downgraded" });
  });

  it("and to a local model when Sonnet is capped too", async () => {
    spine = await startSpine("budget:\n  aliases:\n    cloud-opus: 0\n    cloud-sonnet: 0\n");
    const { answer } = await spine.ask(architecture);
    expect(answer.step.alias).toBe("local-reasoner");
    expect(answer.downgrade).toMatchObject({ fromAlias: "cloud-opus", toAlias: "local-reasoner" });
    expect(answer.hops.map((hop) => `${hop.fromAlias}->${hop.toAlias}`)).toEqual([
      "cloud-opus->cloud-sonnet",
      "cloud-sonnet->local-reasoner",
    ]);
    expect(spine.openRouter.calls).toHaveLength(0);
  });

  const noCredits = () =>
    new SwitchyardError(
      "upstream-payment-required",
      'OpenRouter back end "openrouter": Insufficient credits',
      {
        backend: "openrouter",
        upstreamStatus: 402,
      },
    );

  it("an OpenRouter 402 is not retried on another model with the same key: it goes local and says so", async () => {
    spine = await startSpine();
    spine.openRouter.enqueue({ kind: "fail", error: noCredits() });
    const { answer, result } = await spine.ask({ model: "switchyard/code-review", content: "Review this" });
    expect(result.text).toBe("Hello from qwen2.5-coder:32b");
    expect(spine.openRouter.calls.map((call) => call.model)).toEqual(["anthropic/claude-sonnet-4.5"]);
    expect(answer.downgrade).toMatchObject({ fromAlias: "cloud-sonnet", toAlias: "local-coder" });
    expect(answer.downgrade?.reason).toContain("Insufficient credits");
    const [row] = await spine.rows();
    expect(row).toMatchObject({ alias: "local-coder", budgetAction: "downgraded" });
  });

  it("with reject, an OpenRouter 402 is the caller's 402, asked of one model only", async () => {
    spine = await startSpine("budget:\n  on_exhausted: reject\n");
    spine.openRouter.enqueue({ kind: "fail", error: noCredits() });
    await expect(spine.ask({ model: "switchyard/gap-analysis", content: "gaps?" })).rejects.toMatchObject({
      code: "upstream-payment-required",
    });
    expect(spine.openRouter.calls).toHaveLength(1);
  });
});
