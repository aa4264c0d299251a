/** The pure parts of `switchyard ask`: attached files as fences, the model for a task, the footer. */
import { describe, expect, it } from "vitest";
import { askFooter, askModel, askPrompt } from "../../src/cli/ask-message.js";
import { sampleRecord } from "../store/sample-record.js";

describe("askPrompt", () => {
  it("puts each file under the question with its path and a fence its content cannot close", () => {
    const prompt = askPrompt("review these", [
      { path: "src/a.py", content: "print('a')" },
      { path: "README.md", content: "Use ```sh\nnpm test\n```\nor ````x````\n" },
    ]);
    expect(prompt).toBe(
      "review these\n\nsrc/a.py:\n```python\nprint('a')\n```\n\nREADME.md:\n`````markdown\nUse ```sh\nnpm test\n```\nor ````x````\n`````",
    );
  });
});

describe("askModel", () => {
  it("names the task's virtual model, auto without one, and nothing for an unknown task", () => {
    expect(askModel(undefined)).toBe("switchyard/auto");
    expect(askModel("commit-message")).toBe("switchyard/commit-message");
    expect(askModel("poetry")).toBeUndefined();
  });
});

describe("askFooter", () => {
  const headers = {
    task: "lint",
    tier: "1",
    alias: "local-coder",
    model: "qwen2.5-coder:32b",
    requestId: "r1",
  };

  it("prefers the ledger row: settled cost, tokens and the Brain's own time", () => {
    const row = sampleRecord({
      task: "lint",
      costUsd: 0.01234,
      inputTokens: 300,
      outputTokens: 20,
      latencyMs: 2_460,
    });
    expect(askFooter(headers, { inputTokens: 1, outputTokens: 1, elapsedMs: 9_000 }, row)).toBe(
      "── lint · tier 1 local-coder · qwen2.5-coder:32b · 300 in / 20 out tokens · $0.0123 · 2.5 s",
    );
  });

  it("falls back to the headers and the stream, says the cost is unknown, and names a fallback or a downgrade", () => {
    expect(
      askFooter(
        { ...headers, fallback: "local-coder->cloud-sonnet", downgraded: "cloud-sonnet->local-coder" },
        { inputTokens: 12, outputTokens: undefined, elapsedMs: 1_040 },
        undefined,
      ),
    ).toBe(
      "── lint · tier 1 local-coder · qwen2.5-coder:32b · 12 in / ? out tokens · cost ? · 1.0 s · fell back local-coder->cloud-sonnet · downgraded cloud-sonnet->local-coder (budget)",
    );
  });
});
