/**
 * Cancellation as Switchyard uses it: "the caller went away, stop". What the dispatcher, the back
 * ends, the Engine queue and the gates need of a signal is `aborted`, `reason` and an "abort"
 * listener. An AbortSignal is such a signal (tests and the CLI pass those); the gateway makes a
 * `Cancellation` per request instead, because an AbortController and its EventTarget cost about a
 * tenth of a request's CPU on the gateway's hot path (8–10 µs of ~100, measured under load), where
 * this costs an object and, once something listens, an array.
 */
export interface CancelSignal {
  readonly aborted: boolean;
  /** Why it was cancelled; undefined until then. */
  readonly reason: unknown;
  addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: "abort", listener: () => void): void;
}

/** A signal and its trigger in one, with an AbortSignal's semantics for what `CancelSignal` has. */
export class Cancellation implements CancelSignal {
  private abortReason: unknown;
  private cancelled = false;
  private listeners: Array<() => void> | undefined;

  get aborted(): boolean {
    return this.cancelled;
  }

  get reason(): unknown {
    return this.abortReason;
  }

  /** Listeners run once, on `abort()`; one added after it never runs (as with an AbortSignal). */
  addEventListener(_type: "abort", listener: () => void): void {
    if (this.cancelled) return;
    if (this.listeners) this.listeners.push(listener);
    else this.listeners = [listener];
  }

  removeEventListener(_type: "abort", listener: () => void): void {
    const index = this.listeners?.indexOf(listener) ?? -1;
    if (index !== -1) this.listeners!.splice(index, 1);
  }

  /** Cancels once; later calls do nothing. The default reason is the DOMException an AbortController uses. */
  abort(reason: unknown = new DOMException("This operation was aborted", "AbortError")): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.abortReason = reason;
    const listeners = this.listeners ?? [];
    this.listeners = undefined;
    for (const listener of listeners) {
      try {
        listener();
      } catch (error) {
        // As an EventTarget does: the other listeners still run; the error surfaces on its own.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
