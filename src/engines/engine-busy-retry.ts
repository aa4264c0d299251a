/**
 * Ollama answers 503 "server busy" when its own queue is full (OLLAMA_MAX_QUEUE) or a model is
 * being loaded for someone else. That is a passing state of a healthy Engine, so a call is tried
 * again a few times, with a growing delay (Retry-After when Ollama sends one), before the rung
 * gives up and the dispatcher moves up the ladder. Only failures before the first byte are retried:
 * `chat()` rejects before any event has been handed over.
 */
import type { Backend, BackendCall } from "../backends/backend.js";
import { SwitchyardError } from "../errors/switchyard-error.js";
import type { CancelSignal } from "../protocol/cancel-signal.js";
import type { ChatEvent } from "../protocol/chat-types.js";

export interface BusyRetryOptions {
  /** Retries after the first attempt; 0 turns retrying off. */
  attempts: number;
  /** The first delay; each retry doubles it. */
  delayMs: number;
  /** Told about every retry (for the Engine's counters and logs). */
  onRetry?: (error: SwitchyardError, attempt: number, delayMs: number) => void;
}

/** Longest wait between retries, whatever Retry-After says: the caller is waiting. */
const maxDelayMs = 10_000;

export function retryWhenBusy(backend: Backend, options: BusyRetryOptions): Backend {
  if (options.attempts <= 0) return backend;
  return {
    id: backend.id,
    kind: backend.kind,
    close: () => backend.close(),
    async chat(call: BackendCall): Promise<AsyncIterable<ChatEvent>> {
      for (let attempt = 0; ; attempt++) {
        try {
          return await backend.chat(call);
        } catch (error) {
          if (!(error instanceof SwitchyardError) || error.code !== "upstream-busy") throw error;
          if (attempt >= options.attempts || call.signal.aborted) throw error;
          const backoff = options.delayMs * 2 ** attempt;
          const delay = Math.min(
            maxDelayMs,
            error.retryAfterSeconds === undefined ? backoff : error.retryAfterSeconds * 1000,
          );
          options.onRetry?.(error, attempt + 1, delay);
          await sleep(delay, call.signal);
        }
      }
    },
  };
}

/** Resolves after `milliseconds`, or at once when the signal aborts (the next attempt then fails fast). */
function sleep(milliseconds: number, signal: CancelSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, milliseconds);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
