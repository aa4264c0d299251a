/**
 * The fleet as a plain JSON value — what `GET /admin/engines` answers and `switchyard status` /
 * `switchyard engine status` print: each Engine up or down, its models (resident, slots in use,
 * queue, memory, context, capabilities), its swap and failure counters and recent warnings, and the
 * queue waits over the last leases.
 */
import type { EngineCounters, EngineState, Residency } from "./engine-state.js";
import type { EngineWaitQueue } from "./engine-wait-queue.js";

export interface EngineModelSnapshot {
  model: string;
  aliases: string[];
  residency: Residency;
  inFlight: number;
  slots: number;
  /** Requests waiting in Switchyard's queue for this model (any Engine). */
  queued: number;
  sizeVramBytes: number | null;
  /** The context Ollama allocated (from /api/ps), else the model's trained window (/api/show). */
  contextLength: number | null;
  capabilities: string[];
  lastLoadMs: number | null;
}

export interface EngineSnapshot {
  id: string;
  baseUrl: string;
  /** "probing": down, with one request or poll in flight to see whether it is back. */
  state: "up" | "down" | "probing";
  consecutiveFailures: number;
  lastFailure: string | null;
  downSince: string | null;
  version: string | null;
  polledAt: string | null;
  /** Models it holds at once, when known. */
  capacity: number | null;
  /** Set while it drains to load another model. */
  switchingTo: string | null;
  models: EngineModelSnapshot[];
  /** Loaded models it does not serve. */
  otherLoaded: string[];
  counters: EngineCounters;
  warnings: Array<{ at: string; message: string }>;
}

export interface QueueWaits {
  /** Leases granted (of the last 1,000). */
  leases: number;
  /** Of those, how many waited at all. */
  waited: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

export interface FleetSnapshot {
  engines: EngineSnapshot[];
  queues: Array<{ alias: string; depth: number }>;
  waits: QueueWaits;
}

/** The fleet of a Switchyard with no Engines configured. */
export const NO_ENGINES: FleetSnapshot = {
  engines: [],
  queues: [],
  waits: { leases: 0, waited: 0, p50Ms: 0, p95Ms: 0, maxMs: 0 },
};

export function fleetSnapshot(
  engines: EngineState[],
  queue: EngineWaitQueue<unknown>,
  waits: number[],
): FleetSnapshot {
  return {
    engines: engines.map((engine) => engineSnapshot(engine, queue)),
    queues: queue.aliases().map((alias) => ({ alias, depth: queue.depth(alias) })),
    waits: summariseWaits(waits),
  };
}

function engineSnapshot(engine: EngineState, queue: EngineWaitQueue<unknown>): EngineSnapshot {
  const circuit = engine.circuit;
  const inventory = engine.inventory;
  return {
    id: engine.id,
    baseUrl: engine.spec.baseUrl,
    state: circuit.state === "closed" ? "up" : circuit.state === "open" ? "down" : "probing",
    consecutiveFailures: circuit.consecutiveFailures,
    lastFailure: circuit.lastFailure ?? null,
    downSince: circuit.downSince === undefined ? null : new Date(circuit.downSince).toISOString(),
    version: inventory?.version ?? null,
    polledAt: inventory ? new Date(inventory.polledAt).toISOString() : null,
    capacity: engine.capacity ?? null,
    switchingTo: engine.switchingTo ?? null,
    models: engine.models.map((model) => {
      const loaded = inventory?.loaded.find((entry) => entry.name === model);
      const details = inventory?.details.get(model);
      return {
        model,
        aliases: [...engine.spec.serves].filter(([, served]) => served === model).map(([alias]) => alias),
        residency: engine.residencyOf(model),
        inFlight: engine.inFlightFor(model),
        slots: engine.spec.slots,
        queued: queue.depthForModel(model),
        sizeVramBytes: loaded?.sizeVramBytes ?? null,
        contextLength: loaded?.contextLength ?? details?.contextLength ?? null,
        capabilities: details?.capabilities ?? [],
        lastLoadMs: engine.lastLoadMs.get(model) ?? null,
      };
    }),
    otherLoaded: [...engine.strangers],
    counters: { ...engine.counters },
    warnings: engine.warnings.map((warning) => ({
      at: new Date(warning.at).toISOString(),
      message: warning.message,
    })),
  };
}

export function summariseWaits(waits: number[]): QueueWaits {
  const sorted = [...waits].sort((left, right) => left - right);
  const at = (fraction: number) =>
    sorted.length === 0
      ? 0
      : (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0);
  return {
    leases: sorted.length,
    waited: sorted.filter((wait) => wait > 0.5).length,
    p50Ms: round(at(0.5)),
    p95Ms: round(at(0.95)),
    maxMs: round(sorted.at(-1) ?? 0),
  };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

/** Extra per-Engine figures the CLI adds from the ledger: recent decode speed. */
export interface EngineThroughput {
  /** Median tokens per second over recent requests, or null with none. */
  tokensPerSecond: number | null;
  requests: number;
  minutes: number;
}

/** Text lines for `switchyard status` and `switchyard engine status`. */
export function formatFleetSnapshot(
  snapshot: FleetSnapshot,
  throughput: ReadonlyMap<string, EngineThroughput> = new Map(),
  verbose = false,
): string {
  const lines: string[] = [];
  for (const engine of snapshot.engines) {
    const speed = throughput.get(engine.id);
    const counters = engine.counters;
    lines.push(
      [
        `${engine.id.padEnd(10)} ${engine.state.padEnd(7)} ${engine.baseUrl}`,
        engine.version ? ` (Ollama ${engine.version})` : "",
        `  swaps ${counters.swaps}, cold loads ${counters.coldLoads}, failures ${counters.failures}, busy retries ${counters.busyRetries}`,
        speed
          ? `, ${speed.tokensPerSecond === null ? "no" : speed.tokensPerSecond.toFixed(1)} tok/s over ${speed.requests} requests in ${speed.minutes} min`
          : "",
      ].join(""),
    );
    if (engine.state !== "up" && engine.lastFailure) lines.push(`  down: ${engine.lastFailure}`);
    for (const model of engine.models) {
      const memory = model.sizeVramBytes === null ? "" : `  ${(model.sizeVramBytes / 1e9).toFixed(1)} GB`;
      const context = model.contextLength === null ? "" : `  ctx ${model.contextLength}`;
      const capabilities = model.capabilities.length > 0 ? `  ${model.capabilities.join(",")}` : "";
      lines.push(
        `  ${model.model.padEnd(24)} ${model.residency.padEnd(8)} ${`${model.inFlight}/${model.slots} slots`.padEnd(11)} queue ${model.queued}${memory}${context}${capabilities}`,
      );
    }
    if (engine.otherLoaded.length > 0) lines.push(`  also loaded: ${engine.otherLoaded.join(", ")}`);
    if (engine.switchingTo) lines.push(`  switching to ${engine.switchingTo}`);
    for (const warning of verbose ? engine.warnings : engine.warnings.slice(-3))
      lines.push(`  warning (${warning.at.slice(11, 19)}): ${warning.message}`);
  }
  const waits = snapshot.waits;
  lines.push(
    `Queue: ${snapshot.queues.reduce((sum, queue) => sum + queue.depth, 0)} waiting now; last ${waits.leases} leases: ${waits.waited} waited, p50 ${waits.p50Ms} ms, p95 ${waits.p95Ms} ms, max ${waits.maxMs} ms`,
  );
  return lines.join("\n");
}
