/** The router on its own: each selector, tiers, ladders and bad names. */
import { describe, expect, it } from "vitest";
import { parseConfigText } from "../../src/config/config-load.js";
import { classifyMessages } from "../../src/routing/task-classifier.js";
import { TaskRouter } from "../../src/routing/task-router.js";

const router = new TaskRouter(parseConfigText(undefined, "defaults", {}));
const ask = (content: string) => [{ role: "user" as const, content }];

describe("selectors", () => {
  it("a task-kind model uses that task's ladder", () => {
    const route = router.route({ model: "switchyard/elaboration", messages: ask("x") });
    expect(route).toMatchObject({ task: "elaboration", selector: "task-model" });
    expect(route.ladder.map((step) => step.alias)).toEqual(["local-reasoner", "cloud-sonnet", "cloud-opus"]);
    expect(
      router.route({ model: "code-review", messages: ask("x") }).ladder.map((step) => step.alias),
    ).toEqual(["cloud-sonnet", "cloud-opus"]);
  });

  it("tier 1 picks the coder or the reasoner by the task", () => {
    expect(
      router.route({ model: "switchyard/tier1", messages: ask("Write unit tests for the parser") }).ladder[0]
        ?.alias,
    ).toBe("local-coder");
    expect(
      router.route({
        model: "switchyard/tier1",
        messages: ask("Draft user stories with acceptance criteria for SSO login"),
      }).ladder[0]?.alias,
    ).toBe("local-reasoner");
    expect(router.route({ model: "tier2", messages: ask("x") }).ladder[0]?.alias).toBe("cloud-sonnet");
  });

  it("the header names the task for auto, and a bad header is an error listing the kinds", () => {
    expect(router.route({ model: "auto", taskHeader: "switchyard/lint", messages: ask("x") })).toMatchObject({
      task: "lint",
      selector: "task-header",
    });
    expect(() => router.route({ model: "auto", taskHeader: "haiku", messages: ask("x") })).toThrow(
      /conflict-resolution/,
    );
  });

  it("an unknown model lists every valid name", () => {
    expect(() => router.route({ model: "gpt-4o", messages: ask("x") })).toThrow(
      /Unknown model "gpt-4o". Valid models: switchyard\/auto/,
    );
  });

  it("architecture questions never stay local", () => {
    const route = router.route({
      model: "auto",
      messages: ask(
        "Should we split the monolith into services or keep a modular monolith? Weigh the trade-offs for our platform.",
      ),
    });
    expect(route.ladder[0]?.tier).toBe(3);
  });
});

it("explains a route when asked: the selector first, then the classifier's strongest signals", () => {
  const messages = ask("Review this pull request for race conditions before we merge it.");
  const pinned = router.route({ model: "local-coder", messages });
  const reasons = pinned.signals();
  expect(reasons[0]).toBe("model names alias local-coder");
  const classified = classifyMessages(messages);
  expect(reasons.slice(1)).toEqual(
    classified.signals
      .slice(0, 8)
      .map((signal) => `${signal.name} → ${signal.task} (+${signal.weight}: ${signal.evidence})`),
  );
  expect(pinned.task).toBe(classified.task);
  expect(pinned.signals()).toEqual(reasons);
});
