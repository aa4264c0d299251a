/**
 * Owns the Engine view of the config: every Ollama back end is an Engine, with the aliases it
 * serves (and the model behind each), its slots, queue, health and warm-up settings, in camelCase.
 * The fleet, the CLI and the capacity planner all start from these specs.
 */
import type { SwitchyardConfig } from "../config/config-schema.js";

export interface EngineQueueSettings {
  /** How long a request may wait for a free slot. */
  maxWaitMs: number;
  /** Requests waiting per alias; one more fails at once. */
  maxDepth: number;
  /** "next-rung": a retryable error (the dispatcher moves up the ladder); "error": the request fails. */
  onTimeout: "next-rung" | "error";
}

export interface EngineHealthSettings {
  /** 0: no polling; health then comes from request outcomes alone. */
  pollIntervalMs: number;
  failureThreshold: number;
  halfOpenAfterMs: number;
}

export interface EngineSpec {
  /** The back end id ("engine"); errors, the ledger and status name the Engine by it. */
  id: string;
  baseUrl: string;
  /** Requests per model at once (OLLAMA_NUM_PARALLEL). */
  slots: number;
  /** Alias → the upstream model this Engine answers it with. */
  serves: Map<string, string>;
  /**
   * Model → the num_ctx its aliases ask for (`context_window`). Warm-up loads with it: Ollama
   * reloads a model whose request asks for another num_ctx than it was loaded with.
   */
  contextWindows?: ReadonlyMap<string, number>;
  /** Models held at once, when configured; otherwise learned from warm-up and evictions. */
  maxLoadedModels: number | undefined;
  memoryBytes: number | undefined;
  warm: boolean;
  queue: EngineQueueSettings;
  health: EngineHealthSettings;
  busyRetry: { attempts: number; delayMs: number };
}

/** Every Ollama back end in the config, in config order. */
export function engineSpecs(config: SwitchyardConfig): EngineSpec[] {
  const specs: EngineSpec[] = [];
  for (const [id, backend] of Object.entries(config.backends)) {
    if (backend.type !== "ollama") continue;
    const aliases =
      backend.serves ?? Object.keys(config.aliases).filter((alias) => config.aliases[alias]?.backend === id);
    const serves = new Map<string, string>();
    const contextWindows = new Map<string, number>();
    for (const alias of aliases) {
      const entry = config.aliases[alias];
      if (!entry) continue;
      serves.set(alias, entry.model);
      if (entry.context_window !== undefined)
        contextWindows.set(entry.model, Math.max(contextWindows.get(entry.model) ?? 0, entry.context_window));
    }
    specs.push({
      id,
      baseUrl: backend.base_url,
      slots: backend.slots,
      serves,
      contextWindows,
      maxLoadedModels: backend.max_loaded_models,
      memoryBytes: backend.memory_gb === undefined ? undefined : backend.memory_gb * 1e9,
      warm: backend.warm,
      queue: {
        maxWaitMs: backend.queue.max_wait_ms,
        maxDepth: backend.queue.max_depth,
        onTimeout: backend.queue.on_timeout,
      },
      health: {
        pollIntervalMs: backend.health.poll_interval_ms,
        failureThreshold: backend.health.failure_threshold,
        halfOpenAfterMs: backend.health.half_open_after_ms,
      },
      busyRetry: { attempts: backend.busy_retry.attempts, delayMs: backend.busy_retry.delay_ms },
    });
  }
  return specs;
}

/** The distinct models an Engine serves, in config order. */
export function servedModels(spec: EngineSpec): string[] {
  return [...new Set(spec.serves.values())];
}

/** Ollama names a model without a tag as `:latest`; compare names the way it does. */
export function sameModel(left: string, right: string): boolean {
  return withTag(left) === withTag(right);
}

export function withTag(name: string): string {
  return name.includes(":") ? name : `${name}:latest`;
}
