/**
 * A discrete-event model of the Engines under a workload, for capacity planning. Requests queue in
 * Switchyard's FIFO and are placed by the same rules as the live fleet (resident model first, fewest
 * in flight, at most `slots` per model, batch-then-switch on an Engine that cannot hold every
 * model). Running requests share their Engine as a fluid: each progresses at
 * `perStreamShare(n) / (models decoding)` of its solo speed, so completions are exact event times.
 * Pure and deterministic: the same inputs give the same answer.
 */

import { switchGraceMs, switchIsDue } from "../engines/engine-placement.js";
import {
  type HardwareProfile,
  type ModelSpeed,
  modelFootprintGB,
  modelProfile,
  modelSpeed,
  perStreamShare,
  usableGB,
} from "./engine-hardware.js";
import { type Completed, type SimulationSummary, summarise } from "./engine-simulation-summary.js";
import type { SimulatedRequest } from "./engine-workload.js";

export type { Percentiles } from "./engine-simulation-summary.js";

/** A run's figures and the memory plan of each Engine it simulated. */
export interface SimulationResult extends SimulationSummary {
  plans: EnginePlan[];
}

export interface SimulatedEngine {
  name: string;
  hardware: HardwareProfile;
  /** Served models, in warm-up order. */
  models: string[];
  slots: number;
  /** num_ctx per slot. */
  contextTokens: number;
  /** num_ctx per slot of each model, where it differs from `contextTokens` (per-alias windows). */
  contextByModel?: Record<string, number>;
  /** Bytes per cached value against f16 (`KV_CACHE_SCALE`): 1 for f16, ~0.53 for q8_0. */
  kvScale?: number;
  /** What the GPU may use when its wired limit was raised; default the hardware's default share. */
  gpuBudgetGB?: number;
}

export interface EnginePlan {
  name: string;
  /** Models it holds at once, from memory. */
  capacity: number;
  footprintsGB: Record<string, number>;
  usableGB: number;
  speeds: Record<string, ModelSpeed>;
}

export function planEngine(engine: SimulatedEngine): EnginePlan {
  const footprintsGB: Record<string, number> = {};
  const speeds: Record<string, ModelSpeed> = {};
  const budgetGB = engine.gpuBudgetGB ?? usableGB(engine.hardware);
  for (const model of engine.models) {
    const profile = modelProfile(model);
    const context = engine.contextByModel?.[model] ?? engine.contextTokens;
    footprintsGB[model] = modelFootprintGB(profile, context, engine.slots, engine.kvScale ?? 1);
    speeds[model] = modelSpeed(engine.hardware, profile, footprintsGB[model], budgetGB);
  }
  let capacity = 0;
  let used = 0;
  for (const model of engine.models) {
    used += footprintsGB[model] ?? 0;
    if (used <= budgetGB) capacity++;
  }
  return {
    name: engine.name,
    capacity: Math.max(1, capacity),
    footprintsGB,
    usableGB: budgetGB,
    speeds,
  };
}

export interface SimulationOptions {
  engines: SimulatedEngine[];
  requests: SimulatedRequest[];
  /** queue.max_wait_ms in seconds; default 30. */
  maxWaitSeconds?: number;
}

interface Running {
  request: SimulatedRequest;
  model: string;
  prefillLeft: number;
  decodeLeft: number;
  startedAt: number;
  firstTokenAt: number | undefined;
}

interface EngineRun {
  plan: EnginePlan;
  spec: SimulatedEngine;
  resident: string[];
  running: Running[];
  loading: { model: string; left: number; admitted: SimulatedRequest[] } | undefined;
  switchingTo: string | undefined;
}

const epsilon = 1e-9;

export function simulate(options: SimulationOptions): SimulationResult {
  const maxWait = options.maxWaitSeconds ?? 30;
  const engines: EngineRun[] = options.engines.map((spec) => {
    const plan = planEngine(spec);
    // Warm-up loads every model in order; a full Engine keeps the last ones loaded.
    return {
      plan,
      spec,
      resident: spec.models.slice(-plan.capacity),
      running: [],
      loading: undefined,
      switchingTo: undefined,
    };
  });
  const served = (model: string) => engines.filter((engine) => engine.spec.models.includes(model));
  const arrivals = options.requests
    .filter((request) => served(request.model).length > 0)
    .sort((left, right) => left.arrivalSeconds - right.arrivalSeconds || left.id - right.id);
  const unserved = options.requests.length - arrivals.length;
  // Switchyard's queue: FIFO per model; the heads are what placement looks at.
  const queue = new Map<string, SimulatedRequest[]>();
  const heads = () =>
    [...queue.values()]
      .flatMap((waiting) => waiting.slice(0, 1))
      .sort((left, right) => left.arrivalSeconds - right.arrivalSeconds);
  const done: Completed[] = [];
  let loads = 0;
  let now = arrivals[0]?.arrivalSeconds ?? 0;
  let next = 0;

  const inUse = (engine: EngineRun, model: string) =>
    engine.running.filter((running) => running.model === model).length +
    (engine.loading?.model === model ? engine.loading.admitted.length : 0);
  const waitingFor = (model: string) => (queue.get(model)?.length ?? 0) > 0;

  const start = (engine: EngineRun, request: SimulatedRequest) => {
    const speed = engine.plan.speeds[request.model]!;
    engine.running.push({
      request,
      model: request.model,
      prefillLeft: request.promptTokens / speed.promptTokensPerSecond,
      decodeLeft: request.outputTokens / speed.decodeTokensPerSecond,
      startedAt: now,
      firstTokenAt: undefined,
    });
  };

  /** The live fleet's placement rules, on the simulated Engines. Returns whether anything started. */
  const place = (request: SimulatedRequest): boolean => {
    const model = request.model;
    const candidates = served(model);
    const somewhere = candidates.some(
      (engine) => engine.resident.includes(model) || engine.loading?.model === model,
    );
    let best: { engine: EngineRun; rank: number; evicts?: string } | undefined;
    let switchCandidate: EngineRun | undefined;
    for (const engine of candidates) {
      if (engine.switchingTo !== undefined && engine.switchingTo !== model) continue;
      if (inUse(engine, model) >= engine.spec.slots) continue;
      let option: { rank: number; evicts?: string } | undefined;
      if (engine.resident.includes(model)) option = { rank: 0 };
      else if (engine.loading?.model === model) option = { rank: 1 };
      else if (somewhere || engine.loading) continue;
      else if (engine.resident.length < engine.plan.capacity) option = { rank: 2 };
      else {
        const victim = engine.resident.find(
          (name) => !engine.running.some((running) => running.model === name),
        );
        if (victim !== undefined) option = { rank: 3, evicts: victim };
        else switchCandidate ??= engine;
      }
      if (
        option &&
        (!best ||
          option.rank < best.rank ||
          (option.rank === best.rank && engine.running.length < best.engine.running.length))
      )
        best = { engine, ...option };
    }
    if (best) {
      const { engine } = best;
      if (engine.switchingTo === model) engine.switchingTo = undefined;
      if (best.rank === 0) start(engine, request);
      else if (best.rank === 1) engine.loading!.admitted.push(request);
      else {
        if (best.evicts !== undefined)
          engine.resident = engine.resident.filter((name) => name !== best.evicts);
        engine.loading = { model, left: engine.plan.speeds[model]!.loadSeconds, admitted: [request] };
      }
      return true;
    }
    if (switchCandidate) {
      const otherWaits = switchCandidate.resident
        .filter((name) => name !== model && waitingFor(name))
        .map((name) => (now - queue.get(name)![0]!.arrivalSeconds) * 1000);
      if (switchIsDue((now - request.arrivalSeconds) * 1000, otherWaits, maxWait * 1000))
        switchCandidate.switchingTo = model;
    }
    return false;
  };

  const dispatch = () => {
    for (let progressed = true; progressed; ) {
      progressed = false;
      for (const head of heads()) {
        if (place(head)) {
          queue.get(head.model)!.shift();
          progressed = true;
          break;
        }
      }
    }
  };

  const rate = (engine: EngineRun, running: Running) => {
    const models = new Set(engine.running.map((other) => other.model)).size;
    const streams = engine.running.filter((other) => other.model === running.model).length;
    return perStreamShare(streams) / models;
  };

  for (let guard = 0; guard < 10_000_000; guard++) {
    while (next < arrivals.length && arrivals[next]!.arrivalSeconds <= now + epsilon) {
      const request = arrivals[next++]!;
      queue.set(request.model, [...(queue.get(request.model) ?? []), request]);
    }
    dispatch();
    let step = Number.POSITIVE_INFINITY;
    if (next < arrivals.length) step = arrivals[next]!.arrivalSeconds - now;
    for (const engine of engines) {
      if (engine.loading) step = Math.min(step, engine.loading.left);
      for (const running of engine.running) {
        const left = running.prefillLeft > epsilon ? running.prefillLeft : running.decodeLeft;
        step = Math.min(step, left / rate(engine, running));
      }
    }
    // A waiting request's grace may run out with nothing else happening.
    for (const request of heads()) {
      const at = request.arrivalSeconds + switchGraceMs(maxWait * 1000) / 1000 - now;
      if (at > epsilon) step = Math.min(step, at);
    }
    if (!Number.isFinite(step)) break;
    for (const engine of engines) {
      const rates = engine.running.map((running) => rate(engine, running));
      engine.running.forEach((running, index) => {
        const progress = step * rates[index]!;
        if (running.prefillLeft > epsilon) running.prefillLeft -= progress;
        else running.decodeLeft -= progress;
      });
    }
    now += step;
    for (const engine of engines) {
      for (const running of [...engine.running]) {
        if (running.firstTokenAt === undefined && running.prefillLeft <= epsilon) running.firstTokenAt = now;
        if (running.prefillLeft <= epsilon && running.decodeLeft <= epsilon) {
          engine.running.splice(engine.running.indexOf(running), 1);
          done.push({
            request: running.request,
            start: running.startedAt,
            firstToken: running.firstTokenAt ?? now,
            end: now,
          });
        }
      }
      if (engine.loading) {
        engine.loading.left -= step;
        if (engine.loading.left <= epsilon) {
          const { model, admitted } = engine.loading;
          engine.loading = undefined;
          engine.resident.push(model);
          loads++;
          for (const request of admitted) start(engine, request);
        }
      }
    }
  }
  return {
    ...summarise(arrivals.length, unserved, done, loads, maxWait),
    plans: engines.map((engine) => engine.plan),
  };
}
