/**
 * Slot-aware admission against a fake Ollama on loopback: never more requests per model than the
 * Engine has slots, FIFO order for the rest, a bounded wait (and a bounded queue) whose error names
 * the Engine and the depth, and a queued request that leaves at once when its caller goes away.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type FakeOllama, startFakeOllama } from "../fakes/fake-ollama.js";
import {
  CODER,
  callThrough,
  coderStep,
  eventually,
  REASONER,
  reasonerStep,
  rejection,
  startTestFleet,
  type TestFleet,
  testSpec,
} from "./engine-test-kit.js";

let fake: FakeOllama;
let kit: TestFleet | undefined;

afterEach(async () => {
  await kit?.close();
  await fake?.close();
  kit = undefined;
});

async function setUp(spec: Parameters<typeof testSpec>[2] = {}, replyDelayMs = 20) {
  fake = await startFakeOllama({ recordRequests: true });
  fake.setDefault((body) => ({
    kind: "reply",
    reply: { content: `Hello from ${String(body.model)}` },
    delayMs: replyDelayMs,
  }));
  kit = startTestFleet([testSpec("engine", fake.url, spec)]);
  return kit.fleet;
}

describe("slots", () => {
  it("never sends an Engine more requests per model than it has slots, under 100 at once", async () => {
    const fleet = await setUp({ slots: 4 });
    const calls = Array.from({ length: 100 }, (_, index) =>
      callThrough(fleet, index % 2 === 0 ? coderStep : reasonerStep, `request ${index}`),
    );
    const results = await Promise.all(calls);
    expect(results).toHaveLength(100);
    expect(results.every((result) => result.text.startsWith("Hello from"))).toBe(true);
    expect(fake.maxConcurrent(CODER)).toBe(4);
    expect(fake.maxConcurrent(REASONER)).toBe(4);
    // Most of them waited in Switchyard's queue, not inside Ollama.
    expect(results.filter((result) => result.queuedMs > 0).length).toBeGreaterThan(80);
    const snapshot = fleet.snapshot();
    expect(snapshot.waits.leases).toBe(100);
    expect(snapshot.waits.p95Ms).toBeGreaterThan(0);
    expect(snapshot.engines[0]?.models.map((model) => model.inFlight)).toEqual([0, 0]);
  });

  it("hands freed slots to waiters in the order they came (FIFO)", async () => {
    const fleet = await setUp({ slots: 1 }, 15);
    const first = callThrough(fleet, coderStep, "first");
    await eventually(() => fleet.snapshot().engines[0]?.models[0]?.inFlight === 1);
    const rest = [];
    for (let index = 0; index < 6; index++) {
      rest.push(callThrough(fleet, coderStep, `waiter ${index}`));
      // Distinct arrival times, so the order is unambiguous.
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await Promise.all([first, ...rest]);
    const order = fake.requests
      .filter((request) => request.path === "/api/chat")
      .map((request) => (request.body as { messages: Array<{ content: string }> }).messages[0]?.content);
    expect(order).toEqual(["first", ...Array.from({ length: 6 }, (_, index) => `waiter ${index}`)]);
  });
});

describe("a bounded wait", () => {
  it("gives up after queue.max_wait_ms with upstream-busy naming the Engine and the queue depth", async () => {
    const fleet = await setUp({ slots: 1, queue: { maxWaitMs: 80 } }, 400);
    const holder = callThrough(fleet, coderStep, "holder");
    await eventually(() => fleet.snapshot().engines[0]?.models[0]?.inFlight === 1);
    const started = performance.now();
    const error = await rejection(callThrough(fleet, coderStep, "waiter"));
    expect(performance.now() - started).toBeLessThan(300);
    expect(error.code).toBe("upstream-busy");
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('Engine "engine" busy: 1 requests queued for local-coder');
    expect(error.message).toContain("1 of 1 slots in use");
    expect(error.message).toContain("queue.max_wait_ms 80");
    expect(error.backend).toBe("engine");
    await holder;
  });

  it("with on_timeout: error the busy error is final: the dispatcher will not move up the ladder", async () => {
    const fleet = await setUp({ slots: 1, queue: { maxWaitMs: 50, onTimeout: "error" } }, 300);
    const holder = callThrough(fleet, coderStep);
    await eventually(() => fleet.snapshot().engines[0]?.models[0]?.inFlight === 1);
    const error = await rejection(callThrough(fleet, coderStep));
    expect(error.code).toBe("upstream-busy");
    expect(error.retryable).toBe(false);
    await holder;
  });

  it("refuses at once when the queue is full (queue.max_depth)", async () => {
    const fleet = await setUp({ slots: 1, queue: { maxDepth: 2 } }, 200);
    const running = [
      callThrough(fleet, coderStep),
      callThrough(fleet, coderStep),
      callThrough(fleet, coderStep),
    ];
    await eventually(() => fleet.snapshot().queues[0]?.depth === 2);
    const error = await rejection(callThrough(fleet, coderStep));
    expect(error.code).toBe("upstream-busy");
    expect(error.message).toContain("2 requests queued");
    expect(error.message).toContain("the queue is full (queue.max_depth 2)");
    await Promise.all(running);
  });

  it("a queued request whose caller goes away leaves the queue at once", async () => {
    const fleet = await setUp({ slots: 1 }, 300);
    const holder = callThrough(fleet, coderStep);
    await eventually(() => fleet.snapshot().engines[0]?.models[0]?.inFlight === 1);
    const controller = new AbortController();
    const waiting = rejection(fleet.acquire(coderStep, controller.signal));
    await eventually(() => fleet.snapshot().queues[0]?.depth === 1);
    const abortedAt = performance.now();
    controller.abort();
    const error = await waiting;
    expect(error.code).toBe("aborted");
    expect(performance.now() - abortedAt).toBeLessThan(50);
    expect(fleet.snapshot().queues).toEqual([]);
    await holder;
    // The slot it never took is not leaked: the next request starts at once.
    expect((await callThrough(fleet, coderStep)).queuedMs).toBe(0);
  });
});

describe("back ends that are not Engines", () => {
  it("get a lease on the configured back end at once", async () => {
    const fleet = await setUp();
    const lease = await fleet.acquire(
      { alias: "local-coder", model: CODER, backend: "engine", tier: 1 },
      new AbortController().signal,
    );
    lease.release({ ok: true });
    const missing = await rejection(
      fleet.acquire(
        { alias: "cloud-sonnet", model: "x", backend: "openrouter", tier: 2 },
        new AbortController().signal,
      ),
    );
    expect(missing.code).toBe("internal");
  });
});
