/**
 * The Opus share guard: the sliding-window count, and — while Opus is over its target — borderline
 * work going to Sonnet first: a low-confidence classifier pick of an Opus task, and an escalation
 * hop to Opus (Sonnet retries with the findings). A task the caller named is never moved.
 */
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfigText } from "../../src/config/config-load.js";
import { OpusShareCounter, OpusShareGuard } from "../../src/routing/opus-share.js";
import { classifyMessages } from "../../src/routing/task-classifier.js";
import type { Route } from "../../src/routing/task-router.js";
import { TaskRouter } from "../../src/routing/task-router.js";
import { type Harness, startHarness } from "../helpers/switchyard-harness.js";

describe("the share counter", () => {
  it("counts answered calls in a sliding window of minutes", () => {
    let now = Date.UTC(2025, 4, 1, 12, 0);
    const counter = new OpusShareCounter(60, () => now);
    for (let index = 0; index < 18; index++) counter.add({ startedAt: now, tier: 1, status: "ok" });
    counter.add({ startedAt: now, tier: 3, status: "ok" });
    counter.add({ startedAt: now, tier: 3, status: "ok" });
    counter.add({ startedAt: now, tier: 3, status: "error" });
    expect(counter.current()).toEqual({ calls: 20, opusCalls: 2, share: 0.1 });
    now += 30 * 60_000;
    counter.add({ startedAt: now, tier: 2, status: "ok" });
    expect(counter.current().calls).toBe(21);
    now += 31 * 60_000;
    expect(counter.current()).toEqual({ calls: 1, opusCalls: 0, share: 0 });
    // A row older than the window (seeded from the ledger) is ignored.
    counter.add({ startedAt: now - 2 * 3_600_000, tier: 3, status: "ok" });
    expect(counter.current().opusCalls).toBe(0);
  });
});

describe("the guard", () => {
  const config = parseConfigText(
    "escalation:\n  opus_share: { target: 0.05, min_requests: 10, borderline_confidence: 1 }\n",
    "test",
    {},
  );
  const router = new TaskRouter(config);
  const request = {
    model: "auto",
    messages: [{ role: "user" as const, content: "design the architecture" }],
    stream: false,
  };
  const overTarget = () => {
    const guard = new OpusShareGuard(config);
    for (let index = 0; index < 9; index++)
      guard.counter.add({ startedAt: Date.now(), tier: 1, status: "ok" });
    guard.counter.add({ startedAt: Date.now(), tier: 3, status: "ok" });
    return guard;
  };
  const architecture = (selector: Route["selector"]): Route => ({
    task: "architecture",
    selector,
    // What the classifier makes of "design the architecture": an Opus task, not a sure one.
    confidence: classifyMessages(request.messages).confidence,
    ladder: router.ladderForTask("architecture"),
    downgrades: [],
    signals: () => [],
  });

  it("leaves routes alone while Opus is within target or the window is too small", () => {
    const guard = new OpusShareGuard(config);
    guard.counter.add({ startedAt: Date.now(), tier: 3, status: "ok" });
    expect(guard.overTarget()).toBe(false);
    const route = architecture("classifier");
    expect(guard.adjustStart(route)).toBe(route);
  });

  it("starts a low-confidence classifier Opus pick on Sonnet, and records why", () => {
    const adjusted = overTarget().adjustStart(architecture("classifier"));
    expect(adjusted.ladder.map((step) => step.alias)).toEqual(["cloud-sonnet", "cloud-opus"]);
    expect(adjusted.signals().at(-1)).toMatch(
      /^opus-share 10\.0% > target 5\.0%: classifier confidence 0\.\d\d: cloud-sonnet first$/,
    );
  });

  it("never moves a task the caller named", () => {
    const guard = overTarget();
    for (const route of [architecture("task-model"), architecture("task-header")]) {
      expect(guard.adjustStart(route)).toBe(route);
    }
  });

  it("gives Sonnet one retry with the findings before an escalation reaches Opus", () => {
    const guard = overTarget();
    const toOpus: Route = { ...architecture("task-model"), task: "code-generation" };
    const retried = guard.adjustEscalation(toOpus, "cloud-sonnet", false);
    expect(retried.ladder.map((step) => step.alias)).toEqual(["cloud-sonnet", "cloud-opus"]);
    expect(guard.adjustEscalation(toOpus, "cloud-sonnet", true)).toBe(toOpus);
  });
});

describe("through the gateway", () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it("over target, an escalation retries Sonnet instead of calling Opus; named tasks still reach Opus", async () => {
    harness = await startHarness({
      configYaml: "escalation:\n  opus_share: { target: 0.05, min_requests: 0 }\n",
    });
    const client = new OpenAI({ baseURL: `${harness.url}/v1`, apiKey: "unused", maxRetries: 0 });
    // One explicit architecture request: Opus is 100% of calls so far, and it is never re-routed.
    const named = await client.chat.completions
      .create({
        model: "switchyard/architecture",
        messages: [{ role: "user", content: "monolith or services?" }],
      })
      .withResponse();
    expect(named.response.headers.get("x-switchyard-alias")).toBe("cloud-opus");

    harness.ollama.enqueue({ kind: "reply", reply: { content: "" } });
    harness.openRouter.enqueue(
      { kind: "reply", reply: { content: "I can't help with that." } },
      { kind: "reply", reply: { content: "export const add = (a: number, b: number) => a + b;" } },
    );
    const { data, response } = await client.chat.completions
      .create({ model: "switchyard/code-generation", messages: [{ role: "user", content: "add(a, b)" }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toContain("export const add");
    expect(response.headers.get("x-switchyard-escalation-path")).toBe(
      "local-coder->cloud-sonnet->cloud-sonnet",
    );
    const models = harness.openRouter.requests
      .filter((request) => request.path.endsWith("/chat/completions"))
      .map((request) => (request.body as { model: string }).model);
    expect(models).toEqual([
      "anthropic/claude-opus-4.6",
      "anthropic/claude-sonnet-4.5",
      "anthropic/claude-sonnet-4.5",
    ]);
  });
});
