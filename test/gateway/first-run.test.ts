/**
 * A first run with nothing else installed: no Engine answering and no OpenRouter key. The cloud
 * rungs are unavailable at once (nothing is sent to OpenRouter without a key), and the caller's
 * error says in two lines what is missing and how to fix each.
 */
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../helpers/switchyard-harness.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe("no Engine and no key", () => {
  it("fails at once with one line per missing piece, and never calls OpenRouter", async () => {
    harness = await startHarness({
      config: { backends: { engine: { base_url: "http://127.0.0.1:9" }, openrouter: { api_key: "" } } },
    });
    const client = new OpenAI({ baseURL: `${harness.url}/v1`, apiKey: "unused", maxRetries: 0 });
    const error = (await client.chat.completions
      .create({
        model: "switchyard/auto",
        messages: [{ role: "user", content: "Write a commit message for: fix off-by-one in pager" }],
      })
      .catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error.status).toBe(502);
    const lines = error.message.split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain("http://127.0.0.1:9");
    expect(lines[0]).toMatch(/Is Ollama running there/);
    expect(lines[1]).toContain("OPENROUTER_API_KEY");
    expect(error.message.length).toBeLessThan(600);
    expect(
      harness.openRouter.requests.filter((request) => request.path.endsWith("/chat/completions")),
    ).toEqual([]);
    const [row] = await harness.ledgerRows();
    expect(row).toMatchObject({ task: "commit-message", status: "error" });
    expect(row?.tier).toBeLessThan(3);
  });
});

describe("every response names its request", () => {
  it("an error response carries x-switchyard-request-id, the id of its ledger row", async () => {
    harness = await startHarness({ configYaml: "budget:\n  on_exhausted: reject\n  monthly_usd: 0\n" });
    const response = await fetch(`${harness.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "switchyard/code-review",
        messages: [{ role: "user", content: "review" }],
      }),
    });
    expect(response.status).toBe(402);
    const [row] = await harness.ledgerRows();
    expect(response.headers.get("x-switchyard-request-id")).toBe(row?.id);
    const anthropic = await fetch(`${harness.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "cloud-sonnet",
        max_tokens: 10,
        messages: [{ role: "user", content: "hi" }],
      }),
    });
    expect(anthropic.status).toBe(402);
    expect(anthropic.headers.get("x-switchyard-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});
