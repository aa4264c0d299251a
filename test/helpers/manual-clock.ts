/**
 * A clock and timers that move only when a test moves them, for code that takes `now` and
 * `setTimer` (BlockReservations): what happens when is decided by the test, never by how fast a
 * busy machine runs it.
 */
export class ManualClock {
  private nowMs: number;
  private timers: Array<{ dueMs: number; callback: () => void }> = [];

  constructor(startMs = Date.parse("2026-12-01T12:00:00Z")) {
    this.nowMs = startMs;
  }

  readonly now = (): number => this.nowMs;

  readonly setTimer = (callback: () => void, delayMs: number): void => {
    this.timers.push({ dueMs: this.nowMs + delayMs, callback });
  };

  /** Moves the clock by `ms` and runs every timer due by then, earliest first. */
  advance(ms: number): void {
    const until = this.nowMs + ms;
    for (;;) {
      const due = this.timers.filter((timer) => timer.dueMs <= until).sort((a, b) => a.dueMs - b.dueMs)[0];
      if (!due) break;
      this.timers.splice(this.timers.indexOf(due), 1);
      this.nowMs = Math.max(this.nowMs, due.dueMs);
      due.callback();
    }
    this.nowMs = until;
  }
}
