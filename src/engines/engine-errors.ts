/**
 * The two ways admission refuses a request, as SwitchyardErrors that name the Engine: every Engine
 * serving the alias is down ("upstream-unreachable"), or they are all busy and the wait ran out or
 * the queue is full ("upstream-busy", with the queue depth). Both are retryable, so the dispatcher
 * moves up the ladder — except a busy error under `queue.on_timeout: error`, which keeps its code
 * (and its 503) but is final: the operator chose waiting on the Engine over paying for the cloud.
 */
import { SwitchyardError, type SwitchyardErrorOptions } from "../errors/switchyard-error.js";

/** What a "down" error says about each Engine. */
export interface DownEngine {
  id: string;
  consecutiveFailures: number;
  lastFailure: string | undefined;
  /** Epoch ms it went down. */
  downSince: number | undefined;
  halfOpenAfterMs: number;
}

/**
 * `retryable` is normally decided by the code alone (`isRetryableCode`); this is the one exception,
 * kept here rather than widening the shared error type for a single policy switch.
 */
export class FinalEngineBusyError extends SwitchyardError {
  constructor(message: string, options: SwitchyardErrorOptions) {
    super("upstream-busy", message, options);
  }

  override get retryable(): boolean {
    return false;
  }
}

export function enginesDownError(alias: string, model: string, engines: DownEngine[]): SwitchyardError {
  const names = engines.map((engine) => `"${engine.id}"`).join(", ");
  const reasons = engines.map((engine) => {
    const retryIn =
      engine.downSince === undefined
        ? ""
        : `, next try in ${Math.max(0, Math.ceil((engine.downSince + engine.halfOpenAfterMs - Date.now()) / 1000))} s`;
    return `"${engine.id}": ${engine.consecutiveFailures} consecutive failures${engine.lastFailure ? ` (last: ${engine.lastFailure})` : ""}${retryIn}`;
  });
  const subject = engines.length === 1 ? `Engine ${names} is` : `Engines ${names} are all`;
  return new SwitchyardError(
    "upstream-unreachable",
    `${subject} down, so ${alias} (${model}) cannot run there: ${reasons.join("; ")}`,
    { backend: engines[0]?.id ?? "engine", details: { engines: engines.map((engine) => engine.id) } },
  );
}

export interface BusyErrorInput {
  alias: string;
  model: string;
  engines: Array<{ id: string; inFlight: number; slots: number }>;
  queueDepth: number;
  reason: "timeout" | "full";
  waitedMs: number;
  maxWaitMs: number;
  maxDepth: number;
  final: boolean;
}

export function enginesBusyError(input: BusyErrorInput): SwitchyardError {
  const names = input.engines.map((engine) => `"${engine.id}"`).join(", ");
  const slots = input.engines.map(
    (engine) => `${engine.inFlight} of ${engine.slots} slots in use on "${engine.id}"`,
  );
  const why =
    input.reason === "timeout"
      ? `waited ${Math.round(input.waitedMs)} ms for a slot (queue.max_wait_ms ${input.maxWaitMs})`
      : `the queue is full (queue.max_depth ${input.maxDepth})`;
  const message =
    `${input.engines.length === 1 ? "Engine" : "Engines"} ${names} busy: ${input.queueDepth} requests queued for ` +
    `${input.alias} (${input.model}), ${slots.join(", ")}; ${why}`;
  const options: SwitchyardErrorOptions = {
    backend: input.engines[0]?.id ?? "engine",
    details: { engines: input.engines.map((engine) => engine.id), queueDepth: input.queueDepth },
  };
  return input.final
    ? new FinalEngineBusyError(message, options)
    : new SwitchyardError("upstream-busy", message, options);
}
