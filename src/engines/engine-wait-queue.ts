/**
 * Switchyard's own queue in front of the Engines: requests that found no free slot wait here, FIFO
 * per alias, each with a deadline and its caller's abort signal. An aborted or expired request
 * leaves at once; the fleet hands slots to the oldest waiters as slots free up.
 */
import { SwitchyardError } from "../errors/switchyard-error.js";
import type { CancelSignal } from "../protocol/cancel-signal.js";

export interface Waiter<Grant> {
  alias: string;
  model: string;
  /** performance.now() when it started waiting. */
  enqueuedAt: number;
  /** Hands the waiter its grant; it leaves the queue. */
  grant(value: Grant): void;
  /** Fails the waiter; it leaves the queue. */
  fail(error: SwitchyardError): void;
}

export interface WaitOptions {
  alias: string;
  model: string;
  signal: CancelSignal;
  maxWaitMs: number;
  /** The error for a request whose wait ran out (built then, so it can name the depth at that time). */
  timeoutError: (waitedMs: number) => SwitchyardError;
}

export class EngineWaitQueue<Grant> {
  private readonly queues = new Map<string, Waiter<Grant>[]>();

  depth(alias: string): number {
    return this.queues.get(alias)?.length ?? 0;
  }

  totalDepth(): number {
    let total = 0;
    for (const queue of this.queues.values()) total += queue.length;
    return total;
  }

  /** Waiting for a model (any alias that maps to it). */
  depthForModel(model: string): number {
    let total = 0;
    for (const queue of this.queues.values()) for (const waiter of queue) if (waiter.model === model) total++;
    return total;
  }

  /** The oldest waiter of each alias, oldest first. */
  heads(): Waiter<Grant>[] {
    const heads: Waiter<Grant>[] = [];
    for (const queue of this.queues.values()) if (queue[0]) heads.push(queue[0]);
    return heads.sort((left, right) => left.enqueuedAt - right.enqueuedAt);
  }

  /** The oldest waiter for `model`, or undefined. */
  oldestFor(model: string): Waiter<Grant> | undefined {
    return this.heads().find((waiter) => waiter.model === model);
  }

  aliases(): string[] {
    return [...this.queues.keys()];
  }

  wait(options: WaitOptions): Promise<Grant> {
    return new Promise<Grant>((resolve, reject) => {
      const queue = this.queues.get(options.alias) ?? [];
      this.queues.set(options.alias, queue);
      const enqueuedAt = performance.now();
      let timer: NodeJS.Timeout | undefined;
      const leave = () => {
        clearTimeout(timer);
        options.signal.removeEventListener("abort", onAbort);
        const index = queue.indexOf(waiter);
        if (index !== -1) queue.splice(index, 1);
        if (queue.length === 0 && this.queues.get(options.alias) === queue) this.queues.delete(options.alias);
      };
      const waiter: Waiter<Grant> = {
        alias: options.alias,
        model: options.model,
        enqueuedAt,
        grant(value) {
          leave();
          resolve(value);
        },
        fail(error) {
          leave();
          reject(error);
        },
      };
      const onAbort = () =>
        waiter.fail(
          new SwitchyardError("aborted", `The caller went away while waiting for ${options.alias}`, {
            cause: options.signal.reason,
          }),
        );
      queue.push(waiter);
      if (options.signal.aborted) return onAbort();
      options.signal.addEventListener("abort", onAbort, { once: true });
      timer = setTimeout(
        () => waiter.fail(options.timeoutError(performance.now() - enqueuedAt)),
        options.maxWaitMs,
      );
      timer.unref?.();
    });
  }

  /** Fails every waiter for `alias` (its Engines all went down). */
  failAll(alias: string, error: SwitchyardError): void {
    for (const waiter of [...(this.queues.get(alias) ?? [])]) waiter.fail(error);
  }
}
