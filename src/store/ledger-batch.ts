/**
 * The write queue both ledgers share: items wait at most a few milliseconds, or until enough have
 * gathered, and are then handed to the store's batch writer in one go, so a burst of requests costs
 * a handful of commits and no commit sits on a response's path. Items are ledger rows, and on
 * SQLite also other stores' deferred writes (a budget settle) that commit with them.
 */

/** How long an item may wait before its batch is written. */
export const FLUSH_INTERVAL_MS = 20;
/** A batch this large is written at once. */
export const MAX_BATCH_ROWS = 500;

export class LedgerBatch<Item> {
  private queue: Item[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly writeBatch: (items: Item[]) => void) {}

  add(item: Item): void {
    this.queue.push(item);
    if (this.queue.length >= MAX_BATCH_ROWS) {
      this.writeNow();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.writeNow(), FLUSH_INTERVAL_MS);
      this.timer.unref();
    }
  }

  /** Hands whatever is queued to the writer now. */
  writeNow(): void {
    const items = this.take();
    if (items.length > 0) this.writeBatch(items);
  }

  /** Empties the queue without writing: the caller commits the items in a transaction of its own. */
  take(): Item[] {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const items = this.queue;
    this.queue = [];
    return items;
  }

  /** Takes the items that `wanted` picks, in order; the rest stay queued for their batch. */
  extract(wanted: (item: Item) => boolean): Item[] {
    const taken: Item[] = [];
    const kept: Item[] = [];
    for (const item of this.queue) (wanted(item) ? taken : kept).push(item);
    if (taken.length === 0) return taken;
    this.queue = kept;
    if (kept.length === 0) {
      if (this.timer !== undefined) clearTimeout(this.timer);
      this.timer = undefined;
    }
    return taken;
  }
}
