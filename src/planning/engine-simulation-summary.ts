/**
 * What a simulation run comes to: waits, time to first token and latency percentiles (overall and
 * per model), throughput, model loads, and the share of requests that waited past the queue bound.
 */
import type { SimulatedRequest } from "./engine-workload.js";

/** One finished request: when it arrived (in `request`), started, saw its first token and ended. */
export interface Completed {
  request: SimulatedRequest;
  start: number;
  firstToken: number;
  end: number;
}

export interface Percentiles {
  p50: number;
  p95: number;
}

/** The figures of a run; the simulation adds each Engine's memory plan (`SimulationResult`). */
export interface SimulationSummary {
  requests: number;
  /** Requests for a model no Engine serves (left out). */
  unserved: number;
  /** Seconds from the first arrival to the last completion. */
  makespanSeconds: number;
  requestsPerHour: number;
  outputTokensPerSecond: number;
  /** Arrival to the start of processing (queue and any model load), seconds. */
  wait: Percentiles;
  timeToFirstToken: Percentiles;
  latency: Percentiles;
  byModel: Record<string, { requests: number; wait: Percentiles; latency: Percentiles }>;
  /** Model loads during the run (each one a swap on a full Engine). */
  loads: number;
  /** Share of requests that waited longer than `maxWaitSeconds` (they would move up the ladder). */
  overMaxWaitShare: number;
}

export function summarise(
  requests: number,
  unserved: number,
  done: Completed[],
  loads: number,
  maxWait: number,
): SimulationSummary {
  const first = Math.min(...done.map((entry) => entry.request.arrivalSeconds));
  const last = Math.max(...done.map((entry) => entry.end));
  const makespan = done.length > 0 ? last - first : 0;
  const waits = done.map((entry) => entry.start - entry.request.arrivalSeconds);
  const byModel: SimulationSummary["byModel"] = {};
  for (const model of new Set(done.map((entry) => entry.request.model))) {
    const mine = done.filter((entry) => entry.request.model === model);
    byModel[model] = {
      requests: mine.length,
      wait: percentiles(mine.map((entry) => entry.start - entry.request.arrivalSeconds)),
      latency: percentiles(mine.map((entry) => entry.end - entry.request.arrivalSeconds)),
    };
  }
  const output = done.reduce((sum, entry) => sum + entry.request.outputTokens, 0);
  return {
    requests,
    unserved,
    makespanSeconds: makespan,
    requestsPerHour: makespan > 0 ? (done.length / makespan) * 3_600 : 0,
    outputTokensPerSecond: makespan > 0 ? output / makespan : 0,
    wait: percentiles(waits),
    timeToFirstToken: percentiles(done.map((entry) => entry.firstToken - entry.request.arrivalSeconds)),
    latency: percentiles(done.map((entry) => entry.end - entry.request.arrivalSeconds)),
    byModel,
    loads,
    overMaxWaitShare: done.length > 0 ? waits.filter((wait) => wait > maxWait).length / done.length : 0,
  };
}

export function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((left, right) => left - right);
  const at = (fraction: number) =>
    sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * fraction) - 1)]!;
  return { p50: at(0.5), p95: at(0.95) };
}
