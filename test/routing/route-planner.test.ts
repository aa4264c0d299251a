/**
 * The routing plan, step by step: the selection carries its confidence and its budget stand-ins;
 * tools, context and the Opus share amend the plan (never decided again downstream), and the
 * stand-ins are filtered like the ladder.
 */
import { describe, expect, it } from "vitest";
import { parseConfigText } from "../../src/config/config-load.js";
import type { ChatRequest } from "../../src/protocol/chat-types.js";
import { RoutePlanner } from "../../src/routing/route-planner.js";

const defaults = parseConfigText(undefined, "defaults", {});
const ask = (content: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: "switchyard/auto",
  messages: [{ role: "user", content }],
  stream: false,
  ...extra,
});
const aliases = (steps: ReadonlyArray<{ alias: string }>) => steps.map((step) => step.alias);
const tool = { name: "read_file", description: "Read a file", parameters: { type: "object" } };

describe("selection", () => {
  const planner = new RoutePlanner(defaults);

  it("a task the caller named is certain; the classifier's pick carries its confidence", () => {
    expect(planner.plan({ request: ask("x", { model: "switchyard/code-review" }) }).confidence).toBe(1);
    expect(planner.plan({ request: ask("x"), taskHint: "lint" })).toMatchObject({
      task: "lint",
      confidence: 1,
    });
    const classified = planner.plan({ request: ask("Write a commit message for: fix off-by-one in pager") });
    expect(classified.selector).toBe("classifier");
    expect(classified.confidence).toBeGreaterThan(0);
    expect(classified.confidence).toBeLessThanOrEqual(1);
  });

  it("carries where a budget denial goes, walking down the tiers: Sonnet, then the coder for code-shaped work", () => {
    const review = planner.plan({ request: ask("x", { model: "switchyard/code-review" }) });
    expect(aliases(review.downgrades)).toEqual(["cloud-sonnet", "local-coder", "local-reasoner"]);
    const architecture = planner.plan({ request: ask("x", { model: "switchyard/architecture" }) });
    expect(aliases(architecture.downgrades)).toEqual(["cloud-sonnet", "local-reasoner", "local-coder"]);
  });

  it("budget.downgrade_to comes first among the local stand-ins", () => {
    const config = parseConfigText("budget:\n  downgrade_to: local-coder\n", "test", {});
    const plan = new RoutePlanner(config).plan({ request: ask("x", { model: "switchyard/architecture" }) });
    expect(aliases(plan.downgrades)).toEqual(["cloud-sonnet", "local-coder", "local-reasoner"]);
  });
});

describe("tool capability", () => {
  const planner = new RoutePlanner(defaults);

  it("a request with tools does not start on a model that cannot call them", () => {
    const plan = planner.plan({
      request: ask("why does this crash?", { model: "switchyard/bug-hunting", tools: [tool] }),
    });
    expect(aliases(plan.ladder)).toEqual(["local-coder", "cloud-sonnet", "cloud-opus"]);
    expect(plan.signals()[0]).toBe("local-reasoner cannot call tools: local-coder instead");
  });

  it("nor is it downgraded to one", () => {
    const plan = planner.plan({ request: ask("x", { model: "switchyard/architecture", tools: [tool] }) });
    expect(aliases(plan.downgrades)).toEqual(["cloud-sonnet", "local-coder"]);
  });

  it("without tools, or with the alias pinned, the ladder is left alone", () => {
    expect(planner.plan({ request: ask("x", { model: "switchyard/bug-hunting" }) }).ladder[0]?.alias).toBe(
      "local-reasoner",
    );
    expect(
      planner.plan({ request: ask("x", { model: "local-reasoner", tools: [tool] }) }).ladder[0]?.alias,
    ).toBe("local-reasoner");
  });
});

describe("context fit", () => {
  const tight = parseConfigText(
    "aliases:\n  local-coder: { context_window: 2000 }\n  local-reasoner: { context_window: 2000 }\n",
    "test",
    {},
  );
  const planner = new RoutePlanner(tight);
  const long = "word ".repeat(4_000);

  it("drops the rungs and the stand-ins that cannot hold the request", () => {
    const plan = planner.plan({ request: ask(long, { model: "switchyard/code-generation" }) });
    expect(aliases(plan.ladder)).toEqual(["cloud-sonnet", "cloud-opus"]);
    expect(aliases(plan.downgrades)).toEqual(["cloud-sonnet"]);
    expect(plan.signals().some((signal) => signal.startsWith("context: skipped local-coder"))).toBe(true);
  });

  it("a short request keeps every rung and stand-in", () => {
    const plan = planner.plan({ request: ask("hi", { model: "switchyard/code-review", maxTokens: 500 }) });
    expect(aliases(plan.ladder)).toEqual(["cloud-sonnet", "cloud-opus"]);
    expect(aliases(plan.downgrades)).toEqual(["cloud-sonnet", "local-coder", "local-reasoner"]);
  });
});

describe("the Opus share", () => {
  const config = parseConfigText(
    "escalation:\n  opus_share: { target: 0.05, min_requests: 10, borderline_confidence: 1 }\n",
    "test",
    {},
  );

  it("starts a borderline classifier pick of Opus on Sonnet from the plan's own confidence", () => {
    const planner = new RoutePlanner(config);
    for (let index = 0; index < 9; index++)
      planner.opusShare.counter.add({ startedAt: Date.now(), tier: 1, status: "ok" });
    planner.opusShare.counter.add({ startedAt: Date.now(), tier: 3, status: "ok" });
    const plan = planner.plan({
      request: ask("Design the architecture: monolith or services for our new billing platform?"),
    });
    expect(plan.task).toBe("architecture");
    expect(aliases(plan.ladder)).toEqual(["cloud-sonnet", "cloud-opus"]);
    expect(plan.signals().at(-1)).toMatch(/^opus-share 10\.0% > target 5\.0%: classifier confidence/);
  });
});
