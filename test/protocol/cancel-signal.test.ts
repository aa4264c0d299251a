/** The gateway's per-request cancellation: an AbortSignal's behaviour for what Switchyard uses of it. */
import { describe, expect, it } from "vitest";
import { Cancellation, type CancelSignal } from "../../src/protocol/cancel-signal.js";

/** What the back ends do with a signal: look, then listen until done. */
function watch(signal: CancelSignal, seen: string[], name: string): () => void {
  const listener = () => seen.push(`${name}:${String((signal.reason as Error).name)}`);
  signal.addEventListener("abort", listener, { once: true });
  return () => signal.removeEventListener("abort", listener);
}

describe("Cancellation", () => {
  it("runs each listener once, in order, with the reason set, and not again on a second abort", () => {
    const cancellation = new Cancellation();
    const seen: string[] = [];
    watch(cancellation, seen, "first");
    watch(cancellation, seen, "second");
    expect(cancellation.aborted).toBe(false);
    expect(cancellation.reason).toBeUndefined();
    cancellation.abort();
    cancellation.abort(new Error("later"));
    expect(seen).toEqual(["first:AbortError", "second:AbortError"]);
    expect(cancellation.aborted).toBe(true);
    expect(cancellation.reason).toBeInstanceOf(DOMException);
  });

  it("skips a removed listener and one added after the abort, as an AbortSignal does", () => {
    const seen: string[] = [];
    for (const signal of [new Cancellation(), new AbortController()]) {
      const target = signal instanceof Cancellation ? signal : signal.signal;
      const stop = watch(target, seen, "removed");
      stop();
      const reason = new Error("gone");
      reason.name = "Gone";
      if (signal instanceof Cancellation) signal.abort(reason);
      else signal.abort(reason);
      watch(target, seen, "late");
      expect(target.reason).toBe(reason);
    }
    expect(seen).toEqual([]);
  });

  it("keeps running the other listeners when one throws, and surfaces the error on its own", async () => {
    const cancellation = new Cancellation();
    const seen: string[] = [];
    const uncaught = new Promise<unknown>((resolve) => {
      const listeners = process.listeners("uncaughtException");
      process.removeAllListeners("uncaughtException");
      process.once("uncaughtException", (error) => {
        for (const listener of listeners) process.on("uncaughtException", listener);
        resolve(error);
      });
    });
    cancellation.addEventListener("abort", () => {
      throw new Error("listener failed");
    });
    watch(cancellation, seen, "after");
    cancellation.abort();
    expect(seen).toEqual(["after:AbortError"]);
    expect(((await uncaught) as Error).message).toBe("listener failed");
  });
});
