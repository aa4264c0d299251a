/**
 * Time inside the demo's simulators. The simulated Engine and OpenRouter report what real
 * hardware would take (Ollama's nanosecond stats, OpenRouter's pace), but wait only that time
 * divided by `speed`, so a tour that would take minutes takes seconds. Switchyard itself runs on
 * real time and measures the scaled waits as they happen.
 */

export class SimulatedTime {
  /** How many simulated milliseconds pass per real millisecond (1: real time). */
  readonly speed: number;
  private readonly startedAt = performance.now();

  constructor(speed: number) {
    if (!Number.isFinite(speed) || speed <= 0) {
      throw new RangeError(`The simulators' speed must be a positive number; got ${speed}`);
    }
    this.speed = speed;
  }

  /** Simulated milliseconds since the simulators started. */
  now(): number {
    return (performance.now() - this.startedAt) * this.speed;
  }

  /**
   * Waits `simulatedMs` of simulated time; resolves early (without error) when `signal` aborts,
   * so a stream whose client went away stops at once.
   */
  wait(simulatedMs: number, signal?: AbortSignal): Promise<void> {
    if (simulatedMs <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, simulatedMs / this.speed);
      signal?.addEventListener("abort", done, { once: true });
    });
  }
}
