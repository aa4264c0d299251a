/**
 * The judge gate end to end: a scripted judge model returns a JSON score; a low score climbs the
 * ladder with the judge's reasons, a high one passes, and a judge that cannot answer is no
 * evidence either way. Judge calls are ledger rows of their own (front door "judge"), linked to
 * the request they graded.
 */
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../helpers/switchyard-harness.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const clientFor = (running: Harness) =>
  new OpenAI({ baseURL: `${running.url}/v1`, apiKey: "unused", maxRetries: 0 });
// biome-ignore lint/suspicious/noExplicitAny: request bodies are whatever the client sent
const chatBodies = (running: Harness): any[] =>
  running.openRouter.requests
    .filter((request) => request.path.endsWith("/chat/completions"))
    .map((request) => request.body);

async function settledRows(running: Harness) {
  await running.runtime.escalator.idle();
  return (await running.ledgerRows()).sort((a, b) => a.startedAt - b.startedAt || a.attempt - b.attempt);
}

describe("judge gate", () => {
  it("a low score from the rung above climbs, with the judge's reasons as feedback", async () => {
    harness = await startHarness({ configYaml: "gates:\n  gap-analysis:\n    judge: { threshold: 7 }\n" });
    harness.openRouter.enqueue(
      { kind: "reply", reply: { content: "Gap analysis v1: looks complete." } },
      {
        kind: "reply",
        reply: {
          content: 'Here is my verdict:\n{"score": 3, "reasons": ["misses the missing auth on /admin"]}',
        },
      },
      { kind: "reply", reply: { content: "Gap analysis v2: /admin has no auth check." } },
    );
    const { data, response } = await clientFor(harness)
      .chat.completions.create({
        model: "switchyard/gap-analysis",
        messages: [{ role: "user", content: "What is missing before we ship the admin panel?" }],
      })
      .withResponse();

    expect(data.choices[0]?.message.content).toBe("Gap analysis v2: /admin has no auth check.");
    expect(response.headers.get("x-switchyard-escalation-path")).toBe("cloud-sonnet->cloud-opus");
    const [answer, judge, escalated] = chatBodies(harness);
    expect(answer.model).toBe("anthropic/claude-sonnet-4.5");
    // The judge is the rung above (Opus), asked for a JSON verdict on the task's rubric.
    expect(judge.model).toBe("anthropic/claude-opus-4.6");
    expect(judge.messages[0].content).toContain('{"score": <0-10>');
    expect(judge.messages[0].content).toContain("real gaps");
    expect(judge.messages[1].content).toContain("Gap analysis v1: looks complete.");
    expect(judge.max_tokens ?? judge.max_completion_tokens).toBe(800);
    const feedback = escalated.messages.at(-1).content as string;
    expect(feedback).toContain(
      "scored the answer 3/10, below the required 7: misses the missing auth on /admin",
    );
    // Opus answered and there is no rung above it to judge: the answer stands on the structural gate.
    expect(chatBodies(harness)).toHaveLength(3);

    const rows = await settledRows(harness);
    const first = rows.find((row) => row.attempt === 1 && row.frontDoor === "openai")!;
    const judgeRow = rows.find((row) => row.frontDoor === "judge")!;
    expect(judgeRow).toMatchObject({
      parentId: first.id,
      attempt: 1,
      alias: "cloud-opus",
      task: "gap-analysis",
    });
    expect(judgeRow.costUsd).toBeGreaterThan(0);
    expect(first.gateVerdict).toBe("fail");
    expect(JSON.parse(first.gateDetail!)).toMatchObject({
      gates: ["structural", "judge"],
      judge: { alias: "cloud-opus", score: 3, threshold: 7, requestId: judgeRow.id },
    });
    const second = rows.find((row) => row.attempt === 2 && row.frontDoor === "openai")!;
    expect(second).toMatchObject({ parentId: first.id, gateVerdict: "pass" });
  });

  it("a local judge's passing score keeps the answer local", async () => {
    harness = await startHarness({
      configYaml: "gates:\n  story-drafting:\n    judge: { alias: local-coder, threshold: 6 }\n",
    });
    harness.ollama.enqueue(
      { kind: "reply", reply: { content: "As a user I want to reset my password so that I can log in." } },
      { kind: "reply", reply: { content: '```json\n{"score": "8", "reasons": ["testable criteria"]}\n```' } },
    );
    const { data, response } = await clientFor(harness)
      .chat.completions.create({
        model: "switchyard/story-drafting",
        messages: [{ role: "user", content: "Draft a story for password reset" }],
      })
      .withResponse();
    expect(data.choices[0]?.message.content).toContain("reset my password");
    expect(response.headers.get("x-switchyard-gate")).toBe("pass");
    expect(response.headers.get("x-switchyard-escalations")).toBe("0");
    expect(chatBodies(harness)).toHaveLength(0);
    const judgeCall = harness.ollama.requests.filter((request) => request.path === "/api/chat")[1];
    expect(judgeCall?.body).toMatchObject({ model: "qwen2.5-coder:32b" });
    const rows = await settledRows(harness);
    expect(rows.find((row) => row.frontDoor === "openai")?.gateDetail).toContain('"score":8');
  });

  it("a judge that gives no score is inconclusive: the answer is not failed for it", async () => {
    harness = await startHarness({ configYaml: "gates:\n  gap-analysis:\n    judge: {}\n" });
    harness.openRouter.enqueue(
      { kind: "reply", reply: { content: "Analysis." } },
      { kind: "reply", reply: { content: "It seems fine, I suppose." } },
    );
    const { response } = await clientFor(harness)
      .chat.completions.create({
        model: "switchyard/gap-analysis",
        messages: [{ role: "user", content: "gaps?" }],
      })
      .withResponse();
    expect(response.headers.get("x-switchyard-gate")).toBe("pass");
    expect(response.headers.get("x-switchyard-escalations")).toBe("0");
    const rows = await settledRows(harness);
    const detail = JSON.parse(rows.find((row) => row.frontDoor === "openai")!.gateDetail!);
    expect(detail.gates).toEqual(["structural"]);
    expect(detail.findings[0]).toMatchObject({ gate: "judge", check: "inconclusive" });
  });
});
