/**
 * Balancing across Engines that serve the same alias, against fake Ollamas: the Engine with the
 * model resident first, then the fewest requests in flight; never a load on one Engine while another
 * has the model resident; and on an Engine that holds one model at a time, models served in batches
 * rather than swapped per request.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type FakeOllama, startFakeOllama } from "../fakes/fake-ollama.js";
import {
  CODER,
  callThrough,
  coderStep,
  REASONER,
  reasonerStep,
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

async function twoEngines(delayMs: number) {
  fakes = await Promise.all([startFakeOllama(), startFakeOllama()]);
  for (const fake of fakes) {
    fake.setDefault((body) => ({ kind: "reply", reply: { content: `from ${String(body.model)}` }, delayMs }));
  }
  kit = startTestFleet([testSpec("engine", fakes[0]!.url), testSpec("engine-2", fakes[1]!.url)]);
  return { first: fakes[0]!, second: fakes[1]!, fleet: kit.fleet };
}

const chats = (fake: FakeOllama) => fake.requests.filter((request) => request.path === "/api/chat").length;

describe("balancing", () => {
  it("prefers the Engine with the model resident, and waits for it rather than load the model elsewhere", async () => {
    const { first, second, fleet } = await twoEngines(40);
    first.loaded = [REASONER];
    second.loaded = [CODER, REASONER];
    await fleet.poll();
    const results = await Promise.all(Array.from({ length: 6 }, () => callThrough(fleet, coderStep)));
    expect(results.map((result) => result.engine)).toEqual(Array(6).fill("engine-2"));
    expect(chats(first)).toBe(0);
    // Two of the six waited for a slot on engine-2 instead of loading the model on engine.
    expect(results.filter((result) => result.queuedMs > 0)).toHaveLength(2);
  });

  it("spreads requests by the fewest in flight when both have the model", async () => {
    const { first, second, fleet } = await twoEngines(60);
    first.loaded = [CODER];
    second.loaded = [CODER];
    await fleet.poll();
    const results = await Promise.all(Array.from({ length: 8 }, () => callThrough(fleet, coderStep)));
    expect(results.filter((result) => result.engine === "engine")).toHaveLength(4);
    expect(results.filter((result) => result.engine === "engine-2")).toHaveLength(4);
    expect(results.every((result) => result.queuedMs === 0)).toBe(true);
    expect([chats(first), chats(second)]).toEqual([4, 4]);
  });

  it("an Engine whose residency is not known yet is used, by the fewest in flight", async () => {
    const { fleet } = await twoEngines(30);
    const results = await Promise.all(Array.from({ length: 2 }, () => callThrough(fleet, reasonerStep)));
    expect(results.map((result) => result.engine).sort()).toEqual(["engine", "engine-2"]);
  });

  it("a coding Engine and a reasoning Engine: each alias goes to the Engine that serves it", async () => {
    fakes = await Promise.all([startFakeOllama(), startFakeOllama()]);
    kit = startTestFleet([
      testSpec("coding", fakes[0]!.url, { serves: new Map([["local-coder", CODER]]) }),
      testSpec("reasoning", fakes[1]!.url, { serves: new Map([["local-reasoner", REASONER]]) }),
    ]);
    const step = (base: typeof coderStep) => ({ ...base, backend: "coding" });
    const coder = await callThrough(kit.fleet, step(coderStep));
    const reasoner = await callThrough(kit.fleet, step(reasonerStep));
    expect([coder.engine, reasoner.engine]).toEqual(["coding", "reasoning"]);
  });
});

describe("an Engine that holds one model at a time", () => {
  it("serves a mixed burst in batches per model instead of swapping on every request", async () => {
    fakes = [await startFakeOllama({ engine: { slots: 4, maxLoadedModels: 1, loadDelayMs: 30 } })];
    fakes[0]!.setDefault({ kind: "reply", reply: { content: "ok" }, delayMs: 15 });
    kit = startTestFleet([testSpec("engine", fakes[0]!.url, { warm: true, queue: { maxWaitMs: 10_000 } })]);
    await kit.fleet.start();
    expect(kit.fleet.snapshot().engines[0]?.capacity).toBe(1);
    const loadsAfterWarmUp = fakes[0]!.engineStats().loads;
    const burst = Array.from({ length: 32 }, (_, index) =>
      callThrough(kit!.fleet, index % 2 ? reasonerStep : coderStep),
    );
    const results = await Promise.all(burst);
    expect(results).toHaveLength(32);
    // Warm-up left the reasoner resident: at most a switch to the coder and one back.
    expect(fakes[0]!.engineStats().loads - loadsAfterWarmUp).toBeLessThanOrEqual(2);
    expect(fakes[0]!.maxConcurrent(CODER)).toBeLessThanOrEqual(4);
    expect(kit.fleet.snapshot().engines[0]?.counters.swaps).toBeLessThanOrEqual(2);
  });
});
