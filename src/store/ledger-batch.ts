/**
 * The write queue both ledgers share: rows wait at most a few milliseconds, or until enough have
 * gathered, and are then handed to the store's batch writer in one go, so a burst of requests costs
 * a handful of commits and no commit sits on a response's path.
 */
import type { RequestRecord } from "./ledger-store.js";

/** How long a row may wait before its batch is written. */
export const FLUSH_INTERVAL_MS = 20;
/** A batch this large is written at once. */
export const MAX_BATCH_ROWS = 500;

export class LedgerBatch {
  private queue: RequestRecord[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly writeBatch: (rows: RequestRecord[]) => void) {}

  add(row: RequestRecord): void {
    this.queue.push(row);
    if (this.queue.length >= MAX_BATCH_ROWS) {
      this.writeNow();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.writeNow(), FLUSH_INTERVAL_MS);
      this.timer.unref();
    }
  }

  /** Hands whatever is queued to the writer now. */
  writeNow(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queue.length === 0) return;
    const rows = this.queue;
    this.queue = [];
    this.writeBatch(rows);
  }
}
