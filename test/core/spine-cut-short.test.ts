/**
 * A paid answer cut short is still paid: the caller went away mid-stream, or the upstream broke
 * off, and the provider bills what it generated. The attempt is settled from what was streamed and
 * marked estimated; through OpenRouter, the figure it billed is looked up later and the row and the
 * budget are corrected to it.
 */
import { afterEach, describe, expect, it } from "vitest";
import { SwitchyardError } from "../../src/errors/switchyard-error.js";
import { Cancellation } from "../../src/protocol/cancel-signal.js";
import { collectChatEvents } from "../../src/protocol/chat-types.js";
import { type Spine, startSpine } from "../helpers/spine-harness.js";
import { type Harness, startHarness } from "../helpers/switchyard-harness.js";

let spine: Spine | undefined;
let harness: Harness | undefined;
afterEach(async () => {
  await spine?.close();
  await harness?.close();
  spine = undefined;
  harness = undefined;
});

const paidStream = { model: "cloud-sonnet", stream: true, content: "Explain the pager bug." };

async function spending(running: Spine | Harness) {
  await running.runtime.switchyard.idle();
  await running.runtime.budget.idle();
  return (await running.runtime.budget.status()).lines[0]!;
}

describe("settled from what was streamed", () => {
  it("an upstream that breaks off mid-answer: the row is estimated and the budget pays it", async () => {
    spine = await startSpine();
    spine.openRouter.enqueue({
      kind: "break",
      text: "The pager skips the last page because the loop stops one short of the total. ".repeat(8),
      error: new SwitchyardError("upstream-error", "the stream broke", { backend: "openrouter" }),
    });
    const answer = await spine.call(paidStream).answer;
    await expect(collectChatEvents(answer.events)).rejects.toMatchObject({ code: "upstream-error" });
    const [row] = await spine.rows();
    expect(row).toMatchObject({ status: "error", costEstimated: true });
    expect(row!.outputTokens).toBeGreaterThan(50);
    expect(row!.costUsd).toBeGreaterThan(row!.outputTokens * 15e-6);
    const budget = await spending(spine);
    expect(budget.settledUsd).toBeCloseTo(row!.costUsd, 6);
    expect(budget.reservedUsd).toBe(0);
  });

  it("a caller that goes away mid-answer is billed for what came", async () => {
    spine = await startSpine();
    spine.openRouter.enqueue({
      kind: "reply",
      text: "A long answer the caller will not wait for. ".repeat(10),
    });
    const cancellation = new Cancellation();
    const answer = await spine.call(paidStream, { signal: cancellation }).answer;
    for await (const event of answer.events) {
      if (event.type === "text-delta") {
        cancellation.abort();
        break;
      }
    }
    const [row] = await spine.rows();
    expect(row).toMatchObject({ status: "aborted", costEstimated: true });
    expect(row!.costUsd).toBeGreaterThan(0);
    expect((await spending(spine)).settledUsd).toBeCloseTo(row!.costUsd, 6);
  });
});

describe("through OpenRouter, reconciled with what it billed", () => {
  it("looks the generation up, settles its exact cost and corrects the row", async () => {
    harness = await startHarness({ runtime: { generationRetryDelaysMs: [0, 0, 0] } });
    harness.openRouter.generationLookupDelay = 1;
    harness.openRouter.enqueue({
      kind: "reply",
      reply: { content: "word ".repeat(400), chunkSize: 20, chunkDelayMs: 5, cost: 0.02 },
    });
    const controller = new AbortController();
    const response = await fetch(`${harness.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "cloud-sonnet",
        stream: true,
        messages: [{ role: "user", content: "write words" }],
      }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await harness.openRouter.waitForAborts(1);
    await harness.runtime.switchyard.idle();
    const [row] = await harness.ledgerRows();
    const [billed] = [...harness.openRouter.generations.values()];
    expect(billed?.cancelled).toBe(true);
    expect(billed!.lookups).toBeGreaterThanOrEqual(2);
    expect(row).toMatchObject({ status: "aborted", costEstimated: false, reportedCostUsd: billed!.cost });
    expect(row!.costUsd).toBeCloseTo(billed!.cost, 9);
    const budget = await spending(harness);
    expect(budget.settledUsd).toBeCloseTo(billed!.cost, 6);
    expect(budget.reservedUsd).toBe(0);
  });
});
