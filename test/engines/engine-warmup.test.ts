/**
 * Keeping the models warm, against a fake Ollama: warm-up loads every served model with
 * keep_alive -1 and checks /api/ps; an Engine that cannot hold them together is reported (and its
 * capacity learned); evictions seen by a poll or by a request's load time are swaps, with a cause;
 * an Engine that restarted is warmed again.
 */
import { afterEach, describe, expect, it } from "vitest";
import { compareInventories, type EngineInventory } from "../../src/engines/engine-inventory.js";
import { type FakeOllama, startFakeOllama } from "../fakes/fake-ollama.js";
import {
  CODER,
  callThrough,
  coderStep,
  eventually,
  REASONER,
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

const generateRequests = () => fake.requests.filter((request) => request.path === "/api/generate");

describe("warm-up", () => {
  it("loads every served model with keep_alive -1 and verifies with /api/ps that they are resident together", async () => {
    fake = await startFakeOllama();
    kit = startTestFleet([testSpec("engine", fake.url, { warm: true, health: { pollIntervalMs: 60_000 } })]);
    await kit.fleet.start();
    expect(generateRequests().map((request) => request.body)).toEqual([
      { model: CODER, keep_alive: -1, stream: false },
      { model: REASONER, keep_alive: -1, stream: false },
    ]);
    expect(fake.loaded).toEqual([CODER, REASONER]);
    expect(fake.requests.some((request) => request.path === "/api/ps")).toBe(true);
    const engine = kit.fleet.snapshot().engines[0]!;
    expect(engine.models.map((model) => model.residency)).toEqual(["resident", "resident"]);
    expect(engine.models[0]).toMatchObject({
      sizeVramBytes: 19_851_349_856,
      capabilities: ["completion", "tools", "insert"],
    });
    expect(engine.models[1]?.capabilities).toContain("thinking");
    expect(engine.warnings).toEqual([]);
    expect(engine.capacity).toBeNull();
  });

  it("loads each model with the num_ctx its alias asks for, so the first request does not reload it", async () => {
    fake = await startFakeOllama();
    const contextWindows = new Map([
      [CODER, 32_768],
      [REASONER, 12_288],
    ]);
    kit = startTestFleet([
      testSpec("engine", fake.url, { warm: true, contextWindows, health: { pollIntervalMs: 60_000 } }),
    ]);
    await kit.fleet.start();
    expect(generateRequests().map((request) => request.body)).toEqual([
      { model: CODER, keep_alive: -1, stream: false, options: { num_ctx: 32_768 } },
      { model: REASONER, keep_alive: -1, stream: false, options: { num_ctx: 12_288 } },
    ]);
    const ps = (await (await fetch(`${fake.url}/api/ps`)).json()) as {
      models: Array<{ name: string; context_length: number }>;
    };
    expect(ps.models.map((model) => [model.name, model.context_length])).toEqual([
      [CODER, 32_768],
      [REASONER, 12_288],
    ]);
  });

  it("reports an Engine that cannot hold its models together, and learns how many it holds", async () => {
    fake = await startFakeOllama({ engine: { maxLoadedModels: 1, loadDelayMs: 5 } });
    kit = startTestFleet([testSpec("engine", fake.url, { warm: true })]);
    await kit.fleet.start();
    const engine = kit.fleet.snapshot().engines[0]!;
    expect(engine.capacity).toBe(1);
    expect(engine.warnings[0]?.message).toContain('Engine "engine" cannot hold its models together');
    expect(engine.warnings[0]?.message).toContain(`${CODER} loaded and was evicted again`);
    expect(engine.models.map((model) => model.residency)).toEqual(["absent", "resident"]);
  });

  it("warms again after the Engine restarts (everything unloaded at once)", async () => {
    fake = await startFakeOllama();
    kit = startTestFleet([testSpec("engine", fake.url, { warm: true, health: { pollIntervalMs: 60_000 } })]);
    await kit.fleet.start();
    expect(generateRequests()).toHaveLength(2);
    fake.loaded = [];
    await kit.fleet.poll();
    await eventually(() => generateRequests().length === 4);
    await eventually(() => fake.loaded.length === 2);
    expect(kit.fleet.snapshot().engines[0]?.counters.swaps).toBe(0);
  });
});

describe("swap detection", () => {
  it("a poll that finds a served model evicted by another model counts a swap and names the cause", async () => {
    fake = await startFakeOllama();
    kit = startTestFleet([testSpec("engine", fake.url, { warm: true, health: { pollIntervalMs: 60_000 } })]);
    await kit.fleet.start();
    fake.loaded = [REASONER, "llama3.2:latest"];
    await kit.fleet.poll();
    const engine = kit.fleet.snapshot().engines[0]!;
    expect(engine.counters.swaps).toBe(1);
    expect(engine.otherLoaded).toEqual(["llama3.2:latest"]);
    expect(engine.warnings.at(-1)?.message).toMatch(
      /^Engine "engine" evicted qwen2\.5-coder:32b \(a swap\): another model was loaded on it \(llama3\.2:latest/,
    );
    // The request that brings it back pays a load, but the swap was already counted.
    fake.enqueue({ kind: "reply", reply: { content: "cold", loadDurationNs: 9e9 } });
    await callThrough(kit.fleet, coderStep);
    expect(kit.fleet.snapshot().engines[0]?.counters).toMatchObject({ swaps: 1, coldLoads: 1 });
  });

  it("a request whose load time shows a reload of a resident model is a swap", async () => {
    fake = await startFakeOllama();
    kit = startTestFleet([testSpec("engine", fake.url, { warm: true })]);
    await kit.fleet.start();
    fake.enqueue({ kind: "reply", reply: { content: "warm", loadDurationNs: 20_000_000 } });
    await callThrough(kit.fleet, coderStep);
    expect(kit.fleet.snapshot().engines[0]?.counters).toMatchObject({ swaps: 0, coldLoads: 0 });
    fake.enqueue({ kind: "reply", reply: { content: "cold", loadDurationNs: 2_500_000_000 } });
    await callThrough(kit.fleet, coderStep);
    const engine = kit.fleet.snapshot().engines[0]!;
    expect(engine.counters).toMatchObject({ swaps: 1, coldLoads: 1 });
    expect(engine.models[0]?.lastLoadMs).toBe(2_500);
    expect(engine.warnings.at(-1)?.message).toContain("had to load qwen2.5-coder:32b again (2500 ms)");
  });

  it("names memory pressure when the models no longer fit the machine", () => {
    const inventory = (names: string[], version = "0.12.6"): EngineInventory => ({
      polledAt: 0,
      version,
      installed: [],
      loaded: names.map((name) => ({ name, sizeBytes: 20e9, sizeVramBytes: 20e9 })),
      details: new Map(),
    });
    const models = [CODER, REASONER];
    const change = compareInventories(inventory(models), inventory([REASONER]), models, 44e9);
    expect(change.evictions).toEqual([
      { model: CODER, cause: "memory: holding them all needs 40.0 GB of the machine's 44.0 GB" },
    ]);
    expect(compareInventories(inventory(models), inventory([]), models).restarted).toBe(true);
    expect(compareInventories(inventory(models), inventory(models, "0.13.0"), models).restarted).toBe(true);
    expect(compareInventories(inventory([CODER]), inventory(models), models)).toEqual({
      evictions: [],
      restarted: false,
    });
  });
});
