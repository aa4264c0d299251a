/**
 * Shared pieces for the Engine tests: specs with fast, test-sized intervals, a fleet over fake
 * Ollamas on loopback, and a caller that uses a lease exactly as the dispatcher does (acquire →
 * chat → read to the end → release with the outcome and load time).
 */

import type { Backend } from "../../src/backends/backend.js";
import { OllamaBackend } from "../../src/backends/ollama/ollama-backend.js";
import type { RouteStep } from "../../src/config/alias-steps.js";
import { EngineFleet } from "../../src/engines/engine-fleet.js";
import type { EngineSpec } from "../../src/engines/engine-spec.js";
import { type SwitchyardError, toSwitchyardError } from "../../src/errors/switchyard-error.js";
import type { ChatEvent } from "../../src/protocol/chat-types.js";

export const CODER = "qwen2.5-coder:32b";
export const REASONER = "deepseek-r1:32b";

export const coderStep: RouteStep = { alias: "local-coder", model: CODER, backend: "engine", tier: 1 };
export const reasonerStep: RouteStep = {
  alias: "local-reasoner",
  model: REASONER,
  backend: "engine",
  tier: 1,
};

type SpecOverrides = Partial<Omit<EngineSpec, "queue" | "health" | "busyRetry">> & {
  queue?: Partial<EngineSpec["queue"]>;
  health?: Partial<EngineSpec["health"]>;
  busyRetry?: Partial<EngineSpec["busyRetry"]>;
};

export function testSpec(id: string, baseUrl: string, overrides: SpecOverrides = {}): EngineSpec {
  const { queue, health, busyRetry, ...rest } = overrides;
  return {
    id,
    baseUrl,
    slots: 4,
    serves: new Map([
      ["local-coder", CODER],
      ["local-reasoner", REASONER],
    ]),
    maxLoadedModels: undefined,
    memoryBytes: undefined,
    warm: false,
    ...rest,
    queue: { maxWaitMs: 5_000, maxDepth: 1_000, onTimeout: "next-rung", ...queue },
    health: { pollIntervalMs: 0, failureThreshold: 2, halfOpenAfterMs: 100, ...health },
    busyRetry: { attempts: 2, delayMs: 5, ...busyRetry },
  };
}

export interface TestFleet {
  fleet: EngineFleet;
  backends: Map<string, Backend>;
  close(): Promise<void>;
}

export function startTestFleet(specs: EngineSpec[], options: { now?: () => number } = {}): TestFleet {
  const backends = new Map<string, Backend>();
  for (const spec of specs) backends.set(spec.id, new OllamaBackend({ id: spec.id, baseUrl: spec.baseUrl }));
  const fleet = new EngineFleet({ specs, backends, ...options });
  return {
    fleet,
    backends,
    async close() {
      fleet.stop();
      await Promise.all([...backends.values()].map((backend) => backend.close()));
    },
  };
}

export interface CallResult {
  /** The Engine that answered. */
  engine: string;
  text: string;
  queuedMs: number;
}

/** One request through the fleet, used as the dispatcher uses a lease. Rejects with SwitchyardErrors. */
export async function callThrough(
  fleet: EngineFleet,
  step: RouteStep,
  content = "hi",
  signal: AbortSignal = new AbortController().signal,
): Promise<CallResult> {
  const lease = await fleet.acquire(step, signal);
  let ok = true;
  let loadMs: number | undefined;
  try {
    const stream = await lease.backend.chat({
      request: { model: step.alias, messages: [{ role: "user", content }], stream: true },
      model: step.model,
      options: {},
      signal,
    });
    let text = "";
    for await (const event of stream as AsyncIterable<ChatEvent>) {
      if (event.type === "text-delta") text += event.text;
      if (event.type === "usage") loadMs = event.usage.loadMs;
    }
    return { engine: lease.backend.id, text, queuedMs: lease.queuedMs };
  } catch (error) {
    const failure = toSwitchyardError(error);
    ok = !failure.retryable;
    throw failure;
  } finally {
    lease.release({ ok, loadMs });
  }
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<SwitchyardError> {
  try {
    await promise;
  } catch (error) {
    return toSwitchyardError(error);
  }
  throw new Error("expected a rejection");
}

export function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/** Polls `check` until it is true or `timeoutMs` passes. */
export async function eventually(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(5);
  }
}
