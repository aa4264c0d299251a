/**
 * The simulated Engine's scheduler, shaped like Ollama's: a model must be resident before it
 * answers (a load takes the model's load time, and a model past OLLAMA_MAX_LOADED_MODELS evicts
 * the least recently used idle one), each model decodes OLLAMA_NUM_PARALLEL requests at once and
 * queues the rest, a request beyond OLLAMA_MAX_QUEUE is refused (the server answers 503), and a
 * model unloads when its `keep_alive` runs out after its last request (-1: never; 0: at once).
 */
import type { LocalModelSpec } from "./simulated-model-speeds.js";
import type { SimulatedTime } from "./simulated-time.js";

export interface EngineLimits {
  /** OLLAMA_NUM_PARALLEL: requests per model decoded at once. */
  slots: number;
  /** OLLAMA_MAX_LOADED_MODELS: models resident at once. */
  maxLoadedModels: number;
  /** OLLAMA_MAX_QUEUE: requests that may wait; one more is refused. */
  maxQueue: number;
}

/** Ollama's defaults on a Mac (OLLAMA_MAX_QUEUE is 512), with the reference setup's 4 slots and 2 models. */
export const REFERENCE_ENGINE_LIMITS: EngineLimits = { slots: 4, maxLoadedModels: 2, maxQueue: 512 };

/** Ollama's default keep_alive when a request names none: five minutes. */
const DEFAULT_KEEP_ALIVE_MS = 5 * 60_000;

export interface EngineTicket {
  /** Simulated milliseconds this request waited for its model to load (0 when it was resident). */
  loadMs: number;
  release(): void;
}

interface ModelState {
  spec: LocalModelSpec;
  resident: boolean;
  loading: Promise<void> | undefined;
  loadStartedAt: number;
  /** Simulated time at which an idle model unloads; Infinity for keep_alive -1. */
  expiresAt: number;
  keepAliveMs: number;
  active: number;
  waiting: Array<() => void>;
  lastUsed: number;
}

export class SimulatedEngineScheduler {
  private readonly models = new Map<string, ModelState>();
  private waitingCount = 0;
  /** The latest load; the next one starts after it. */
  private loads: Promise<void> = Promise.resolve();

  constructor(
    specs: readonly LocalModelSpec[],
    private readonly limits: EngineLimits,
    private readonly time: SimulatedTime,
  ) {
    for (const spec of specs) this.install(spec);
  }

  install(spec: LocalModelSpec): void {
    if (this.models.has(spec.name)) return;
    this.models.set(spec.name, {
      spec,
      resident: false,
      loading: undefined,
      loadStartedAt: 0,
      expiresAt: 0,
      keepAliveMs: DEFAULT_KEEP_ALIVE_MS,
      active: 0,
      waiting: [],
      lastUsed: 0,
    });
  }

  spec(name: string): LocalModelSpec | undefined {
    return this.models.get(name)?.spec;
  }

  installed(): LocalModelSpec[] {
    return [...this.models.values()].map((state) => state.spec);
  }

  /** Resident models with when each unloads (simulated time; Infinity for never). */
  resident(): Array<{ spec: LocalModelSpec; expiresAt: number }> {
    this.expireIdle();
    return [...this.models.values()]
      .filter((state) => state.resident)
      .map((state) => ({
        spec: state.spec,
        expiresAt: state.active > 0 ? Number.POSITIVE_INFINITY : state.expiresAt,
      }));
  }

  /** Streams decoding on `name` now, and how many other models are decoding. */
  load(name: string): { sameModel: number; otherModels: number } {
    let otherModels = 0;
    for (const [other, state] of this.models) if (other !== name && state.active > 0) otherModels++;
    return { sameModel: this.models.get(name)?.active ?? 0, otherModels };
  }

  /**
   * Waits for `name` to be resident and for one of its slots; undefined when the queue is full.
   * `keepAlive` is the request's `keep_alive` (Ollama's seconds, or a duration like "10m").
   */
  admit(name: string, keepAlive: unknown): Promise<EngineTicket> | undefined {
    const state = this.models.get(name);
    if (!state) throw new Error(`model ${name} is not installed`);
    if (this.waitingCount >= this.limits.maxQueue) return undefined;
    this.waitingCount++;
    return (async () => {
      try {
        const loadMs = await this.ensureResident(state, keepAlive);
        if (state.active >= this.limits.slots)
          await new Promise<void>((resolve) => state.waiting.push(resolve));
        else state.active++;
        return this.ticket(state, loadMs);
      } finally {
        this.waitingCount--;
      }
    })();
  }

  /** What `/api/generate` with no prompt does: load (keep_alive 0: unload) without taking a slot. */
  async preload(name: string, keepAlive: unknown): Promise<number> {
    const state = this.models.get(name);
    if (!state) throw new Error(`model ${name} is not installed`);
    if (parseKeepAliveMs(keepAlive) === 0) {
      if (state.active === 0) state.resident = false;
      state.keepAliveMs = 0;
      return 0;
    }
    const loadMs = await this.ensureResident(state, keepAlive);
    if (state.active === 0) state.expiresAt = this.time.now() + state.keepAliveMs;
    return loadMs;
  }

  private ticket(state: ModelState, loadMs: number): EngineTicket {
    let released = false;
    return {
      loadMs,
      release: () => {
        if (released) return;
        released = true;
        state.lastUsed = this.time.now();
        const next = state.waiting.shift();
        if (next) return next();
        state.active--;
        if (state.active === 0) {
          if (state.keepAliveMs === 0) state.resident = false;
          else state.expiresAt = this.time.now() + state.keepAliveMs;
        }
      },
    };
  }

  private async ensureResident(state: ModelState, keepAlive: unknown): Promise<number> {
    if (keepAlive !== undefined && keepAlive !== null) state.keepAliveMs = parseKeepAliveMs(keepAlive);
    this.expireIdle();
    state.lastUsed = this.time.now();
    if (state.resident) return 0;
    // What is left of the load when this request joined it, in model time: timers at high
    // speeds fire early or late by a whole tick, so a measured wait would say little.
    let remaining = Math.max(0, state.spec.loadMs - (this.time.now() - state.loadStartedAt));
    if (!state.loading) {
      remaining = state.spec.loadMs;
      state.loadStartedAt = this.time.now();
      // Ollama loads one model at a time: a second load waits for the first to finish.
      const previous = this.loads;
      state.loading = (async () => {
        await previous;
        this.makeRoomFor(state);
        await this.time.wait(state.spec.loadMs);
        state.resident = true;
        state.expiresAt = this.time.now() + state.keepAliveMs;
        state.loading = undefined;
      })();
      this.loads = state.loading;
    }
    await state.loading;
    return remaining;
  }

  /** Evicts the least recently used idle model when the Engine is at its limit. */
  private makeRoomFor(incoming: ModelState): void {
    const resident = [...this.models.values()].filter((state) => state.resident && state !== incoming);
    if (resident.length < this.limits.maxLoadedModels) return;
    // A model with requests running is never pulled out from under them; the simulator lets the
    // Engine run over its limit instead (real Ollama would make the newcomer wait).
    const idle = resident
      .filter((state) => state.active === 0)
      .sort((left, right) => left.lastUsed - right.lastUsed);
    const victim = idle[0];
    if (victim) victim.resident = false;
  }

  private expireIdle(): void {
    const now = this.time.now();
    for (const state of this.models.values()) {
      if (state.resident && state.active === 0 && state.expiresAt <= now) state.resident = false;
    }
  }
}

/**
 * Ollama's keep_alive: a number of seconds or a Go duration ("5m", "1h30m", "-1"); negative keeps
 * the model forever, 0 unloads it at once. Anything unreadable gets Ollama's default, 5 minutes.
 */
export function parseKeepAliveMs(value: unknown): number {
  if (typeof value === "number") return value < 0 ? Number.POSITIVE_INFINITY : value * 1000;
  if (typeof value !== "string") return DEFAULT_KEEP_ALIVE_MS;
  const text = value.trim();
  if (/^-?\d+(\.\d+)?$/.test(text)) return parseKeepAliveMs(Number(text));
  if (text.startsWith("-")) return Number.POSITIVE_INFINITY;
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 };
  let total = 0;
  let matched = "";
  for (const match of text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    total += Number(match[1]) * units[match[2]!]!;
    matched += match[0];
  }
  return matched === text && matched !== "" ? total : DEFAULT_KEEP_ALIVE_MS;
}
