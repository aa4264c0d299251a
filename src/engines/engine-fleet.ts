/**
 * The Engine fleet: slot-aware admission (`BackendAdmission`) over every Ollama back end. A request
 * for a local alias gets a lease on the best Engine that serves it (see engine-placement.ts) as soon
 * as one has a free slot for its model; until then it waits in Switchyard's own FIFO queue, bounded
 * in time and depth, and leaves at once when its caller goes away. Lease releases feed the circuit
 * breakers, residency and swap counters, and hand freed slots to the oldest waiters.
 */
import type { Backend } from "../backends/backend.js";
import type { BackendAdmission, BackendLease, LeaseOutcome } from "../backends/backend-admission.js";
import type { RouteStep } from "../config/alias-steps.js";
import { SwitchyardError } from "../errors/switchyard-error.js";
import type { CancelSignal } from "../protocol/cancel-signal.js";
import { enginesBusyError, enginesDownError } from "./engine-errors.js";
import { EngineMonitor, type FleetLogger, silentLogger } from "./engine-monitor.js";
import { placeRequest, switchIsDue } from "./engine-placement.js";
import type { EngineSpec } from "./engine-spec.js";
import { EngineState } from "./engine-state.js";
import { type FleetSnapshot, fleetSnapshot } from "./engine-status.js";
import { EngineWaitQueue, type Waiter } from "./engine-wait-queue.js";

export interface EngineFleetOptions {
  specs: EngineSpec[];
  /** The running back ends by id: every Engine's own, and the rest for rungs that are not Engines. */
  backends: ReadonlyMap<string, Backend>;
  logger?: FleetLogger;
  /** A request whose load_duration is above this paid for a model load. Default 500 ms. */
  coldLoadMs?: number;
  /** The circuit breakers' clock (tests). */
  now?: () => number;
}

/** Queue waits kept for the p50/p95 in status. */
const keptWaits = 1_000;

export class EngineFleet implements BackendAdmission {
  readonly engines: EngineState[];
  private readonly byId = new Map<string, EngineState>();
  private readonly queue = new EngineWaitQueue<BackendLease>();
  private readonly waits: number[] = [];
  private readonly monitor: EngineMonitor;
  private readonly logger: FleetLogger;
  private readonly coldLoadMs: number;
  private started: Promise<void> | undefined;

  constructor(private readonly options: EngineFleetOptions) {
    this.logger = options.logger ?? silentLogger;
    this.coldLoadMs = options.coldLoadMs ?? 500;
    this.engines = options.specs.map((spec) => {
      const backend = options.backends.get(spec.id);
      if (!backend) throw new SwitchyardError("internal", `Engine "${spec.id}" has no running back end`);
      return new EngineState(spec, backend, options.now);
    });
    for (const engine of this.engines) this.byId.set(engine.id, engine);
    this.monitor = new EngineMonitor(this.engines, this.logger, () => this.drain());
  }

  /** Starts warm-up and polling; resolves when the first warm-up and reading are done. */
  start(): Promise<void> {
    this.started ??= this.monitor.start();
    return this.started;
  }

  stop(): void {
    this.monitor.stop();
  }

  engine(id: string): EngineState | undefined {
    return this.byId.get(id);
  }

  /** Reads one Engine (or all) now, outside the timer. */
  async poll(id?: string): Promise<void> {
    await Promise.all(this.select(id).map((engine) => this.monitor.poll(engine)));
  }

  async warm(id?: string): Promise<void> {
    await Promise.all(this.select(id).map((engine) => this.monitor.warm(engine)));
  }

  snapshot(): FleetSnapshot {
    return fleetSnapshot(this.engines, this.queue, this.waits);
  }

  async acquire(step: RouteStep, signal: CancelSignal): Promise<BackendLease> {
    const home = this.byId.get(step.backend);
    if (!home) {
      const backend = this.options.backends.get(step.backend);
      if (!backend) throw new SwitchyardError("internal", `Back end "${step.backend}" is not running`);
      return { backend, queuedMs: 0, release() {} };
    }
    if (signal.aborted) throw new SwitchyardError("aborted", "The caller went away before a slot was free");
    const servers = this.serversFor(step.alias);
    // Behind earlier waiters for the alias a newcomer waits its turn, even if a slot looks free.
    if (this.queue.depth(step.alias) === 0) {
      const placement = placeRequest(servers, step.model);
      if (placement.kind === "start") return this.grant(placement.engine, step.model, placement.evicts, 0);
      if (placement.kind === "down") throw this.downError(step, servers);
    }
    const settings = (home.servesAlias(step.alias) ? home : (servers[0] ?? home)).spec.queue;
    const busy = (reason: "timeout" | "full", waitedMs: number) =>
      enginesBusyError({
        alias: step.alias,
        model: step.model,
        engines: servers.map((engine) => ({
          id: engine.id,
          inFlight: engine.inFlightFor(step.model),
          slots: engine.spec.slots,
        })),
        queueDepth: this.queue.depth(step.alias),
        reason,
        waitedMs,
        maxWaitMs: settings.maxWaitMs,
        maxDepth: settings.maxDepth,
        final: settings.onTimeout === "error",
      });
    if (this.queue.depth(step.alias) >= settings.maxDepth) throw busy("full", 0);
    const leased = this.queue.wait({
      alias: step.alias,
      model: step.model,
      signal,
      maxWaitMs: settings.maxWaitMs,
      timeoutError: (waitedMs) => busy("timeout", waitedMs),
    });
    // A new waiter may be what makes an Engine switch models.
    this.drain();
    return leased;
  }

  private serversFor(alias: string): EngineState[] {
    return this.engines.filter((engine) => engine.servesAlias(alias));
  }

  private select(id: string | undefined): EngineState[] {
    if (id === undefined) return this.engines;
    const engine = this.byId.get(id);
    if (!engine)
      throw new SwitchyardError(
        "invalid-request",
        `No Engine "${id}"; configured: ${[...this.byId.keys()].join(", ")}`,
      );
    return [engine];
  }

  private grant(
    engine: EngineState,
    model: string,
    evicts: string | undefined,
    queuedMs: number,
  ): BackendLease {
    engine.take(model);
    engine.circuit.dispatched();
    if (engine.switchingTo === model) engine.switchingTo = undefined;
    if (evicts !== undefined) this.evict(engine, evicts, model);
    // Optimistic: once this request runs, Ollama has the model loaded.
    engine.setResidency(model, "resident");
    this.waits.push(queuedMs);
    if (this.waits.length > keptWaits) this.waits.shift();
    let released = false;
    let lastError: SwitchyardError | undefined;
    const backend: Backend = {
      id: engine.backend.id,
      kind: engine.backend.kind,
      close: () => engine.backend.close(),
      chat: async (call) => {
        try {
          return await engine.backend.chat(call);
        } catch (error) {
          if (error instanceof SwitchyardError) lastError = error;
          throw error;
        }
      },
    };
    return {
      backend,
      queuedMs,
      release: (outcome: LeaseOutcome) => {
        if (released) return;
        released = true;
        engine.give(model);
        this.settle(engine, model, outcome, lastError);
        this.drain();
      },
    };
  }

  /**
   * Admission chose to push `victim` out of a full Engine. Pushing out a served model is a swap
   * Switchyard asked for (counted now, not again when it comes back); pushing out a model it does
   * not serve just takes its room back.
   */
  private evict(engine: EngineState, victim: string, model: string): void {
    if (engine.models.includes(victim)) {
      engine.setResidency(victim, "absent");
      engine.knownLoaded.delete(victim);
      engine.counters.swaps++;
    } else {
      engine.strangers = engine.strangers.filter((name) => name !== victim);
    }
    this.logger.info(
      { engine: engine.id, from: victim, to: model },
      `Engine "${engine.id}" switches from ${victim} to ${model} (it holds ${engine.capacity} model(s) at once)`,
    );
  }

  private settle(
    engine: EngineState,
    model: string,
    outcome: LeaseOutcome,
    lastError: SwitchyardError | undefined,
  ) {
    if (outcome.ok) {
      engine.counters.served++;
      const transition = engine.circuit.recordSuccess();
      if (transition.recovered) {
        this.logger.info({ engine: engine.id }, `Engine "${engine.id}" is back up`);
        if (engine.spec.warm) void this.monitor.warm(engine);
      }
      engine.setResidency(model, "resident");
      if (outcome.loadMs !== undefined && outcome.loadMs > this.coldLoadMs) {
        engine.counters.coldLoads++;
        engine.lastLoadMs.set(model, outcome.loadMs);
        if (engine.knownLoaded.has(model)) {
          engine.counters.swaps++;
          const message = `Engine "${engine.id}" had to load ${model} again (${Math.round(outcome.loadMs)} ms): it had been evicted (a swap)`;
          engine.warn(message);
          this.logger.warn({ engine: engine.id, model, loadMs: outcome.loadMs }, message);
        }
      }
      engine.knownLoaded.add(model);
      return;
    }
    // Ollama's 503 means a live Engine with a full queue: no mark against its health.
    if (lastError?.code === "upstream-busy") return;
    engine.counters.failures++;
    // The outcome carries no error; a failure after chat() resolved broke off mid-stream.
    const reason = lastError?.message ?? "a request broke off mid-stream";
    const transition = engine.circuit.recordFailure(reason);
    if (transition.opened) {
      const message = `Engine "${engine.id}" is down after ${engine.circuit.consecutiveFailures} consecutive failures: ${reason}`;
      engine.warn(message);
      this.logger.warn({ engine: engine.id }, message);
    }
  }

  /** Hands free slots to the oldest waiters; fails waiters whose Engines are all down. */
  private drain(): void {
    for (const engine of this.engines) {
      if (engine.switchingTo !== undefined && this.queue.depthForModel(engine.switchingTo) === 0)
        engine.switchingTo = undefined;
    }
    for (let progressed = true; progressed; ) {
      progressed = false;
      for (const head of this.queue.heads()) {
        const servers = this.serversFor(head.alias);
        const placement = placeRequest(servers, head.model);
        if (placement.kind === "start") {
          const queuedMs = performance.now() - head.enqueuedAt;
          head.grant(this.grant(placement.engine, head.model, placement.evicts, queuedMs));
          progressed = true;
          break;
        }
        if (placement.kind === "down") {
          this.queue.failAll(head.alias, this.downError(head, servers));
          progressed = true;
          break;
        }
        if (placement.switchCandidate) this.considerSwitch(placement.switchCandidate, head);
      }
    }
  }

  /** The oldest waiter needs a model its Engine has no room for: drain for it when `switchIsDue`. */
  private considerSwitch(engine: EngineState, head: Waiter<BackendLease>): void {
    if (engine.switchingTo !== undefined) return;
    const now = performance.now();
    const others = engine.models.filter(
      (model) => model !== head.model && engine.residencyOf(model) === "resident",
    );
    const otherWaitsMs = others.flatMap((model) => {
      const oldest = this.queue.oldestFor(model);
      return oldest ? [now - oldest.enqueuedAt] : [];
    });
    if (!switchIsDue(now - head.enqueuedAt, otherWaitsMs, engine.spec.queue.maxWaitMs)) return;
    engine.switchingTo = head.model;
    this.logger.info(
      { engine: engine.id, model: head.model },
      `Engine "${engine.id}" drains ${others.join(", ") || "its models"} to load ${head.model}`,
    );
  }

  private downError(step: { alias: string; model: string }, servers: EngineState[]): SwitchyardError {
    return enginesDownError(
      step.alias,
      step.model,
      servers.map((engine) => ({
        id: engine.id,
        consecutiveFailures: engine.circuit.consecutiveFailures,
        lastFailure: engine.circuit.lastFailure,
        downSince: engine.circuit.downSince,
        halfOpenAfterMs: engine.spec.health.halfOpenAfterMs,
      })),
    );
  }
}
