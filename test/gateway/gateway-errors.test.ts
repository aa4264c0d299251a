/**
 * Bad input and auth at the OpenAI front door: every failure is a 4xx in OpenAI's error shape that
 * says what was wrong, and nothing reaches a back end.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertSafeToListen } from "../../src/gateway/gateway-server.js";
import { type Harness, startHarness } from "../helpers/switchyard-harness.js";

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({
    authTokens: ["brain-token"],
    config: { server: { host: "127.0.0.1", port: 0, auth_tokens: ["brain-token"], body_limit_mb: 0.05 } },
  });
});
afterAll(() => harness.close());

async function post(body: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${harness.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer brain-token", ...headers },
    body,
  });
  return {
    status: response.status,
    body: (await response.json()) as { error: { message: string; type: string; code: string } },
  };
}

describe("auth", () => {
  it("refuses a missing or wrong token with a 401 in OpenAI's shape", async () => {
    const noToken = new OpenAI({ baseURL: `${harness.url}/v1`, apiKey: "wrong", maxRetries: 0 });
    const error = await noToken.chat.completions
      .create({ model: "local-coder", messages: [{ role: "user", content: "hi" }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as Error).message).toContain("Invalid API token");

    const missing = await post("{}", { authorization: "" });
    expect(missing.status).toBe(401);
    expect(missing.body.error.message).toContain("Missing API token");
    expect(harness.ollama.requests).toHaveLength(0);
  });

  it("accepts the bearer token and x-api-key; /healthz needs none", async () => {
    const client = new OpenAI({ baseURL: `${harness.url}/v1`, apiKey: "brain-token", maxRetries: 0 });
    const answer = await client.chat.completions.create({
      model: "local-coder",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(answer.choices[0]?.message.content).toBe("Hello from qwen2.5-coder:32b");
    const viaApiKey = await fetch(`${harness.url}/v1/models`, { headers: { "x-api-key": "brain-token" } });
    expect(viaApiKey.status).toBe(200);
    const health = await fetch(`${harness.url}/healthz`);
    expect(await health.json()).toMatchObject({ status: "ok" });
  });

  it("will not listen on a LAN address without a token, and says why", () => {
    expect(() => assertSafeToListen("0.0.0.0", [])).toThrow(
      /Refusing to listen on 0.0.0.0 without an auth token/,
    );
    expect(() => assertSafeToListen("0.0.0.0", ["t"])).not.toThrow();
    expect(() => assertSafeToListen("127.0.0.1", [])).not.toThrow();
    expect(() => assertSafeToListen("::1", [])).not.toThrow();
  });
});

describe("bad input", () => {
  it("malformed JSON is a 400 that says so", async () => {
    const result = await post('{"model": "auto", "messages": [');
    expect(result.status).toBe(400);
    expect(result.body.error).toMatchObject({ type: "invalid_request_error", code: "invalid-request" });
    expect(result.body.error.message).toContain("not valid JSON");
  });

  it("missing messages, wrong roles and bad values name the field", async () => {
    const missing = await post(JSON.stringify({ model: "auto" }));
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toContain("messages");

    const badRole = await post(
      JSON.stringify({ model: "auto", messages: [{ role: "robot", content: "x" }] }),
    );
    expect(badRole.status).toBe(400);
    expect(badRole.body.error.message).toContain("messages.0.role");

    const badTemperature = await post(
      JSON.stringify({ model: "auto", messages: [{ role: "user", content: "x" }], temperature: 7 }),
    );
    expect(badTemperature.status).toBe(400);
    expect(badTemperature.body.error.message).toContain("temperature");

    const notObject = await post(JSON.stringify([1, 2]));
    expect(notObject.status).toBe(400);
    expect(notObject.body.error.message).toContain("JSON object");
  });

  it("an unknown x-switchyard-task is a 400 listing the task kinds", async () => {
    const result = await post(JSON.stringify({ model: "auto", messages: [{ role: "user", content: "x" }] }), {
      "x-switchyard-task": "poetry",
    });
    expect(result.status).toBe(400);
    expect(result.body.error.message).toContain("code-generation");
  });

  it("an oversize body is a 413 that names the setting", async () => {
    const result = await post(
      JSON.stringify({ model: "auto", messages: [{ role: "user", content: "x".repeat(100_000) }] }),
    );
    expect(result.status).toBe(413);
    expect(result.body.error.message).toContain("server.body_limit_mb");
  });

  it("an unknown route is a 404 in OpenAI's shape listing the routes", async () => {
    const response = await fetch(`${harness.url}/v1/completions`, {
      method: "POST",
      headers: { authorization: "Bearer brain-token" },
    });
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toContain("/v1/chat/completions");
  });

  it("none of it reached a back end or the ledger", async () => {
    expect(harness.ollama.requests.filter((request) => request.path === "/api/chat")).toHaveLength(1);
    expect(await harness.ledgerRows()).toHaveLength(1);
  });
});
