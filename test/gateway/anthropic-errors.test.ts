/**
 * How the Anthropic front door fails, seen through the official SDK: every error in Anthropic's
 * shape with the status (and so the SDK exception class) Anthropic would use, before and after the
 * stream began, plus pings while a model loads and context fit over HTTP.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, TEST_OPENROUTER_KEY } from "../helpers/switchyard-harness.js";
import { parseSseFrames } from "../protocol/anthropic-sse-client.js";

let harness: Harness;
let client: Anthropic;

beforeAll(async () => {
  harness = await startHarness();
  client = new Anthropic({ baseURL: harness.url, apiKey: "unused", maxRetries: 0 });
});
afterAll(() => harness.close());
afterEach(() => {
  harness.ollama.enqueue();
  harness.openRouter.enqueue();
});

const hi = [{ role: "user" as const, content: "hi" }];

async function failure(promise: Promise<unknown>): Promise<InstanceType<typeof Anthropic.APIError>> {
  const caught = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(caught).toBeInstanceOf(Anthropic.APIError);
  return caught as InstanceType<typeof Anthropic.APIError>;
}

describe("errors before the answer, as HTTP statuses", () => {
  it("400 invalid_request_error for a bad body, naming the field", async () => {
    const error = await failure(
      client.messages.create({
        model: "local-coder",
        messages: hi,
      } as unknown as Anthropic.MessageCreateParamsNonStreaming),
    );
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(error.type).toBe("invalid_request_error");
    expect(error.message).toContain("max_tokens: Field required");
  });

  it("400 invalid_request_error for malformed JSON, in Anthropic's shape", async () => {
    const response = await fetch(`${harness.url}/v1/messages?beta=true`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"model": "local-coder", "max_tokens": ',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
  });

  it("404 not_found_error for an unknown model", async () => {
    const error = await failure(client.messages.create({ model: "gpt-9", max_tokens: 10, messages: hi }));
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    expect(error.type).toBe("not_found_error");
    expect(error.apiMessage).toMatch(/^Unknown model "gpt-9"\. Valid models: switchyard\/auto/);
  });

  it("401 authentication_error when tokens are configured", async () => {
    const guarded = await startHarness({ authTokens: ["s3cret-token"] });
    try {
      const wrong = new Anthropic({ baseURL: guarded.url, apiKey: "nope", maxRetries: 0 });
      const error = await failure(
        wrong.messages.create({ model: "local-coder", max_tokens: 10, messages: hi }),
      );
      expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
      expect(error.type).toBe("authentication_error");
      const countError = await failure(wrong.messages.countTokens({ model: "local-coder", messages: hi }));
      expect(countError.status).toBe(401);

      const right = new Anthropic({ baseURL: guarded.url, apiKey: "s3cret-token", maxRetries: 0 });
      const answer = await right.messages.create({ model: "local-coder", max_tokens: 10, messages: hi });
      expect(answer.content).toHaveLength(1);
      const bearer = new Anthropic({
        baseURL: guarded.url,
        authToken: "s3cret-token",
        apiKey: null,
        maxRetries: 0,
      });
      expect(
        (await bearer.messages.create({ model: "local-coder", max_tokens: 10, messages: hi })).type,
      ).toBe("message");
    } finally {
      await guarded.close();
    }
  });

  it.each([
    [429, { "retry-after": "7" }, Anthropic.RateLimitError, "rate_limit_error"],
    [503, {}, Anthropic.OverloadedError, "overloaded_error"],
    [500, {}, Anthropic.InternalServerError, "api_error"],
  ] as const)("OpenRouter %i at the top of the ladder", async (status, headers, errorClass, type) => {
    for (const stream of [false, true]) {
      harness.openRouter.enqueue({ kind: "status", status, headers: { ...headers } });
      const request = { model: "cloud-opus", max_tokens: 10, messages: hi };
      const error = await failure(
        stream ? client.messages.stream(request).finalMessage() : client.messages.create(request),
      );
      expect(error).toBeInstanceOf(errorClass);
      expect(error.type).toBe(type);
      if (status === 503) expect(error.status).toBe(529);
      if (status === 429) expect(error.headers?.get("retry-after")).toBe("7");
      expect(error.message).not.toContain("sk-or-test");
    }
  });

  it("OpenRouter 402: a downgrade to a local model by default, a billing_error with reject", async () => {
    harness.openRouter.enqueue({ kind: "status", status: 402 });
    const { data, response } = await client.messages
      .create({ model: "cloud-opus", max_tokens: 10, messages: hi })
      .withResponse();
    expect(response.headers.get("x-switchyard-downgraded")).toMatch(/^cloud-opus->local-/);
    expect(data.content[0]).toMatchObject({ type: "text" });

    const rejecting = await startHarness({ configYaml: "budget:\n  on_exhausted: reject\n" });
    try {
      const strict = new Anthropic({ baseURL: rejecting.url, apiKey: "unused", maxRetries: 0 });
      for (const stream of [false, true]) {
        rejecting.openRouter.enqueue({ kind: "status", status: 402 });
        const request = { model: "cloud-opus", max_tokens: 10, messages: hi };
        const error = await failure(
          stream ? strict.messages.stream(request).finalMessage() : strict.messages.create(request),
        );
        expect(error).toBeInstanceOf(Anthropic.PaymentRequiredError);
        expect(error.type).toBe("billing_error");
        expect(error.message).not.toContain("sk-or-test");
      }
    } finally {
      await rejecting.close();
    }
  });
});

describe("errors after the stream began", () => {
  it("a mid-stream failure is an error event after the text so far", async () => {
    harness.ollama.enqueue({
      kind: "error-mid-stream",
      afterContent: "partial answer",
      error: "runner crashed",
    });
    const stream = client.messages.stream({ model: "local-coder", max_tokens: 50, messages: hi });
    let text = "";
    stream.on("text", (delta) => {
      text += delta;
    });
    const error = await failure(stream.finalMessage());
    expect(error.type).toBe("api_error");
    expect(error.message).toContain("runner crashed");
    expect(text).toBe("partial answer");
    const [row] = await harness.ledgerRows();
    expect(row).toMatchObject({ status: "error", errorCode: "upstream-error", frontDoor: "anthropic" });
  });

  it("the same failure without streaming has sent nothing yet: the next rung answers", async () => {
    harness.ollama.enqueue({ kind: "error-mid-stream", afterContent: "partial", error: "runner crashed" });
    const { data, response } = await client.messages
      .create({ model: "local-coder", max_tokens: 50, messages: hi })
      .withResponse();
    expect(data.content).toEqual([{ type: "text", text: "Hello from anthropic/claude-sonnet-4.5" }]);
    expect(response.headers.get("x-switchyard-fallback")).toBe("local-coder->cloud-sonnet");
    const [row] = await harness.ledgerRows();
    expect(row?.fallbackHops[0]?.reason).toContain("runner crashed");
  });

  it("and with every rung above failing too it is a 500 api_error", async () => {
    harness.openRouter.enqueue({ kind: "status", status: 500 }, { kind: "status", status: 500 });
    harness.ollama.enqueue({ kind: "error-mid-stream", afterContent: "partial", error: "runner crashed" });
    const error = await failure(
      client.messages.create({ model: "local-coder", max_tokens: 50, messages: hi }),
    );
    expect(error).toBeInstanceOf(Anthropic.InternalServerError);
    expect(error.type).toBe("api_error");
  });
});

describe("a slow model load", () => {
  let slow: Harness;
  beforeAll(async () => {
    slow = await startHarness({
      configYaml: "claude_code:\n  ping_interval_ms: 100\n  first_byte_wait_ms: 20\n",
    });
  });
  afterAll(() => slow.close());

  async function rawStream(model: string): Promise<ReturnType<typeof parseSseFrames>> {
    const response = await fetch(`${slow.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model, max_tokens: 50, stream: true, messages: hi }),
    });
    expect(response.status).toBe(200);
    return parseSseFrames(await response.text());
  }

  it("sends message_start at once and pings until the first token", async () => {
    slow.ollama.enqueue({ kind: "reply", reply: { content: "loaded" }, delayMs: 450 });
    const events = (await rawStream("local-coder")).map((frame) => frame.event);
    expect(events[0]).toBe("message_start");
    const pingsBeforeContent = events.slice(1, events.indexOf("content_block_start"));
    expect(pingsBeforeContent.length).toBeGreaterThanOrEqual(2);
    expect(new Set(pingsBeforeContent)).toEqual(new Set(["ping"]));
    expect(events.slice(-2)).toEqual(["message_delta", "message_stop"]);
  });

  it("a dispatch that fails after message_start is an error event", async () => {
    // An upstream that takes 200 ms to refuse the request: longer than first_byte_wait_ms, so the
    // stream is already committed when the refusal comes (and a refused request cannot move up).
    const refusing = createServer((_request, response) => {
      setTimeout(() => {
        response.writeHead(400, { "content-type": "application/json" });
        response.end(JSON.stringify({ error: { code: 400, message: "messages: invalid" } }));
      }, 200);
    });
    await new Promise<void>((resolve) => refusing.listen(0, "127.0.0.1", resolve));
    const late = await startHarness({
      config: {
        backends: {
          engine: { base_url: slow.ollama.url },
          openrouter: {
            base_url: `http://127.0.0.1:${(refusing.address() as AddressInfo).port}/api/v1`,
            api_key: TEST_OPENROUTER_KEY,
          },
        },
      },
      configYaml: "claude_code:\n  ping_interval_ms: 100\n  first_byte_wait_ms: 20\n",
    });
    try {
      const response = await fetch(`${late.url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "cloud-opus", max_tokens: 50, stream: true, messages: hi }),
      });
      expect(response.status).toBe(200);
      const frames = parseSseFrames(await response.text());
      expect(frames[0]?.event).toBe("message_start");
      expect(frames.at(-1)).toMatchObject({
        event: "error",
        data: { type: "error", error: { type: "invalid_request_error" } },
      });
    } finally {
      await late.close();
      refusing.close();
    }
  });
});

describe("streams that must start before the answer", () => {
  it("a budget refusal is a real 402, even when the stream may not wait at all, for every request of a burst", async () => {
    const refusing = await startHarness({
      configYaml:
        "budget:\n  on_exhausted: reject\n  monthly_usd: 0\nclaude_code:\n  first_byte_wait_ms: 0\n",
    });
    try {
      const burst = await Promise.all(
        Array.from({ length: 50 }, () =>
          fetch(`${refusing.url}/v1/messages`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ model: "cloud-sonnet", max_tokens: 50, stream: true, messages: hi }),
          }),
        ),
      );
      for (const response of burst) {
        expect(response.status).toBe(402);
        expect(await response.json()).toMatchObject({ type: "error", error: { type: "billing_error" } });
      }
    } finally {
      await refusing.close();
    }
  });

  it("headers sent before a rung answers carry the request id and guess no alias", async () => {
    const slow = await startHarness({
      configYaml: "claude_code:\n  first_byte_wait_ms: 0\n  ping_interval_ms: 50\n",
    });
    try {
      let release: () => void = () => {};
      slow.ollama.enqueue({
        kind: "reply",
        reply: { content: "loaded" },
        until: new Promise<void>((resolve) => {
          release = resolve;
        }),
      });
      const response = await fetch(`${slow.url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "local-coder", max_tokens: 50, stream: true, messages: hi }),
      });
      expect(response.status).toBe(200);
      release();
      const frames = parseSseFrames(await response.text());
      expect(frames.at(-1)?.event).toBe("message_stop");
      const [row] = await slow.ledgerRows();
      expect(response.headers.get("x-switchyard-request-id")).toBe(row?.id);
      expect(response.headers.get("x-switchyard-task")).toBe(row?.task);
      expect(response.headers.get("x-switchyard-alias")).toBeNull();
    } finally {
      await slow.close();
    }
  });
});

describe("context fit over HTTP", () => {
  let tight: Harness;
  beforeAll(async () => {
    tight = await startHarness({
      configYaml: [
        "aliases:",
        "  local-coder: { context_window: 2000 }",
        "  local-reasoner: { context_window: 2000 }",
        "  cloud-sonnet: { context_window: 6000 }",
        "  cloud-opus: { context_window: 9000 }",
      ].join("\n"),
    });
  });
  afterAll(() => tight.close());

  const words = (count: number) =>
    "the quick brown fox jumps over the lazy dog ".repeat(Math.ceil(count / 9));

  it("a conversation too long for the local window starts on the cloud rung that holds it", async () => {
    const tightClient = new Anthropic({ baseURL: tight.url, apiKey: "unused", maxRetries: 0 });
    const { response } = await tightClient.messages
      .create({
        model: "switchyard/code-generation",
        max_tokens: 1000,
        messages: [{ role: "user", content: `Implement this:\n${words(3000)}` }],
      })
      .withResponse();
    expect(response.headers.get("x-switchyard-alias")).toBe("cloud-sonnet");

    const openai = new OpenAI({ baseURL: `${tight.url}/v1`, apiKey: "unused", maxRetries: 0 });
    const { response: openAiResponse } = await openai.chat.completions
      .create({
        model: "switchyard/code-generation",
        max_tokens: 1000,
        messages: [{ role: "user", content: `Implement this:\n${words(5500)}` }],
      })
      .withResponse();
    expect(openAiResponse.headers.get("x-switchyard-alias")).toBe("cloud-opus");
  });

  it("nothing fits: Anthropic's exact prompt-is-too-long error", async () => {
    const tightClient = new Anthropic({ baseURL: tight.url, apiKey: "unused", maxRetries: 0 });
    const error = await failure(
      tightClient.messages
        .stream({
          model: "claude-sonnet-4-6",
          max_tokens: 64_000,
          messages: [{ role: "user", content: words(20_000) }],
        })
        .finalMessage(),
    );
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(error.type).toBe("invalid_request_error");
    expect(error.apiMessage).toMatch(/^prompt is too long: \d+ tokens > 4904 maximum$/);
    expect(tight.ollama.requests.filter((request) => request.path === "/api/chat")).toHaveLength(0);
  });
});
