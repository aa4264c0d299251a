/**
 * Budgets end to end through the OpenAI front door: downgrade and reject at a cap, the per-request
 * opt-out, 200 concurrent paid requests against a budget that fits exactly 20, alerts delivered
 * once per threshold to a webhook, and the admin API.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SqliteBudgetStore } from "../../src/store/sqlite-budget-store.js";
import { type Harness, startHarness } from "../helpers/switchyard-harness.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function clientFor(running: Harness) {
  return new OpenAI({ baseURL: `${running.url}/v1`, apiKey: "unused", maxRetries: 0 });
}

const paidQuestion = {
  model: "switchyard/code-review",
  messages: [{ role: "user" as const, content: "Review this diff" }],
};

describe("at the cap", () => {
  it("downgrade (the default) answers on a local model and says so", async () => {
    harness = await startHarness({ configYaml: "budget:\n  aliases:\n    cloud-sonnet: 0\n" });
    const { data, response } = await clientFor(harness).chat.completions.create(paidQuestion).withResponse();
    expect(response.headers.get("x-switchyard-downgraded")).toBe("cloud-sonnet->local-coder");
    expect(response.headers.get("x-switchyard-model")).toBe("qwen2.5-coder:32b");
    expect(data.choices[0]?.message.content).toBe("Hello from qwen2.5-coder:32b");
    expect(
      harness.openRouter.requests.filter((request) => request.path.endsWith("/chat/completions")),
    ).toHaveLength(0);
    const [row] = await harness.ledgerRows();
    expect(row).toMatchObject({
      task: "code-review",
      alias: "local-coder",
      budgetAction: "downgraded",
      costUsd: 0,
    });
    expect(row?.fallbackHops[0]?.reason).toContain("cloud-sonnet ceiling $0.00");
  });

  it("reject answers 402 naming the budget, its limit, the spend and the reset", async () => {
    harness = await startHarness({ configYaml: "budget:\n  on_exhausted: reject\n  monthly_usd: 0\n" });
    const error = await clientFor(harness)
      .chat.completions.create(paidQuestion)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    const apiError = error as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(402);
    expect(apiError.message).toMatch(
      /Monthly budget exhausted: monthly total \$0\.00, spent \$0\.00 .*resets \d{4}-\d{2}-01/,
    );
    expect(apiError.error).toMatchObject({
      code: "budget-exceeded",
      details: { budget: "monthly", limit_usd: 0 },
    });
    const [row] = await harness.ledgerRows();
    expect(row).toMatchObject({ status: "error", errorCode: "budget-exceeded", budgetAction: "rejected" });
  });

  it("x-switchyard-no-downgrade turns a downgrade into a 402", async () => {
    harness = await startHarness({ configYaml: "budget:\n  aliases:\n    cloud-sonnet: 0\n" });
    const error = await clientFor(harness)
      .chat.completions.create(paidQuestion, { headers: { "x-switchyard-no-downgrade": "true" } })
      .catch((caught: unknown) => caught);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(402);
    expect((error as Error).message).toContain("cloud-sonnet ceiling $0.00");
  });

  it("local work is never capped", async () => {
    harness = await startHarness({ configYaml: "budget:\n  on_exhausted: reject\n  monthly_usd: 0\n" });
    const answer = await clientFor(harness).chat.completions.create({
      model: "switchyard/commit-message",
      messages: [{ role: "user", content: "fix typo" }],
    });
    expect(answer.choices[0]?.message.content).toBe("Hello from qwen2.5-coder:32b");
  });
});

describe("at the cap, in Anthropic's protocol", () => {
  const anthropicFor = (running: Harness) =>
    new Anthropic({ baseURL: running.url, apiKey: "unused", maxRetries: 0 });
  const reviewRequest = {
    model: "switchyard/code-review",
    max_tokens: 500,
    messages: [{ role: "user" as const, content: "Review this diff" }],
  };

  it("reject is a 402 billing_error naming the budget", async () => {
    harness = await startHarness({
      configYaml: "budget:\n  on_exhausted: reject\n  aliases:\n    cloud-sonnet: 0\n",
    });
    const error = await anthropicFor(harness)
      .messages.create(reviewRequest)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    const apiError = error as InstanceType<typeof Anthropic.APIError>;
    expect(apiError.status).toBe(402);
    expect(apiError.error).toMatchObject({ type: "error", error: { type: "billing_error" } });
    expect(apiError.message).toContain("cloud-sonnet ceiling $0.00");
  });

  it("downgrade answers from a local model, streamed too, and says so in a header", async () => {
    harness = await startHarness({ configYaml: "budget:\n  aliases:\n    cloud-sonnet: 0\n" });
    const { data, response } = await anthropicFor(harness).messages.create(reviewRequest).withResponse();
    expect(response.headers.get("x-switchyard-downgraded")).toBe("cloud-sonnet->local-coder");
    expect(data.content[0]).toMatchObject({ type: "text", text: "Hello from qwen2.5-coder:32b" });
    const stream = anthropicFor(harness).messages.stream(reviewRequest);
    const final = await stream.finalMessage();
    expect(final.content[0]).toMatchObject({ type: "text", text: "Hello from qwen2.5-coder:32b" });
  });
});

describe("200 concurrent paid requests against a budget that fits 20", () => {
  it("lets exactly 20 through and never spends past the cap", async () => {
    // Each request reserves its worst case: prompt estimate × $3/M + 1,000 output tokens × $15/M
    // = about $0.0151. A $0.31 monthly budget fits 20 of those and not 21.
    harness = await startHarness({ configYaml: "budget:\n  on_exhausted: reject\n  monthly_usd: 0.31\n" });
    harness.openRouter.setDefault({ kind: "reply", reply: { content: "ok", cost: 0.015 }, delayMs: 3_000 });
    const client = clientFor(harness);
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, () =>
        client.chat.completions.create({ ...paidQuestion, max_tokens: 1_000 }),
      ),
    );
    const succeeded = results.filter((result) => result.status === "fulfilled");
    const refused = results.filter(
      (result) =>
        result.status === "rejected" &&
        (result.reason as InstanceType<typeof OpenAI.APIError>).status === 402,
    );
    expect(succeeded).toHaveLength(20);
    expect(refused).toHaveLength(180);
    const overview = (await (await fetch(`${harness.url}/admin/budgets`)).json()) as {
      status: { lines: Array<{ budget: string; settledUsd: number; reservedUsd: number; limitUsd: number }> };
    };
    const monthly = overview.status.lines.find((line) => line.budget === "monthly")!;
    expect(monthly.settledUsd).toBeCloseTo(0.3, 6);
    expect(monthly.settledUsd).toBeLessThanOrEqual(monthly.limitUsd);
    expect(monthly.reservedUsd).toBe(0);
    const rows = await harness.ledgerRows();
    expect(rows.filter((row) => row.status === "ok")).toHaveLength(20);
    expect(rows.filter((row) => row.budgetAction === "rejected")).toHaveLength(180);
  }, 30_000);
});

describe("far from the cap", () => {
  it("100 concurrent paid requests hold a few blocks, not 100 reservations, and book every micro-dollar", async () => {
    // The process clock stands still while the requests arrive, however slowly a busy machine
    // gets them through: every block fills "fast" and none reaches the end of its grant window.
    // The upstream holds every answer until all 100 are in flight (a gate, not a delay).
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      harness = await startHarness();
    } finally {
      vi.useRealTimers();
    }
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    harness.openRouter.setDefault({ kind: "reply", reply: { content: "ok", cost: 0.0123 }, until: gate });
    const client = clientFor(harness);
    const database = (harness.runtime.stores.budget as SqliteBudgetStore).database;
    const answers = Promise.all(
      Array.from({ length: 100 }, () =>
        client.chat.completions.create({ ...paidQuestion, max_tokens: 1_000 }),
      ),
    );
    // Never left unhandled if an assertion below fails first.
    answers.catch(() => {});
    await harness.openRouter.waitForChatRequests(100, 60_000);
    // Each worst case: 1,000 output tokens at $15/M plus the prompt's bound (48 tokens at $3/M).
    const worstCase = 15_144;
    // A block of 75¢ (a quarter of 5% of Sonnet's $60 ceiling) holds 49 of these worst cases; used
    // up within 25 ms, the next takes those 49 over with twice the headroom, room for the other 51,
    // and the first is given back.
    const held = database.prepare("SELECT amount_micro_usd AS amount FROM budget_reservations").all();
    expect(held).toEqual([{ amount: 49 * worstCase + 1_500_000 }]);
    const during = await harness.runtime.budget.status();
    expect(during.lines[0]?.reservedUsd).toBeCloseTo((100 * worstCase) / 1e6, 3);
    release();
    await answers;
    await harness.runtime.budget.idle();
    const after = await harness.runtime.budget.status();
    expect(after.lines[0]?.settledUsd).toBeCloseTo(100 * 0.0123, 9);
    expect(after.lines[0]?.reservedUsd).toBe(0);
    const rows = await harness.ledgerRows();
    expect(rows.reduce((sum, row) => sum + row.costUsd, 0)).toBeCloseTo(after.lines[0]!.settledUsd, 9);
    expect(database.prepare("SELECT SUM(requests) AS requests FROM budget_spend").get()).toEqual({
      requests: 100,
    });
    // Nothing is left held once the traffic stops, for other processes on the same file either:
    // the idle blocks go at the next syncs (waited for as long as a busy machine needs).
    await expect
      .poll(() => database.prepare("SELECT COUNT(*) AS count FROM budget_reservations").get(), {
        timeout: 30_000,
      })
      .toEqual({ count: 0 });
  });
});

describe("shutting down with paid requests in flight", () => {
  it("answers every one, closes at once rather than after the keep-alive timeout, and books them all", async () => {
    const running = await startHarness();
    running.openRouter.setDefault({ kind: "reply", reply: { content: "ok", cost: 0.0123 }, delayMs: 300 });
    const client = clientFor(running);
    const answers = Promise.allSettled(
      Array.from({ length: 50 }, () =>
        client.chat.completions.create({ ...paidQuestion, max_tokens: 1_000 }),
      ),
    );
    await running.openRouter.waitForChatRequests(50, 60_000);
    const started = Date.now();
    // What `switchyard serve` does on SIGTERM.
    await running.gateway.app.close();
    await running.runtime.close();
    // The client keeps its connections alive (65 s on the server's side); close waits only for answers.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await answers).every((answer) => answer.status === "fulfilled")).toBe(true);
    const store = SqliteBudgetStore.open(String(running.config.database.url));
    try {
      expect((await store.spending(running.runtime.budget.period().key)).total).toEqual({
        settledMicroUsd: 50 * 12_300,
        reservedMicroUsd: 0,
      });
    } finally {
      await store.close();
      await Promise.all([running.ollama.close(), running.openRouter.close()]);
    }
  });
});

describe("alerts", () => {
  let webhook: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => webhook?.close(resolve));
    webhook = undefined;
  });

  it("each threshold fires once per period, to the webhook, the log and the admin API", async () => {
    const received: Array<{ budget: string; threshold_percent: number }> = [];
    webhook = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk) => {
        body += chunk;
      });
      request.on("end", () => {
        received.push(JSON.parse(body) as { budget: string; threshold_percent: number });
        response.end("ok");
      });
    });
    await new Promise<void>((resolve) => webhook!.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/alerts`;
    harness = await startHarness({
      configYaml: `budget:\n  monthly_usd: 1\n  alerts:\n    webhooks:\n      - { url: "${url}", format: json }\n`,
    });
    harness.openRouter.setDefault({ kind: "reply", reply: { content: "ok", cost: 0.3 } });
    const client = clientFor(harness);
    // max_tokens keeps each worst-case reservation small ($0.015), so all four fit until the cap.
    const ask = () => client.chat.completions.create({ ...paidQuestion, max_tokens: 1_000 });
    for (let index = 0; index < 3; index++) await ask();
    await harness.runtime.budget.idle();
    // $0.30 → nothing; $0.60 → 50%; $0.90 → 80%.
    expect(received.map((alert) => [alert.budget, alert.threshold_percent])).toEqual([
      ["monthly", 50],
      ["monthly", 80],
    ]);
    await ask();
    await harness.runtime.budget.idle();
    const thresholds = received
      .filter((alert) => alert.budget === "monthly")
      .map((alert) => alert.threshold_percent);
    expect(thresholds).toEqual([50, 80, 100]);
    const overview = (await (await fetch(`${harness.url}/admin/budgets`)).json()) as {
      alerts: Array<{ budget: string; thresholdPercent: number }>;
    };
    expect(
      overview.alerts.filter((alert) => alert.budget === "monthly").map((alert) => alert.thresholdPercent),
    ).toEqual([50, 80, 100]);
  });
});

describe("the admin API", () => {
  it("reports costs by alias, tier and task, and the savings", async () => {
    harness = await startHarness();
    const client = clientFor(harness);
    await client.chat.completions.create(paidQuestion);
    await client.chat.completions.create({
      model: "switchyard/lint",
      messages: [{ role: "user", content: "lint" }],
    });
    await harness.runtime.ledger.flush();
    const costs = (await (await fetch(`${harness.url}/admin/costs`)).json()) as {
      requests: number;
      localShare: number;
      totalUsd: number;
      byAlias: Array<{ key: string }>;
    };
    expect(costs.requests).toBe(2);
    expect(costs.localShare).toBe(0.5);
    expect(costs.totalUsd).toBeGreaterThan(0);
    expect(costs.byAlias.map((line) => line.key)).toEqual(
      expect.arrayContaining(["cloud-sonnet", "local-coder"]),
    );
    const savings = (await (await fetch(`${harness.url}/admin/savings`)).json()) as Record<string, unknown>;
    expect(JSON.stringify(savings)).toContain("subscription");
  });
});
