/**
 * One Engine's circuit breaker. Closed: requests flow, and N consecutive failures (polls or
 * requests) open it. Open: nothing is sent until `halfOpenAfterMs` has passed; then one probe (a
 * poll or a request) may go. A success closes it, a failure opens it again for another delay.
 * Pure state with an injected clock, so tests drive time.
 */

export type CircuitState = "closed" | "open" | "half-open";

export interface EngineCircuitOptions {
  failureThreshold: number;
  halfOpenAfterMs: number;
  now?: () => number;
}

export interface CircuitTransition {
  /** This failure took the Engine down. */
  opened: boolean;
  /** This success brought it back after being down (a moment to warm its models again). */
  recovered: boolean;
}

export class EngineCircuit {
  private current: CircuitState = "closed";
  private failures = 0;
  private openedAt = 0;
  private probing = false;
  private lastFailureText: string | undefined;
  private readonly now: () => number;

  constructor(private readonly options: EngineCircuitOptions) {
    this.now = options.now ?? Date.now;
  }

  get state(): CircuitState {
    return this.current;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  get lastFailure(): string | undefined {
    return this.lastFailureText;
  }

  /** When it went down (epoch ms), or undefined while closed. */
  get downSince(): number | undefined {
    return this.current === "closed" ? undefined : this.openedAt;
  }

  /** Whether a request (or a probe) may be sent now. Does not change the state. */
  available(): boolean {
    if (this.current === "closed") return true;
    if (this.probing) return false;
    return this.current === "half-open" || this.now() - this.openedAt >= this.options.halfOpenAfterMs;
  }

  /** Call when something is sent: past the delay, an open circuit lets this one through as its probe. */
  dispatched(): void {
    if (this.current === "closed") return;
    this.current = "half-open";
    this.probing = true;
  }

  recordSuccess(): CircuitTransition {
    const recovered = this.current !== "closed";
    this.current = "closed";
    this.failures = 0;
    this.probing = false;
    return { opened: false, recovered };
  }

  recordFailure(reason: string): CircuitTransition {
    this.lastFailureText = reason;
    this.failures++;
    if (this.current !== "closed") {
      // A failed probe (or a late failure while down): down again for another full delay.
      this.current = "open";
      this.openedAt = this.now();
      this.probing = false;
      return { opened: false, recovered: false };
    }
    if (this.failures < this.options.failureThreshold) return { opened: false, recovered: false };
    this.current = "open";
    this.openedAt = this.now();
    return { opened: true, recovered: false };
  }
}
