/**
 * A reservation is an upper bound of what a request can cost, so no interleaving of concurrent
 * requests settles past a cap — even when the provider's tokenizer counts more than Switchyard's
 * own estimate (it can never count more than the bytes it was sent, plus framing).
 */
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { builtInCatalog, priceOf } from "../../src/budget/model-catalog.js";
import { chatRequestTokenBound, estimateChatRequestTokens } from "../../src/protocol/token-estimate.js";
import type { ScriptedAnswer } from "../helpers/scripted-backend.js";
import { type Spine, startSpine } from "../helpers/spine-harness.js";

let spine: Spine | undefined;
afterEach(async () => {
  await spine?.close();
  spine = undefined;
});

const CAP_USD = 0.05;
const capped = `budget:\n  monthly_usd: ${CAP_USD}\n  on_exhausted: reject\n`;
const opus = priceOf(builtInCatalog(), "anthropic/claude-opus-4.6")!;

async function settledUsd(running: Spine): Promise<number> {
  await running.runtime.switchyard.idle();
  await running.runtime.budget.idle();
  return (await running.runtime.budget.status()).lines[0]!.settledUsd;
}

describe("the worst case is a bound", () => {
  it("200 concurrent Opus requests billed by a tokenizer that counts 3x the estimate never pass the cap", async () => {
    spine = await startSpine(capped);
    const content = "Explain this design decision in detail please. ".repeat(5);
    const request = { model: "cloud-opus", content, maxTokens: 30 };
    const estimate = estimateChatRequestTokens({
      model: "cloud-opus",
      messages: [{ role: "user", content }],
      stream: false,
    });
    // Each answer: three times the estimated prompt, the full 30 output tokens, priced from the catalog.
    let release: () => void = () => {};
    const allAsked = new Promise<void>((resolve) => {
      release = resolve;
    });
    const answer: ScriptedAnswer = {
      kind: "reply",
      text: "ok",
      usage: { inputTokens: estimate * 3, outputTokens: 30 },
      after: allAsked,
    };
    spine.openRouter.enqueue(...Array.from({ length: 200 }, () => answer));
    // Let every reservation be decided (asked upstream, or refused) before any answer settles: the
    // tightest interleaving.
    let refusals = 0;
    const decided = Array.from({ length: 200 }, () =>
      spine!.ask(request).catch((error: unknown) => {
        refusals++;
        throw error;
      }),
    );
    const results = Promise.allSettled(decided);
    while (spine.openRouter.calls.length + refusals < 200)
      await new Promise((resolve) => setImmediate(resolve));
    release();
    const outcomes = await results;
    const answered = outcomes.filter((outcome) => outcome.status === "fulfilled").length;
    const real = estimate * 3 * opus.inputUsdPerToken + 30 * opus.outputUsdPerToken;
    expect(answered).toBeGreaterThan(0);
    expect(answered).toBeLessThanOrEqual(Math.floor(CAP_USD / real));
    expect(await settledUsd(spine)).toBeLessThanOrEqual(CAP_USD);
    const refused = outcomes.find((outcome) => outcome.status === "rejected");
    expect(refused && refused.status === "rejected" ? refused.reason : undefined).toMatchObject({
      code: "budget-exceeded",
    });
  });

  it("holds for any mix of prompt sizes, output limits, billed usage within the bound and finishing order", async () => {
    const billing = new Map<string, ScriptedAnswer>();
    spine = await startSpine(capped, {
      openRouter: (call) =>
        billing.get(String(call.request.messages[0]?.content)) ?? { kind: "reply", text: "?" },
    });
    const running = spine;
    const requestShape = fc.record({
      words: fc.integer({ min: 1, max: 400 }),
      maxTokens: fc.integer({ min: 1, max: 400 }),
      // What the provider bills, as a share of what it could bill at most.
      inputShare: fc.double({ min: 0, max: 1, noNaN: true }),
      outputShare: fc.double({ min: 0, max: 1, noNaN: true }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(requestShape, { minLength: 5, maxLength: 40 }),
        fc.infiniteStream(fc.nat()),
        async (shapes, order) => {
          const before = await settledUsd(running);
          const releases: Array<() => void> = [];
          const calls = shapes.map((shape, index) => {
            // Each answer is keyed to its own request: calls reach the back end in any order.
            const content = `${index}: ${"token ".repeat(shape.words)}`;
            const bound = chatRequestTokenBound({
              model: "cloud-opus",
              messages: [{ role: "user", content }],
              stream: false,
            });
            billing.set(content, {
              kind: "reply",
              text: "ok",
              usage: {
                inputTokens: Math.floor(bound * shape.inputShare),
                outputTokens: Math.floor(shape.maxTokens * shape.outputShare),
              },
              after: new Promise<void>((resolve) => releases.push(resolve)),
            });
            return running.ask({ model: "cloud-opus", content, maxTokens: shape.maxTokens });
          });
          const settled = Promise.allSettled(calls);
          // Release the answers in an arbitrary order.
          const pending = [...releases];
          const picks = order[Symbol.iterator]();
          while (pending.length > 0) {
            const index = (picks.next().value as number) % pending.length;
            pending.splice(index, 1)[0]!();
            await Promise.resolve();
          }
          await settled;
          const after = await settledUsd(running);
          expect(after).toBeLessThanOrEqual(CAP_USD + 1e-9);
          expect(after).toBeGreaterThanOrEqual(before);
        },
      ),
      { numRuns: 15 },
    );
  });
});
