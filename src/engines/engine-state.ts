/**
 * What the fleet knows about one Engine at this moment: its circuit, requests in flight per model,
 * which served models are resident (from `/api/ps` and from requests that just ran), how many
 * models it can hold, its counters and its recent warnings. Plain state; the fleet and the monitor
 * decide what to do with it.
 */
import type { Backend } from "../backends/backend.js";
import { retryWhenBusy } from "./engine-busy-retry.js";
import { EngineCircuit } from "./engine-circuit.js";
import type { EngineInventory } from "./engine-inventory.js";
import { type EngineSpec, sameModel, servedModels } from "./engine-spec.js";

/** Unknown until a poll or a request says otherwise. */
export type Residency = "resident" | "absent" | "unknown";

export interface EngineCounters {
  /** Requests answered without a back end failure. */
  served: number;
  /** Requests that failed on this Engine (unreachable, 5xx, broken stream). */
  failures: number;
  /** Ollama 503s that were retried. */
  busyRetries: number;
  /** A model that had been resident had to be loaded again (seen by a poll or a request's load time). */
  swaps: number;
  /** Requests that paid for a model load (load_duration above the cold-load threshold). */
  coldLoads: number;
}

export interface EngineWarning {
  at: number;
  message: string;
}

const keptWarnings = 20;

export class EngineState {
  readonly circuit: EngineCircuit;
  readonly models: string[];
  readonly counters: EngineCounters = { served: 0, failures: 0, busyRetries: 0, swaps: 0, coldLoads: 0 };
  readonly warnings: EngineWarning[] = [];
  readonly lastLoadMs = new Map<string, number>();
  inventory: EngineInventory | undefined;
  /** Models it holds at once: configured, or learned from warm-up and evictions. */
  capacity: number | undefined;
  /** Other (unserved) models Ollama reported loaded at the last poll. */
  strangers: string[] = [];
  /**
   * Set while the Engine drains its resident models so that `model` can be loaded in their place:
   * nothing else starts on it until that model has been given a slot.
   */
  switchingTo: string | undefined;
  /**
   * Served models seen loaded whose going has not been counted yet: when one comes back with a cold
   * load and no poll saw it leave, that load is the swap.
   */
  readonly knownLoaded = new Set<string>();
  /** The back end requests go to: the configured one, with Ollama's 503s retried. */
  readonly backend: Backend;
  /** Set while a poll or a warm-up runs, so they never overlap. */
  polling = false;
  warming: Promise<unknown> | undefined;
  private readonly inFlight = new Map<string, number>();
  private readonly residency = new Map<string, Residency>();

  constructor(
    readonly spec: EngineSpec,
    /** The configured back end (its connection pool is shared with the monitor's calls). */
    readonly rawBackend: Backend,
    now?: () => number,
  ) {
    this.backend = retryWhenBusy(rawBackend, {
      ...spec.busyRetry,
      onRetry: () => {
        this.counters.busyRetries++;
      },
    });
    this.models = servedModels(spec);
    this.capacity = spec.maxLoadedModels;
    this.circuit = new EngineCircuit({
      failureThreshold: spec.health.failureThreshold,
      halfOpenAfterMs: spec.health.halfOpenAfterMs,
      ...(now ? { now } : {}),
    });
  }

  get id(): string {
    return this.spec.id;
  }

  servesAlias(alias: string): boolean {
    return this.spec.serves.has(alias);
  }

  inFlightFor(model: string): number {
    return this.inFlight.get(model) ?? 0;
  }

  totalInFlight(): number {
    let total = 0;
    for (const count of this.inFlight.values()) total += count;
    return total;
  }

  hasFreeSlot(model: string): boolean {
    return this.inFlightFor(model) < this.spec.slots;
  }

  take(model: string): void {
    this.inFlight.set(model, this.inFlightFor(model) + 1);
  }

  give(model: string): void {
    this.inFlight.set(model, Math.max(0, this.inFlightFor(model) - 1));
  }

  residencyOf(model: string): Residency {
    return this.residency.get(model) ?? "unknown";
  }

  setResidency(model: string, residency: Residency): void {
    this.residency.set(model, residency);
  }

  /** Models known to be loaded: the served ones marked resident plus any strangers. */
  residentCount(): number {
    let count = this.strangers.length;
    for (const model of this.models) if (this.residencyOf(model) === "resident") count++;
    return count;
  }

  /** Takes a fresh `/api/ps` reading; a model still in flight stays resident (it is loading or running). */
  applyLoaded(loadedNames: string[]): void {
    for (const model of this.models) {
      const loaded = loadedNames.some((name) => sameModel(name, model));
      if (loaded) this.residency.set(model, "resident");
      else if (this.inFlightFor(model) === 0) this.residency.set(model, "absent");
    }
    this.strangers = loadedNames.filter((name) => !this.models.some((model) => sameModel(model, name)));
  }

  warn(message: string): void {
    this.warnings.push({ at: Date.now(), message });
    if (this.warnings.length > keptWarnings) this.warnings.shift();
  }
}
