/**
 * The one writer of ledger rows. Every attempt the spine starts is counted here until its row is
 * written — once, after its verdict or its failure — and each row, as it is written, feeds the
 * Opus share and whoever listens (metrics, live views, log lines).
 */
import { Attempt, type AttemptOrigin } from "../dispatch/attempt.js";
import { type GateOutcome, gateDetailJson } from "../escalation/quality-gate.js";
import type { LedgerStore, RequestRecord } from "../store/ledger-store.js";

/** Called with every attempt's ledger row as it is written. */
export type RowListener = (row: RequestRecord) => void;

export class AttemptRecorder {
  private readonly listeners: RowListener[] = [];
  /** Attempts started and not yet written to the ledger. */
  private active = 0;
  private drainWaiters: Array<() => void> = [];

  constructor(private readonly ledger: LedgerStore) {}

  start(origin: AttemptOrigin): Attempt {
    this.active++;
    return new Attempt(origin);
  }

  /** Writes the attempt's row with the gates' verdict, when there was one. */
  record(attempt: Attempt, outcome?: GateOutcome): void {
    if (outcome) {
      attempt.gateVerdict = outcome.verdict;
      attempt.gateDetail = gateDetailJson(outcome);
    }
    const row = attempt.toRow();
    attempt.recorded = true;
    this.ledger.record(row);
    for (const listener of this.listeners) listener(row);
    if (--this.active === 0 && this.drainWaiters.length > 0) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  /**
   * A recorded attempt's cost was confirmed later (an answer cut short, settled once the provider
   * said what it billed): its row is written again with the figure. Before its first write there
   * is nothing to correct — that write will carry it.
   */
  correct(attempt: Attempt): void {
    if (attempt.recorded) this.ledger.record(attempt.toRow());
  }

  onRecord(listener: RowListener): void {
    this.listeners.push(listener);
  }

  get inFlight(): number {
    return this.active;
  }

  /** Resolves true once nothing is in flight, or false after `timeoutMs`. */
  drained(timeoutMs: number): Promise<boolean> {
    if (this.active === 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.drainWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
