/**
 * The demo's simulated OpenRouter speaks OpenRouter's API: driven by the official `openai` client,
 * by Switchyard's OpenAI-compatible back end and its price and key calls, and read raw where the
 * wire detail matters (the `: OPENROUTER PROCESSING` comments). Time runs 10,000× fast.
 */
import OpenAI from "openai";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { OpenAICompatibleBackend } from "../../src/backends/openai-compatible/openai-compatible-backend.js";
import { fetchKeyInfo, fetchModels } from "../../src/backends/openai-compatible/openrouter-api.js";
import { createAnswerWriter } from "../../src/demo/simulated-answers.js";
import { type SimulatedOpenRouter, startSimulatedOpenRouter } from "../../src/demo/simulated-openrouter.js";
import { SimulatedTime } from "../../src/demo/simulated-time.js";
import { SwitchyardError } from "../../src/errors/switchyard-error.js";
import { collectChatEvents } from "../../src/protocol/chat-types.js";

const KEY = "sk-or-v1-simulated-test";
const SONNET = "anthropic/claude-sonnet-4.5";
const OPUS = "anthropic/claude-opus-4.6";
const REVIEW =
  'Review this pull request:\n```ts title="src/a.ts"\nconst page = items.slice(page * size);\n```';
let router: SimulatedOpenRouter;
let client: OpenAI;

async function start(options: Partial<Parameters<typeof startSimulatedOpenRouter>[0]> = {}) {
  router = await startSimulatedOpenRouter({
    time: new SimulatedTime(10_000),
    answers: createAnswerWriter(),
    apiKey: KEY,
    ...options,
  });
  client = new OpenAI({ baseURL: router.baseUrl, apiKey: KEY, maxRetries: 0 });
}

beforeEach(() => start());
afterEach(() => router.close());

describe("the simulated OpenRouter", () => {
  it("publishes its prices and charges them: usage.cost is the tokens at those prices", async () => {
    const models = await fetchModels({ baseUrl: router.baseUrl });
    const sonnet = models.find((model) => model.id === SONNET);
    expect(sonnet?.promptUsdPerToken).toBeCloseTo(3e-6, 12);
    expect(sonnet?.completionUsdPerToken).toBeCloseTo(15e-6, 12);
    expect(models.find((model) => model.id === OPUS)?.completionUsdPerToken).toBeCloseTo(25e-6, 12);

    const completion = await client.chat.completions.create({
      model: SONNET,
      messages: [{ role: "user", content: REVIEW }],
    });
    const usage = completion.usage as OpenAI.CompletionUsage & { cost: number };
    expect(completion.choices[0]?.message.content).toContain("**Verdict:** request changes");
    expect(completion.choices[0]?.message.content).toContain("[simulated]");
    expect(usage.cost).toBeCloseTo((usage.prompt_tokens * 3 + usage.completion_tokens * 15) / 1e6, 12);

    const key = await fetchKeyInfo({ baseUrl: router.baseUrl, apiKey: KEY });
    expect(key.usageUsd).toBeCloseTo(usage.cost, 12);
    expect(key.limitRemainingUsd).toBeCloseTo(10 - usage.cost, 12);
  });

  it("streams SSE with OpenRouter's processing comments, deltas, a finish and a usage chunk with cost", async () => {
    const response = await fetch(`${router.baseUrl}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: OPUS,
        stream: true,
        messages: [{ role: "user", content: "Weigh the architecture options for splitting billing" }],
      }),
    });
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const text = await response.text();
    expect(text.startsWith(": OPENROUTER PROCESSING\n\n")).toBe(true);
    const frames = text
      .split("\n\n")
      .filter((frame) => frame.startsWith("data: ") && frame !== "data: [DONE]")
      .map((frame) => JSON.parse(frame.slice(6)));
    expect(frames.filter((frame) => frame.choices[0]?.delta?.content).length).toBeGreaterThan(1);
    expect(frames.at(-2).choices[0].finish_reason).toBe("stop");
    expect(frames.at(-1).usage.cost).toBeGreaterThan(0);
    expect(text.endsWith("data: [DONE]\n\n")).toBe(true);

    const stream = await client.chat.completions.create({
      model: OPUS,
      stream: true,
      messages: [{ role: "user", content: "Weigh the architecture options for splitting billing" }],
    });
    let content = "";
    for await (const chunk of stream) content += chunk.choices[0]?.delta?.content ?? "";
    expect(content).toContain("## Architecture decision");
  });

  it("drives Switchyard's OpenAI-compatible back end: reasoning when asked, cost, and a cut at max_tokens", async () => {
    const backend = new OpenAICompatibleBackend({
      id: "simulated-openrouter",
      baseUrl: router.baseUrl,
      apiKey: KEY,
      flavor: "openrouter",
    });
    try {
      const call = (maxTokens?: number) =>
        backend.chat({
          request: {
            model: "cloud-sonnet",
            messages: [{ role: "user", content: "Find the gaps between the spec and the code" }],
            stream: true,
            reasoning: { enabled: true },
            ...(maxTokens ? { maxTokens } : {}),
          },
          model: SONNET,
          options: {},
          signal: new AbortController().signal,
        });
      const result = await collectChatEvents(await call());
      expect(result.reasoning).toMatch(/^\[simulated reasoning\]/);
      expect(result.text).toContain("## Gap analysis");
      expect(result.usage.costUsd).toBeGreaterThan(0);
      expect(result.finishReason).toBe("stop");
      const cut = await collectChatEvents(await call(20));
      expect(cut.finishReason).toBe("length");
      expect(cut.usage.outputTokens).toBe(20);
    } finally {
      await backend.close();
    }
  });

  it("refuses a wrong key, an unknown model and a spent credit the way OpenRouter does", async () => {
    const stranger = new OpenAI({ baseURL: router.baseUrl, apiKey: "sk-or-v1-wrong", maxRetries: 0 });
    await expect(
      stranger.chat.completions.create({ model: SONNET, messages: [{ role: "user", content: "Hi" }] }),
    ).rejects.toMatchObject({ status: 401 });
    await expect(
      client.chat.completions.create({ model: "openai/gpt-9", messages: [{ role: "user", content: "Hi" }] }),
    ).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining("is not a valid model ID"),
    });
    await router.close();
    await start({ creditUsd: 0 });
    await expect(
      client.chat.completions.create({ model: SONNET, messages: [{ role: "user", content: "Hi" }] }),
    ).rejects.toMatchObject({ status: 402 });
  });

  it("answers 429 with Retry-After at the configured share, the same requests for the same seed", async () => {
    await router.close();
    const outcomes = async (seed: number) => {
      await start({ rateLimit: { share: 0.5, seed, retryAfterSeconds: 3 } });
      const statuses: number[] = [];
      for (let index = 0; index < 12; index++) {
        const response = await fetch(`${router.baseUrl}/chat/completions`, {
          method: "POST",
          headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
          body: JSON.stringify({ model: SONNET, messages: [{ role: "user", content: "Hi" }] }),
        });
        if (response.status === 429) expect(response.headers.get("retry-after")).toBe("3");
        statuses.push(response.status);
        await response.arrayBuffer();
      }
      await router.close();
      return statuses;
    };
    const first = await outcomes(7);
    expect(first).toContain(429);
    expect(first).toContain(200);
    expect(await outcomes(7)).toEqual(first);

    await start({ rateLimit: { share: 1, seed: 1, retryAfterSeconds: 2 } });
    const limited = new OpenAICompatibleBackend({
      id: "simulated-openrouter",
      baseUrl: router.baseUrl,
      apiKey: KEY,
      flavor: "openrouter",
    });
    const error = await limited
      .chat({
        request: { model: "cloud-sonnet", messages: [{ role: "user", content: "Hi" }], stream: false },
        model: SONNET,
        options: {},
        signal: new AbortController().signal,
      })
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(SwitchyardError);
    expect((error as SwitchyardError).code).toBe("upstream-rate-limited");
    expect((error as SwitchyardError).retryAfterSeconds).toBe(2);
    await limited.close();
  });
});
