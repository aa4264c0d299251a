/**
 * The shared budget-store suite against PostgreSQL, on a throwaway server (real concurrent
 * connections and processes), and the server's budget on it end to end. Skips, saying why, only
 * when no server can be started here.
 */
import OpenAI from "openai";
import { afterAll, describe, expect, it } from "vitest";
import { startPostgresServer } from "../helpers/postgres-server.js";
import { startHarness } from "../helpers/switchyard-harness.js";
import { describeBudgetStore } from "./budget-store-suite.js";

const postgres = await startPostgresServer();

if ("skipReason" in postgres) {
  console.warn(`Skipping the PostgreSQL budget-store tests: ${postgres.skipReason}`);
  describe.skip(`budget store: PostgreSQL (skipped: ${postgres.skipReason})`, () => {
    it("needs a PostgreSQL server", () => {});
  });
} else {
  const { server } = postgres;
  afterAll(() => server.stop());
  describeBudgetStore("PostgreSQL", () => server.createDatabase());

  describe("the server's budget on PostgreSQL", () => {
    it("fits exactly 20 racing paid requests under a cap that fits 20 and books what they cost", async () => {
      // Worst case about $0.0151 each (see budget-gateway.test.ts): $0.31 fits 20, not 21.
      const harness = await startHarness({
        config: {
          database: { url: await server.createDatabase() },
          budget: { on_exhausted: "reject", monthly_usd: 0.31 },
        },
      });
      try {
        harness.openRouter.setDefault({
          kind: "reply",
          reply: { content: "ok", cost: 0.015 },
          delayMs: 1_000,
        });
        const client = new OpenAI({ baseURL: `${harness.url}/v1`, apiKey: "unused", maxRetries: 0 });
        const ask = () =>
          client.chat.completions.create({
            model: "switchyard/code-review",
            messages: [{ role: "user", content: "Review this diff" }],
            max_tokens: 1_000,
          });
        const results = await Promise.allSettled(Array.from({ length: 100 }, ask));
        expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(20);
        await harness.runtime.budget.idle();
        const monthly = (await harness.runtime.budget.status()).lines[0]!;
        expect(monthly.settledUsd).toBeCloseTo(0.3, 9);
        expect(monthly.reservedUsd).toBe(0);
      } finally {
        await harness.close();
      }
    }, 30_000);
  });
}
