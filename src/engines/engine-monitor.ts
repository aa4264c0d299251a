/**
 * The fleet's eyes: polls each Engine's inventory on a timer (which doubles as the circuit's
 * half-open probe while it is down), warms its models at start and again after a restart or a
 * recovery, and turns what changed into counters and warnings — an eviction is a swap, with its
 * likely cause. Everything it learns lands in the Engine's state; the fleet re-reads it on `changed`.
 */
import type { OllamaApiConnection } from "../backends/ollama/ollama-api.js";
import { OllamaBackend } from "../backends/ollama/ollama-backend.js";
import { compareInventories, readInventory } from "./engine-inventory.js";
import type { EngineState } from "./engine-state.js";
import { type WarmUpReport, warmEngine } from "./engine-warmup.js";

export interface FleetLogger {
  info(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
}

export const silentLogger: FleetLogger = { info() {}, warn() {} };

export class EngineMonitor {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly stopping = new AbortController();

  constructor(
    private readonly engines: EngineState[],
    private readonly logger: FleetLogger,
    /** Called after anything that may let a waiting request start (recovery, new residency). */
    private readonly changed: () => void,
  ) {}

  /** Warms (where configured), takes a first reading, then polls on each Engine's interval. */
  start(): Promise<void> {
    const first = this.engines.map(async (engine) => {
      if (engine.spec.warm) await this.warm(engine);
      if (engine.spec.health.pollIntervalMs > 0) await this.poll(engine);
    });
    for (const engine of this.engines) {
      const interval = engine.spec.health.pollIntervalMs;
      if (interval <= 0) continue;
      const timer = setInterval(() => void this.poll(engine), interval);
      timer.unref();
      this.timers.push(timer);
    }
    return Promise.allSettled(first).then(() => undefined);
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers.length = 0;
    this.stopping.abort();
  }

  connection(engine: EngineState): OllamaApiConnection {
    return {
      baseUrl: engine.spec.baseUrl,
      backend: engine.id,
      signal: this.stopping.signal,
      ...(engine.rawBackend instanceof OllamaBackend ? { dispatcher: engine.rawBackend.dispatcher } : {}),
    };
  }

  /** Reads the Engine once. Skipped while it is down and its half-open delay has not passed. */
  async poll(engine: EngineState): Promise<void> {
    if (engine.polling || engine.warming || this.stopping.signal.aborted) return;
    if (!engine.circuit.available()) return;
    engine.polling = true;
    engine.circuit.dispatched();
    let warmAfter = false;
    try {
      const inventory = await readInventory(this.connection(engine), engine.models, engine.inventory);
      const change = compareInventories(engine.inventory, inventory, engine.models, engine.spec.memoryBytes);
      engine.inventory = inventory;
      engine.applyLoaded(inventory.loaded.map((entry) => entry.name));
      for (const eviction of change.evictions) {
        engine.counters.swaps++;
        engine.knownLoaded.delete(eviction.model);
        if (engine.spec.maxLoadedModels === undefined)
          engine.capacity = Math.min(engine.capacity ?? Number.POSITIVE_INFINITY, inventory.loaded.length);
        this.warn(engine, `Engine "${engine.id}" evicted ${eviction.model} (a swap): ${eviction.cause}`);
      }
      const transition = engine.circuit.recordSuccess();
      if (transition.recovered) this.logger.info({ engine: engine.id }, `Engine "${engine.id}" is back up`);
      if (change.restarted) this.logger.info({ engine: engine.id }, `Engine "${engine.id}" restarted`);
      warmAfter = engine.spec.warm && (transition.recovered || change.restarted);
    } catch (error) {
      this.recordFailure(engine, error);
    } finally {
      engine.polling = false;
      this.changed();
    }
    if (warmAfter) await this.warm(engine);
  }

  /** Loads every served model with keep_alive -1 and checks they stayed resident together. */
  warm(engine: EngineState): Promise<WarmUpReport | undefined> {
    if (engine.warming) return engine.warming as Promise<WarmUpReport | undefined>;
    const warming = (async () => {
      try {
        const report = await warmEngine(this.connection(engine), engine.models, engine.spec.contextWindows);
        for (const load of report.loads) engine.lastLoadMs.set(load.model, load.loadMs);
        engine.applyLoaded(report.loaded.map((entry) => entry.name));
        engine.knownLoaded.clear();
        for (const model of report.resident) engine.knownLoaded.add(model);
        // Models that loaded and were pushed out again show what the Engine can hold at once.
        if (engine.spec.maxLoadedModels === undefined)
          engine.capacity = report.evicted.length > 0 ? Math.max(1, report.loaded.length) : undefined;
        for (const warning of report.warnings) this.warn(engine, warning);
        const transition = engine.circuit.recordSuccess();
        if (transition.recovered) this.logger.info({ engine: engine.id }, `Engine "${engine.id}" is back up`);
        this.logger.info(
          { engine: engine.id, loads: report.loads },
          `Engine "${engine.id}" warm: ${report.resident.join(", ") || "nothing"} resident`,
        );
        return report;
      } catch (error) {
        this.recordFailure(engine, error);
        return undefined;
      } finally {
        engine.warming = undefined;
        this.changed();
      }
    })();
    engine.warming = warming;
    return warming;
  }

  private recordFailure(engine: EngineState, error: unknown): void {
    if (this.stopping.signal.aborted) return;
    const message = error instanceof Error ? error.message : String(error);
    const transition = engine.circuit.recordFailure(message);
    if (transition.opened) this.warn(engine, `Engine "${engine.id}" is down: ${message}`);
  }

  private warn(engine: EngineState, message: string): void {
    engine.warn(message);
    this.logger.warn({ engine: engine.id }, message);
  }
}
