/**
 * Claude model names onto Switchyard's tiers: the family of each name Claude Code sends, the
 * background work it sends under any name, and how TaskRouter routes them per `claude_code:`.
 */
import { describe, expect, it } from "vitest";
import { parseConfigText } from "../../src/config/config-load.js";
import {
  claudeBackgroundKind,
  claudeFamilyOf,
  routerModelFor,
  selectClaudeModel,
} from "../../src/routing/claude-model-map.js";
import { TaskRouter } from "../../src/routing/task-router.js";

const defaults = { opus: "classify", sonnet: "classify", haiku: "tier1" };

function routerWith(yaml = "") {
  return new TaskRouter(parseConfigText(yaml, "test", {}));
}

describe("claudeFamilyOf", () => {
  it.each([
    ["claude-opus-4-6", "opus"],
    ["claude-opus-4-8", "opus"],
    ["claude-sonnet-4-5-20250929", "sonnet"],
    ["claude-3-5-haiku-20241022", "haiku"],
    ["claude-haiku-4-5", "haiku"],
    ["claude-sonnet-4-5[1m]", "sonnet"],
    ["Claude-Opus-4-1", "opus"],
  ])("%s is %s", (model, family) => {
    expect(claudeFamilyOf(model)).toBe(family);
  });

  it.each(["anthropic/claude-sonnet-4.5", "local-coder", "claude-instant-1", "gpt-4o"])(
    "%s is not a Claude family name",
    (model) => {
      expect(claudeFamilyOf(model)).toBeUndefined();
    },
  );
});

describe("background work", () => {
  it.each([
    [
      "session title",
      [
        {
          role: "system" as const,
          content: "Generate a concise, sentence-case title (3-7 words) that captures…",
        },
        { role: "user" as const, content: "<session>fix the pager</session>" },
      ],
    ],
    [
      "topic title",
      [
        {
          role: "system" as const,
          content:
            "You are Claude Code.\n\nAnalyze if this message indicates a new conversation topic. If it does, extract a 2-3 word title",
        },
        { role: "user" as const, content: "refactor the router" },
      ],
    ],
    ["quota check", [{ role: "user" as const, content: "quota" }]],
    [
      "prompt suggestion",
      [
        { role: "user" as const, content: "fix the bug" },
        { role: "assistant" as const, content: "Fixed." },
        {
          role: "user" as const,
          content: "[SUGGESTION MODE: Suggest what the user might naturally type next]",
        },
      ],
    ],
  ])("recognises a %s", (kind, messages) => {
    expect(claudeBackgroundKind(messages)).toBe(kind);
  });

  it("does not mistake real work for background", () => {
    expect(
      claudeBackgroundKind([
        {
          role: "system",
          content: "You are an interactive agent that helps users with software engineering.",
        },
        { role: "user", content: "Write a title for the README and commit it" },
      ]),
    ).toBeUndefined();
  });

  it("routes background work by the haiku target whatever model it names", () => {
    const selection = selectClaudeModel(defaults, "claude-opus-4-6", [{ role: "user", content: "quota" }]);
    expect(selection).toMatchObject({
      family: "haiku",
      background: "quota check",
      model: "switchyard/tier1",
    });
  });
});

describe("routerModelFor", () => {
  it.each([
    ["classify", "switchyard/auto"],
    ["tier1", "switchyard/tier1"],
    ["tier-3", "switchyard/tier3"],
    ["commit-message", "switchyard/commit-message"],
    ["cloud-opus", "cloud-opus"],
  ])("%s → %s", (target, model) => {
    expect(routerModelFor(target)).toBe(model);
  });
});

describe("TaskRouter with Claude model names", () => {
  const commitRequest = [
    {
      role: "user" as const,
      content: "Write a commit message for this diff:\ndiff --git a/x.ts b/x.ts\n+export const a = 1;",
    },
  ];

  it("haiku goes to tier 1, the coder or reasoner chosen by task", () => {
    const route = routerWith().route({ model: "claude-3-5-haiku-20241022", messages: commitRequest });
    expect(route.ladder[0]).toMatchObject({ alias: "local-coder", tier: 1 });
    expect(route.selector).toBe("tier");
    expect(route.signals()[0]).toContain("claude_code.haiku: tier1");
  });

  it('a commit message asked of "sonnet" is classified and runs locally', () => {
    const route = routerWith().route({ model: "claude-sonnet-4-5-20250929", messages: commitRequest });
    expect(route.task).toBe("commit-message");
    expect(route.ladder[0]?.alias).toBe("local-coder");
    expect(route.signals()[0]).toContain("claude_code.sonnet: classify");
  });

  it("the x-switchyard-task header still wins for classify", () => {
    const route = routerWith().route({
      model: "claude-opus-4-6",
      taskHeader: "code-review",
      messages: commitRequest,
    });
    expect(route.task).toBe("code-review");
    expect(route.ladder[0]?.alias).toBe("cloud-sonnet");
  });

  it("opus pinned by config to an alias, and a family mapped to a task kind", () => {
    const router = routerWith("claude_code:\n  opus: cloud-opus\n  sonnet: code-review\n");
    const opus = router.route({ model: "claude-opus-4-6[1m]", messages: commitRequest });
    expect(opus.ladder.map((step) => step.alias)).toEqual(["cloud-opus"]);
    expect(opus.selector).toBe("alias");
    expect(opus.task).toBe("commit-message");
    const sonnet = router.route({ model: "claude-sonnet-4-5", messages: commitRequest });
    expect(sonnet.task).toBe("code-review");
  });

  it("a configured alias or concrete model is never reinterpreted as a family", () => {
    const route = routerWith().route({ model: "anthropic/claude-sonnet-4.5", messages: commitRequest });
    expect(route.selector).toBe("concrete-model");
    expect(route.ladder[0]?.alias).toBe("cloud-sonnet");
  });

  it("an unknown claude-* name without a family is still unknown", () => {
    expect(() => routerWith().route({ model: "claude-instant-1", messages: commitRequest })).toThrow(
      /Unknown model "claude-instant-1"/,
    );
  });

  it("rejects a claude_code target that names nothing routable", () => {
    expect(() => parseConfigText("claude_code:\n  opus: cloud-gpt\n", "test", {})).toThrow(
      /claude_code\.opus must be "classify", "tier1", "tier2", "tier3", an alias/,
    );
  });
});
