/**
 * The capacity planner's model: exact single-request timings from the hardware figures, slots that
 * share a decode step sublinearly, two models splitting the bandwidth, memory fit (Ollama's
 * num_ctx × slots), swaps served in batches, deterministic synthetic workloads, ledger replays and
 * the upgrade scenarios built from the config.
 */
import { describe, expect, it } from "vitest";
import { parseConfigText } from "../../src/config/config-load.js";
import {
  capacityScenarios,
  formatCapacityPlan,
  runCapacityPlan,
} from "../../src/planning/engine-capacity.js";
import {
  HARDWARE,
  largestFittingContext,
  modelProfile,
  perStreamShare,
} from "../../src/planning/engine-hardware.js";
import { planEngine, type SimulatedEngine, simulate } from "../../src/planning/engine-simulation.js";
import {
  ledgerWorkload,
  type SimulatedRequest,
  syntheticWorkload,
} from "../../src/planning/engine-workload.js";
import type { RequestRecord } from "../../src/store/ledger-store.js";
import { CODER, REASONER } from "./engine-test-kit.js";

const maxStudio = HARDWARE["m4-max-64"]!;
const ultra = HARDWARE["m3-ultra-96"]!;
const engine = (overrides: Partial<SimulatedEngine> = {}): SimulatedEngine => ({
  name: "engine",
  hardware: maxStudio,
  models: [CODER, REASONER],
  slots: 4,
  contextTokens: 4_096,
  kvScale: 0.5,
  ...overrides,
});
const request = (id: number, model: string, extra: Partial<SimulatedRequest> = {}): SimulatedRequest => ({
  id,
  arrivalSeconds: 0,
  model,
  task: "code-generation",
  promptTokens: 300,
  outputTokens: 1_000,
  ...extra,
});
const decodeSpeed = (546 / 19.85) * 0.65;

describe("the Engine model", () => {
  it("times one request from prompt speed and bandwidth-bound decoding", () => {
    const result = simulate({ engines: [engine()], requests: [request(0, CODER)] });
    expect(result.wait.p50).toBe(0);
    expect(result.timeToFirstToken.p50).toBeCloseTo(1, 6);
    expect(result.latency.p50).toBeCloseTo(1 + 1_000 / decodeSpeed, 6);
    expect(result.loads).toBe(0);
  });

  it("runs at most `slots` per model; parallel streams share a decode step sublinearly", () => {
    const requests = Array.from({ length: 8 }, (_, index) => request(index, CODER));
    const result = simulate({ engines: [engine()], requests });
    const batchSeconds = (1 + 1_000 / decodeSpeed) / perStreamShare(4);
    expect(result.wait.p95).toBeCloseTo(batchSeconds, 6);
    expect(result.makespanSeconds).toBeCloseTo(2 * batchSeconds, 6);
    expect(4 * perStreamShare(4)).toBeCloseTo(2.105, 3);
  });

  it("two models decoding at once split the bandwidth", () => {
    const result = simulate({ engines: [engine()], requests: [request(0, CODER), request(1, REASONER)] });
    expect(result.latency.p50).toBeCloseTo(2 * (1 + 1_000 / decodeSpeed), 6);
  });
});

describe("memory", () => {
  it("counts num_ctx × slots of KV per model: the default 32k × 4 does not keep both 32B models on a 64 GB Engine", () => {
    const today = planEngine(engine({ contextTokens: 32_768, kvScale: 1 }));
    expect(today.capacity).toBe(1);
    expect(today.footprintsGB[CODER]).toBeCloseTo(19.85 + 34.36 + 1, 1);
    expect(today.speeds[CODER]?.offloadShare).toBeGreaterThan(0);
    expect(planEngine(engine({ hardware: ultra, contextTokens: 8_192, kvScale: 1 })).capacity).toBe(2);
    const models = [modelProfile(CODER), modelProfile(REASONER)];
    expect(largestFittingContext(maxStudio, models, 4)).toBe(2_048);
    expect(largestFittingContext(maxStudio, models, 4, 0.5)).toBe(4_096);
    expect(largestFittingContext(ultra, models, 4)).toBe(8_192);
  });

  it("an Engine that holds one model at a time serves a mixed burst in batches, not a swap per request", () => {
    const requests = Array.from({ length: 20 }, (_, index) => request(index, index % 2 ? REASONER : CODER));
    const result = simulate({ engines: [engine({ contextTokens: 32_768, kvScale: 1 })], requests });
    // Warm-up left the reasoner loaded; the coder (first in line) is loaded once, then the reasoner once.
    expect(result.loads).toBe(2);
    expect(result.byModel[CODER]?.requests).toBe(10);
  });
});

describe("workloads", () => {
  const modelForTask = (task: string) =>
    ["code-generation", "commit-message"].includes(task)
      ? CODER
      : task === "bug-hunting"
        ? REASONER
        : undefined;

  it("synthetic mixes are deterministic for a seed and keep to local tasks", () => {
    const options = { modelForTask, requestsPerHour: 40, hours: 2, seed: 7 };
    const first = syntheticWorkload(options);
    expect(syntheticWorkload(options)).toEqual(first);
    expect(syntheticWorkload({ ...options, seed: 8 })).not.toEqual(first);
    expect(first).toHaveLength(80);
    expect(new Set(first.map((entry) => entry.task))).toEqual(
      new Set(["code-generation", "commit-message", "bug-hunting"]),
    );
    expect(first.at(-1)!.arrivalSeconds).toBeGreaterThan(3_600);
    expect(syntheticWorkload({ ...options, burst: true }).every((entry) => entry.arrivalSeconds === 0)).toBe(
      true,
    );
  });

  it("replays local ledger rows in arrival order, optionally faster", () => {
    const row = (startedAt: number, backend: string, extra: Partial<RequestRecord> = {}) =>
      ({
        startedAt,
        backend,
        model: CODER,
        task: "lint",
        inputTokens: 100,
        outputTokens: 20,
        status: "ok",
        ...extra,
      }) as RequestRecord;
    const requests = ledgerWorkload(
      [
        row(10_000, "engine"),
        row(4_000, "engine"),
        row(5_000, "openrouter"),
        row(6_000, "engine", { status: "error" }),
      ],
      new Set(["engine"]),
      2,
    );
    expect(requests.map((entry) => entry.arrivalSeconds)).toEqual([0, 3]);
  });
});

describe("the shipped profile", () => {
  it("keeps both models resident at their own windows, q8_0 and the raised GPU limit: no swaps, unlike 32k × 4 at f16", () => {
    const config = parseConfigText(undefined, "defaults", {});
    const [today] = capacityScenarios(config);
    expect(today!.engines[0]).toMatchObject({
      slots: 2,
      contextByModel: { [CODER]: 32_768, [REASONER]: 12_288 },
      gpuBudgetGB: 56,
    });
    expect(today!.engines[0]!.kvScale).toBeCloseTo(34 / 64, 9);
    const plan = planEngine(today!.engines[0]!);
    expect(plan.capacity).toBe(2);
    expect(plan.usableGB).toBe(56);
    const modelForTask = (task: string) =>
      task === "lint" ? CODER : task === "elaboration" ? REASONER : undefined;
    const workload = syntheticWorkload({ modelForTask, requestsPerHour: 30, hours: 8, seed: 1 });
    const result = runCapacityPlan([today!], workload, "test mix").scenarios[0]!;
    expect(result.load.loads).toBe(0);
    const old = simulate({
      engines: [engine({ contextTokens: 32_768, kvScale: 1 })],
      requests: workload,
    });
    expect(old.loads).toBeGreaterThan(10);
  });
});

describe("the upgrade scenarios", () => {
  it("builds today, a second Engine (shared and split) and an M3 Ultra from the config, and prints its sources", () => {
    const config = parseConfigText(undefined, "defaults", {});
    const scenarios = capacityScenarios(config, { contextTokens: 8_192, kvCache: "q8_0" });
    expect(scenarios.map((scenario) => scenario.engines.length)).toEqual([1, 2, 2, 1]);
    expect(scenarios[0]?.engines[0]).toMatchObject({
      models: [CODER, REASONER],
      slots: 2,
      contextTokens: 8_192,
      gpuBudgetGB: 56,
    });
    const modelForTask = (task: string) =>
      task === "lint" ? CODER : task === "elaboration" ? REASONER : undefined;
    const workload = syntheticWorkload({ modelForTask, requestsPerHour: 30, hours: 2, seed: 1 });
    const plan = runCapacityPlan(scenarios, workload, "test mix");
    const [today, shared, split, upgraded] = plan.scenarios;
    expect(shared!.capacity.requestsPerHour).toBeGreaterThan(today!.capacity.requestsPerHour);
    expect(split!.load.loads).toBe(0);
    expect(upgraded!.capacity.requestsPerHour).toBeGreaterThan(today!.capacity.requestsPerHour);
    expect(upgraded!.load.wait.p95).toBeLessThanOrEqual(today!.load.wait.p95);
    const text = formatCapacityPlan(plan);
    expect(text).toContain("Sources and assumptions:");
    expect(text).toContain("546 GB/s");
    expect(text).toContain("819 GB/s");
    expect(text).toContain("num_ctx × N");
  });
});
