/**
 * Engine health against fake Ollamas: failures from requests and from polls take an Engine down,
 * its requests go to the other Engine serving the alias, it comes back through a half-open probe;
 * with no Engine left the error is retryable and names the Engine. Ollama's own 503 is retried.
 */
import { afterEach, describe, expect, it } from "vitest";
import { EngineCircuit } from "../../src/engines/engine-circuit.js";
import { type FakeOllama, startFakeOllama } from "../fakes/fake-ollama.js";
import {
  CODER,
  callThrough,
  coderStep,
  eventually,
  rejection,
  sleep,
  startTestFleet,
  type TestFleet,
  testSpec,
} from "./engine-test-kit.js";

let fakes: FakeOllama[] = [];
let kit: TestFleet | undefined;

afterEach(async () => {
  await kit?.close();
  kit = undefined;
  await Promise.all(fakes.map((fake) => fake.close()));
  fakes = [];
});

async function fakeEngines(count: number): Promise<FakeOllama[]> {
  fakes = await Promise.all(Array.from({ length: count }, () => startFakeOllama()));
  return fakes;
}

describe("the circuit breaker", () => {
  it("opens after N consecutive failures, half-opens after the delay, closes on success", () => {
    let now = 0;
    const circuit = new EngineCircuit({ failureThreshold: 3, halfOpenAfterMs: 1_000, now: () => now });
    circuit.recordFailure("one");
    circuit.recordSuccess();
    expect(circuit.consecutiveFailures).toBe(0);
    circuit.recordFailure("one");
    circuit.recordFailure("two");
    expect(circuit.recordFailure("three")).toEqual({ opened: true, recovered: false });
    expect(circuit.available()).toBe(false);
    now = 999;
    expect(circuit.available()).toBe(false);
    now = 1_000;
    expect(circuit.available()).toBe(true);
    circuit.dispatched();
    expect(circuit.state).toBe("half-open");
    // One probe at a time.
    expect(circuit.available()).toBe(false);
    circuit.recordFailure("probe failed");
    expect(circuit.state).toBe("open");
    now = 2_000;
    circuit.dispatched();
    expect(circuit.recordSuccess()).toEqual({ opened: false, recovered: true });
    expect(circuit.state).toBe("closed");
  });
});

describe("failover between Engines", () => {
  it("request failures take an Engine down; its requests go to the other; a half-open probe brings it back", async () => {
    const [first, second] = await fakeEngines(2);
    kit = startTestFleet([
      testSpec("engine", first!.url, { health: { failureThreshold: 2, halfOpenAfterMs: 150 } }),
      testSpec("engine-2", second!.url),
    ]);
    const fleet = kit.fleet;
    first!.down = true;
    // Both idle: the first in config order is tried, fails, and the request would move up the ladder.
    for (let attempt = 0; attempt < 2; attempt++) {
      const error = await rejection(callThrough(fleet, coderStep));
      expect(error.code).toBe("upstream-unreachable");
    }
    expect(fleet.snapshot().engines[0]?.state).toBe("down");
    const during = await Promise.all([callThrough(fleet, coderStep), callThrough(fleet, coderStep)]);
    expect(during.map((result) => result.engine)).toEqual(["engine-2", "engine-2"]);

    first!.down = false;
    await sleep(170);
    const probe = await callThrough(fleet, coderStep);
    expect(probe.engine).toBe("engine");
    expect(fleet.snapshot().engines[0]?.state).toBe("up");
    expect(fleet.snapshot().engines[0]?.warnings.at(-1)?.message).toContain('Engine "engine" is down');
  });

  it("polls take a silent Engine down and bring it back, without any request failing", async () => {
    const [first, second] = await fakeEngines(2);
    kit = startTestFleet([
      testSpec("engine", first!.url, {
        health: { pollIntervalMs: 20, failureThreshold: 2, halfOpenAfterMs: 60 },
      }),
      testSpec("engine-2", second!.url),
    ]);
    const fleet = kit.fleet;
    // A warm Engine: when it is back, it has the model resident, so it is preferred again.
    first!.loaded = [CODER];
    void fleet.start();
    await eventually(() => fleet.snapshot().engines[0]?.version !== null);
    first!.down = true;
    await eventually(() => fleet.snapshot().engines[0]?.state === "down");
    expect((await callThrough(fleet, coderStep)).engine).toBe("engine-2");
    first!.down = false;
    await eventually(() => fleet.snapshot().engines[0]?.state === "up");
    expect((await callThrough(fleet, coderStep)).engine).toBe("engine");
  });

  it("with every Engine for the alias down, acquire rejects at once: retryable, naming the Engine", async () => {
    const [only] = await fakeEngines(1);
    kit = startTestFleet([
      testSpec("engine", only!.url, { health: { failureThreshold: 1, halfOpenAfterMs: 60_000 } }),
    ]);
    only!.down = true;
    await rejection(callThrough(kit.fleet, coderStep));
    const started = performance.now();
    const error = await rejection(callThrough(kit.fleet, coderStep));
    expect(performance.now() - started).toBeLessThan(20);
    expect(error.code).toBe("upstream-unreachable");
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(
      /^Engine "engine" is down, so local-coder \(qwen2.5-coder:32b\) cannot run there/,
    );
    expect(error.message).toContain("next try in 60 s");
  });

  it("fails waiting requests at once when the last Engine goes down", async () => {
    const [only] = await fakeEngines(1);
    only!.setDefault({ kind: "reply", reply: { content: "slow" }, delayMs: 150 });
    kit = startTestFleet([
      testSpec("engine", only!.url, { slots: 1, health: { failureThreshold: 1, halfOpenAfterMs: 60_000 } }),
    ]);
    only!.enqueue({ kind: "status", status: 500, body: { error: "llama runner process has terminated" } });
    const failing = rejection(callThrough(kit.fleet, coderStep));
    const waiting = rejection(callThrough(kit.fleet, coderStep));
    expect((await failing).code).toBe("upstream-error");
    const error = await waiting;
    expect(error.code).toBe("upstream-unreachable");
    expect(error.message).toContain("llama runner process has terminated");
  });
});

describe("Ollama's own 503", () => {
  it("is retried with backoff before the rung fails, and does not count against health", async () => {
    const [only] = await fakeEngines(1);
    kit = startTestFleet([testSpec("engine", only!.url, { busyRetry: { attempts: 2, delayMs: 10 } })]);
    const busy = { kind: "status", status: 503 } as const;
    only!.enqueue(busy, busy);
    const answer = await callThrough(kit.fleet, coderStep);
    expect(answer.text).toBe("Hello from qwen2.5-coder:32b");
    expect(kit.fleet.snapshot().engines[0]?.counters.busyRetries).toBe(2);

    only!.enqueue(busy, busy, busy);
    const error = await rejection(callThrough(kit.fleet, coderStep));
    expect(error.code).toBe("upstream-busy");
    const engine = kit.fleet.snapshot().engines[0]!;
    expect(engine.counters.busyRetries).toBe(4);
    expect(engine.consecutiveFailures).toBe(0);
    expect(engine.state).toBe("up");
  });
});
