/**
 * Requests that fail before any route runs — JSON nested thousands of levels deep, a URL that is
 * not valid percent-encoding, headers over the size limit, bytes that are not HTTP — answered as
 * 4xx in the shape of the door they were sent to, never a 500 or Fastify's own body.
 */
import { connect } from "node:net";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonNestingExceeds, MAX_JSON_DEPTH } from "../../src/gateway/json-body-parser.js";
import { type Harness, startHarness } from "../helpers/switchyard-harness.js";

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());

/** `{"a": {"a": … 1 …}}`, `levels` objects deep. */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { type: "object" };
  for (let level = 1; level < levels; level++) value = { a: value };
  return value;
}

/** Sends `text` on a fresh connection and resolves with everything the server wrote before closing. */
function rawExchange(text: string): Promise<{ status: number; body: unknown }> {
  const { hostname, port } = new URL(harness.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(text));
    let received = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      received += chunk;
    });
    socket.on("error", reject);
    socket.on("close", () => {
      const [head = "", body = ""] = received.split("\r\n\r\n");
      resolve({ status: Number(head.split(" ")[1]), body: JSON.parse(body) });
    });
  });
}

describe("JSON nested too deep", () => {
  it("is a 400 in Anthropic's shape on /v1/messages (1,500 levels overflowed the stack before)", async () => {
    const client = new Anthropic({ baseURL: harness.url, apiKey: "unused", maxRetries: 0 });
    const error = await client.messages
      .create({
        model: "local-coder",
        max_tokens: 10,
        messages: [{ role: "user", content: "hi" }],
        tools: [{ name: "deep", input_schema: nested(1_500) as Anthropic.Tool.InputSchema }],
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    const apiError = error as InstanceType<typeof Anthropic.BadRequestError>;
    expect(apiError.error).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
    expect(apiError.message).toContain(`nests JSON more than ${MAX_JSON_DEPTH} levels deep`);
    expect(harness.ollama.requests).toHaveLength(0);
  });

  it("is a 400 invalid-request in OpenAI's shape on /v1/chat/completions (4,200 levels)", async () => {
    // Built as text: the OpenAI SDK itself overflows serialising 4,200 levels.
    const deep = `${'{"a":'.repeat(4_200)}1${"}".repeat(4_200)}`;
    const response = await request(`${harness.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: `{"model":"local-coder","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"deep","parameters":${deep}}}]}`,
    });
    expect(response.statusCode).toBe(400);
    expect(await response.body.json()).toMatchObject({
      error: {
        type: "invalid_request_error",
        code: "invalid-request",
        message: expect.stringContaining("flatten the structure"),
      },
    });
  });

  it("lets real nesting through: a tool schema 100 levels deep is answered", async () => {
    const client = new OpenAI({ baseURL: `${harness.url}/v1`, apiKey: "unused", maxRetries: 0 });
    const answer = await client.chat.completions.create({
      model: "local-coder",
      messages: [{ role: "user", content: "hi" }],
      tools: [{ type: "function", function: { name: "deep", parameters: nested(100) } }],
    });
    expect(answer.choices[0]?.message.content).toBe("Hello from qwen2.5-coder:32b");
  });

  it("counts brackets outside strings only, at the limit exactly", () => {
    const depth = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`;
    expect(jsonNestingExceeds(depth(128), 128)).toBe(false);
    expect(jsonNestingExceeds(depth(129), 128)).toBe(true);
    const brackets = JSON.stringify({ code: "{[".repeat(500), quoted: 'a \\" [[[ \\\\', list: [[1]] });
    expect(jsonNestingExceeds(brackets, 3)).toBe(false);
    expect(jsonNestingExceeds(brackets, 2)).toBe(true);
    expect(jsonNestingExceeds(`{"a": "\\\\"} ${depth(5)}`, 4)).toBe(true);
  });
});

describe("a URL that is not valid percent-encoding", () => {
  const post = (path: string, body: string) =>
    request(`${harness.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });

  it("in the path is a 400 in each door's shape", async () => {
    const openAi = await post("/v1/chat%zzcompletions", "{}");
    expect(openAi.statusCode).toBe(400);
    expect(await openAi.body.json()).toMatchObject({
      error: {
        type: "invalid_request_error",
        code: "invalid-request",
        message: expect.stringContaining("%25"),
      },
    });
    const anthropic = await post("/v1/messages%zz", "{}");
    expect(anthropic.statusCode).toBe(400);
    expect(await anthropic.body.json()).toMatchObject({
      type: "error",
      error: {
        type: "invalid_request_error",
        message: expect.stringContaining("not valid percent-encoding"),
      },
    });
  });

  it("in the query string is ignored: the request is answered", async () => {
    const response = await post(
      "/v1/chat/completions?x=%zz",
      JSON.stringify({ model: "local-coder", messages: [{ role: "user", content: "hi" }] }),
    );
    expect(response.statusCode).toBe(200);
    expect(await response.body.json()).toMatchObject({ object: "chat.completion" });
  });
});

describe("errors Node raises while reading the request", () => {
  const bigHeader = `X-Big: ${"a".repeat(20_000)}\r\n`;

  it("headers over 16 KiB are a 431 in the door's shape", async () => {
    const anthropic = await rawExchange(`POST /v1/messages HTTP/1.1\r\nHost: x\r\n${bigHeader}\r\n`);
    expect(anthropic.status).toBe(431);
    expect(anthropic.body).toMatchObject({
      type: "error",
      error: { type: "invalid_request_error", message: expect.stringContaining("larger than 16 KiB") },
    });
    const openAi = await rawExchange(`POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n${bigHeader}\r\n`);
    expect(openAi.status).toBe(431);
    expect(openAi.body).toMatchObject({ error: { code: "invalid-request", type: "invalid_request_error" } });
  });

  it("a request that is not HTTP is a 400 in the door's shape", async () => {
    const result = await rawExchange("POST /v1/messages HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n");
    expect(result.status).toBe(400);
    expect(result.body).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
  });
});
