/**
 * The seam between the dispatcher and whatever decides which server answers a rung and when:
 * by default the configured back end at once; with an Engine fleet (engines/), a healthy Engine
 * that serves the alias, after waiting for a free slot. The dispatcher holds the lease for the
 * whole stream and releases it when the stream ends, however it ends.
 */

import type { RouteStep } from "../config/alias-steps.js";
import { SwitchyardError } from "../errors/switchyard-error.js";
import type { CancelSignal } from "../protocol/cancel-signal.js";
import type { Backend } from "./backend.js";

export interface BackendLease {
  backend: Backend;
  /** Milliseconds the request waited for a slot (0 when it did not wait). */
  queuedMs: number;
  /** Reports how the call went (for health and slot accounting) and frees the slot. Idempotent. */
  release(outcome: LeaseOutcome): void;
}

export interface LeaseOutcome {
  /** False when the back end failed (unreachable, 5xx, busy); true otherwise, aborts included. */
  ok: boolean;
  /** Ollama's load_duration for this call, when reported: a model load (a swap) took place. */
  loadMs?: number | undefined;
}

export interface BackendAdmission {
  /**
   * A lease on a back end for this rung. Rejects with a SwitchyardError when no server can take
   * the request (all down, or the queue wait ran out); the dispatcher may then move up the ladder.
   */
  acquire(step: RouteStep, signal: CancelSignal): Promise<BackendLease>;
}

/** No fleet: each rung's configured back end, at once. */
export function directAdmission(backends: ReadonlyMap<string, Backend>): BackendAdmission {
  return {
    async acquire(step) {
      const backend = backends.get(step.backend);
      if (!backend) throw new SwitchyardError("internal", `Back end "${step.backend}" is not running`);
      return { backend, queuedMs: 0, release() {} };
    },
  };
}
