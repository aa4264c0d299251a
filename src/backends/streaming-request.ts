/**
 * One upstream HTTP request whose response body is read chunk by chunk, straight from undici's
 * dispatch handler. `undici.request()` would wrap every response in a Node `Readable` and every
 * chunk in the stream machinery and its async iterator; on the gateway's hot path that is a
 * measurable share of a request's CPU, so both back ends read their streams through this instead.
 *
 * Same contract as `request()` where the back ends rely on it: it resolves once the status and
 * headers are in; the caller's signal aborts the request (and closes its socket) at any
 * point, with the signal's reason as the error; `destroy()` on an unfinished body aborts it the
 * same way, so stopping early never leaves the upstream generating. A slow reader pauses the
 * socket instead of buffering without bound.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { Dispatcher } from "undici";
import type { CancelSignal } from "../protocol/cancel-signal.js";

export interface StreamingRequestOptions {
  origin: string;
  path: string;
  method: "GET" | "POST";
  headers: Record<string, string>;
  body?: string;
  signal: CancelSignal;
  /** How long to wait for the status and headers; undici's default (300 s) otherwise. */
  headersTimeout?: number | undefined;
  /** How long the body may go silent between chunks; undici's default (300 s) otherwise. */
  bodyTimeout?: number | undefined;
}

export interface StreamingResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: ResponseBody;
}

/** Bytes held for a reader that has not caught up before the socket is paused. */
const HIGH_WATER_BYTES = 256 * 1024;

export function streamingRequest(
  dispatcher: Dispatcher,
  options: StreamingRequestOptions,
): Promise<StreamingResponse> {
  return new Promise<StreamingResponse>((resolve, reject) => {
    const { signal } = options;
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    let controller: Dispatcher.DispatchController | undefined;
    let body: ResponseBody | undefined;
    const onAbort = () => {
      const reason = signal.reason as Error;
      controller?.abort(reason);
      // Before the socket was even assigned there is no controller yet: fail now; undici drops it.
      if (!controller) fail(reason);
    };
    const fail = (error: Error) => {
      signal.removeEventListener("abort", onAbort);
      if (body) body.fail(error);
      else reject(error);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    dispatcher.dispatch(
      {
        origin: options.origin,
        path: options.path,
        method: options.method,
        headers: options.headers,
        body: options.body ?? null,
        ...(options.headersTimeout !== undefined ? { headersTimeout: options.headersTimeout } : {}),
        ...(options.bodyTimeout !== undefined ? { bodyTimeout: options.bodyTimeout } : {}),
      },
      {
        onRequestStart(started) {
          controller = started;
          if (signal.aborted) started.abort(signal.reason as Error);
        },
        onResponseStart(started, statusCode, headers) {
          body = new ResponseBody(started);
          resolve({ statusCode, headers, body });
        },
        onResponseData(_controller, chunk) {
          body?.push(chunk);
        },
        onResponseEnd() {
          signal.removeEventListener("abort", onAbort);
          body?.end();
        },
        onResponseError(_controller, error) {
          fail(error);
        },
      },
    );
  });
}

/**
 * The body of a streaming response: an async iterable of the chunks as they arrive. Iterate it to
 * the end, or stop early and call `destroy()` (breaking out of `for await` does that too).
 */
export class ResponseBody implements AsyncIterable<Buffer> {
  private readonly chunks: Buffer[] = [];
  private bufferedBytes = 0;
  private ended = false;
  private failure: Error | undefined;
  private waiting: ((result: IteratorResult<Buffer>) => void) | undefined;
  private waitingFailed: ((error: Error) => void) | undefined;
  private stopped = false;

  constructor(private readonly controller: Dispatcher.DispatchController) {}

  /** True once the body has ended, failed or been destroyed: nothing more will arrive. */
  get destroyed(): boolean {
    return this.stopped || this.ended || this.failure !== undefined;
  }

  /** Aborts an unfinished response (its socket is closed); a finished one is left alone. */
  destroy(): void {
    if (this.destroyed) return;
    this.stopped = true;
    this.chunks.length = 0;
    this.controller.abort(new Error("The response body was destroyed before it ended"));
    this.wake({ done: true, value: undefined });
  }

  /**
   * The body as text, read until it ends or `limitBytes` have arrived; the rest is not read (the
   * response is destroyed). A body that breaks off yields what arrived. For error bodies.
   */
  async text(limitBytes: number): Promise<string> {
    const parts: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of this) {
        parts.push(chunk);
        size += chunk.length;
        if (size >= limitBytes) break;
      }
    } catch {
      // A torn error body is still worth reporting by what arrived and its status.
    }
    this.destroy();
    return Buffer.concat(parts).toString("utf8");
  }

  /**
   * The whole body as text, for a non-streamed answer: rejects (and stops reading) once it grows
   * past `limitBytes`, rather than cutting an answer short. Errors of the socket are thrown.
   */
  async readAll(limitBytes: number): Promise<string> {
    const parts: Buffer[] = [];
    let size = 0;
    for await (const chunk of this) {
      size += chunk.length;
      if (size > limitBytes) {
        this.destroy();
        throw new ResponseTooLargeError(limitBytes);
      }
      parts.push(chunk);
    }
    return parts.length === 1 ? parts[0]!.toString("utf8") : Buffer.concat(parts).toString("utf8");
  }

  push(chunk: Buffer): void {
    if (this.stopped) return;
    if (this.waiting) {
      this.wake({ done: false, value: chunk });
      return;
    }
    this.chunks.push(chunk);
    this.bufferedBytes += chunk.length;
    if (this.bufferedBytes >= HIGH_WATER_BYTES && !this.controller.paused) this.controller.pause();
  }

  end(): void {
    this.ended = true;
    this.wake({ done: true, value: undefined });
  }

  fail(error: Error): void {
    if (this.stopped || this.ended) return;
    this.failure = error;
    this.wake(error);
  }

  /** Settles the reader waiting in `next()`, if any, with a result or an error. */
  private wake(outcome: IteratorResult<Buffer> | Error): void {
    const resolve = this.waiting;
    const reject = this.waitingFailed;
    this.waiting = undefined;
    this.waitingFailed = undefined;
    if (outcome instanceof Error) reject?.(outcome);
    else resolve?.(outcome);
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return {
      next: () => this.next(),
      return: async () => {
        this.destroy();
        return { done: true, value: undefined };
      },
    };
  }

  private next(): Promise<IteratorResult<Buffer>> {
    const chunk = this.chunks.shift();
    if (chunk !== undefined) {
      this.bufferedBytes -= chunk.length;
      if (this.controller.paused && this.bufferedBytes < HIGH_WATER_BYTES / 2) this.controller.resume();
      return Promise.resolve({ done: false, value: chunk });
    }
    // What arrived before a failure is delivered first; then the failure.
    if (this.failure) return Promise.reject(this.failure);
    if (this.ended || this.stopped) return Promise.resolve({ done: true, value: undefined });
    return new Promise<IteratorResult<Buffer>>((resolve, reject) => {
      this.waiting = resolve;
      this.waitingFailed = reject;
    });
  }
}

/** A body larger than the reader agreed to hold. */
export class ResponseTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    const size =
      limitBytes >= 1_048_576
        ? `${Math.round(limitBytes / 1_048_576)} MiB`
        : `${Math.round(limitBytes / 1_024)} KiB`;
    super(`the response is larger than ${size}`);
    this.name = "ResponseTooLargeError";
  }
}
