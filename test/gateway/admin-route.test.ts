/**
 * `POST /admin/route`: the routing plan for a prompt from the running planner — the decision
 * `switchyard route --json` prints, plus confidence, back end and budget stand-ins — with nothing
 * sent to a model; bad bodies refused in the OpenAI error shape, naming the field.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TaskRouter } from "../../src/routing/task-router.js";
import { type Harness, startHarness } from "../helpers/switchyard-harness.js";

const token = "admin-route-token";
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ authTokens: [token] });
});
afterAll(() => harness?.close());

async function postRoute(
  body: unknown,
  headers: Record<string, string> = { authorization: `Bearer ${token}` },
) {
  const response = await fetch(`${harness.url}/admin/route`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("POST /admin/route", () => {
  it("answers with the decision switchyard route prints, and calls no model", async () => {
    const prompt = "Write a commit message for: fix the typo in the README";
    const { status, body } = await postRoute({ prompt });
    expect(status).toBe(200);
    const route = new TaskRouter(harness.config).route({
      model: "switchyard/auto",
      messages: [{ role: "user", content: prompt }],
    });
    const first = route.ladder[0]!;
    expect(body).toMatchObject({
      task: route.task,
      tier: first.tier,
      alias: first.alias,
      model: first.model,
      selector: route.selector,
      ladder: route.ladder.map((step) => step.alias),
      signals: route.signals(),
    });
    expect(body).toMatchObject({ backend: first.backend, downgrades: expect.any(Array) });
    expect(body.confidence).toBeGreaterThan(0);
    expect(harness.ollama.requests.filter((entry) => entry.path === "/api/chat")).toHaveLength(0);
    expect(await harness.ledgerRows()).toHaveLength(0);
  });

  it("takes a task and a system prompt as switchyard route --task and --system do", async () => {
    const { body } = await postRoute({ prompt: "hello", task: "architecture", system: "You are terse." });
    expect(body).toMatchObject({
      task: "architecture",
      tier: 3,
      alias: "cloud-opus",
      selector: "task-header",
      confidence: 1,
    });
  });

  it("refuses a bad body in the OpenAI error shape, naming the field, and needs the token", async () => {
    const missing = await postRoute({ task: "lint" });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({
      error: expect.objectContaining({
        message: "Invalid request: prompt: is required: the prompt to plan for",
        type: "invalid_request_error",
      }),
    });
    const badTask = await postRoute({ prompt: "hi", task: "poetry" });
    expect((badTask.body.error as { message: string }).message).toMatch(
      /^Invalid request: task: must be one of the 15 task kinds: code-generation, /,
    );
    const extra = await postRoute({ prompt: "hi", temperature: 2 });
    expect((extra.body.error as { message: string }).message).toContain('Unrecognized key: "temperature"');
    expect((await postRoute({ prompt: "hi" }, {})).status).toBe(401);
  });
});
