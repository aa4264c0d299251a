/**
 * Hourly totals for the dashboard without re-reading a month of ledger rows on every view. The
 * database adds rows up per hour, tier and alias (`LedgerStore.totals`); an hour that ended longer
 * ago than the longest a request may run (plus the ledger's batching) can gain no more rows, so
 * its totals are kept in memory, and only the hours still open are asked for again — at most once
 * a second, however many views come in. A view of the month thus costs one query over the last
 * hour or two — whoever wrote the rows, this process or another Brain on the same database.
 */
import type { LedgerStore, LedgerTotals } from "../store/ledger-store.js";

export const HOUR_MS = 3_600_000;
/** How long one read of the open hours serves every view (a dashboard is live to the second). */
const OPEN_READ_REUSE_MS = 1_000;
/** Settled hours missing from memory are read this many at a time. */
const CHUNK_MS = 24 * HOUR_MS;
/** Hours kept; a range asked for beyond them is read again (a year and a bit). */
const MAX_CACHED_HOURS = 24 * 400;

export interface RollupOptions {
  ledger: LedgerStore;
  /** How long after a request starts its row may still arrive (the longest a request may run). */
  settleMs: number;
  now?: () => number;
}

export class LedgerRollup {
  /** Hour start → that hour's totals, for settled hours only. */
  private readonly settled = new Map<number, LedgerTotals[]>();
  /** The last read of the open hours, shared by the views of the next second. */
  private open: { from: number; until: number; readAt: number; totals: Promise<LedgerTotals[]> } | undefined;
  private readonly now: () => number;

  constructor(private readonly options: RollupOptions) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Totals per hour (UTC-aligned), tier and alias of the rows that started in [startMs, endMs).
   * Partial hours at either end are read exactly, so a range need not start on the hour.
   */
  async hourly(startMs: number, endMs: number): Promise<LedgerTotals[]> {
    if (endMs <= startMs) return [];
    const { ledger } = this.options;
    const firstWhole = Math.ceil(startMs / HOUR_MS) * HOUR_MS;
    const lastWhole = Math.floor(endMs / HOUR_MS) * HOUR_MS;
    if (lastWhole <= firstWhole) return ledger.totals({ startMs, endMs, bucketMs: HOUR_MS });
    const settledBefore = Math.min(
      lastWhole,
      Math.floor((this.now() - this.options.settleMs) / HOUR_MS) * HOUR_MS,
    );
    const reads: Array<Promise<LedgerTotals[]>> = [];
    if (startMs < firstWhole) reads.push(ledger.totals({ startMs, endMs: firstWhole, bucketMs: HOUR_MS }));
    reads.push(this.settledHours(firstWhole, Math.max(firstWhole, settledBefore)));
    const openFrom = Math.max(firstWhole, settledBefore);
    if (openFrom < endMs) {
      const now = this.now();
      // A view up to now reads the open hours whole (no row starts in the future), and shares
      // that read with every view in the next second.
      reads.push(
        openFrom === settledBefore && endMs >= now
          ? this.openHours(openFrom, now)
          : ledger.totals({ startMs: openFrom, endMs, bucketMs: HOUR_MS }),
      );
    }
    return (await Promise.all(reads)).flat();
  }

  /** The hours from `from` to the end of the current one, read at most once a second. */
  private openHours(from: number, now: number): Promise<LedgerTotals[]> {
    const open = this.open;
    if (open && open.from === from && now - open.readAt < OPEN_READ_REUSE_MS && now < open.until)
      return open.totals;
    const until = Math.floor(now / HOUR_MS) * HOUR_MS + HOUR_MS;
    const totals = this.options.ledger.totals({ startMs: from, endMs: until, bucketMs: HOUR_MS });
    this.open = { from, until, readAt: now, totals };
    totals.catch(() => {
      if (this.open?.totals === totals) this.open = undefined;
    });
    return totals;
  }

  /** Settled hours in [startMs, endMs), both on the hour: from memory, reading only what is missing. */
  private async settledHours(startMs: number, endMs: number): Promise<LedgerTotals[]> {
    let missingFrom: number | undefined;
    let missingTo = startMs;
    for (let hour = startMs; hour < endMs; hour += HOUR_MS) {
      if (this.settled.has(hour)) continue;
      missingFrom ??= hour;
      missingTo = hour + HOUR_MS;
    }
    if (missingFrom !== undefined) {
      // The gap (usually the first view after a start) is read a day at a time, yielding between
      // reads: SQLite answers synchronously, and a month of rows in one query would hold up every
      // request the gateway is serving meanwhile.
      const read: LedgerTotals[] = [];
      for (let from = missingFrom; from < missingTo; from += CHUNK_MS) {
        if (from > missingFrom) await new Promise((resolve) => setImmediate(resolve));
        const to = Math.min(missingTo, from + CHUNK_MS);
        read.push(...(await this.options.ledger.totals({ startMs: from, endMs: to, bucketMs: HOUR_MS })));
      }
      const filled = new Map<number, LedgerTotals[]>();
      for (let hour = missingFrom; hour < missingTo; hour += HOUR_MS)
        if (!this.settled.has(hour)) filled.set(hour, []);
      for (const totals of read) filled.get(totals.bucketStart)?.push(totals);
      for (const [hour, totals] of filled) this.settled.set(hour, totals);
      this.evict();
    }
    const result: LedgerTotals[] = [];
    for (let hour = startMs; hour < endMs; hour += HOUR_MS) result.push(...(this.settled.get(hour) ?? []));
    return result;
  }

  private evict(): void {
    if (this.settled.size <= MAX_CACHED_HOURS) return;
    const hours = [...this.settled.keys()].sort((left, right) => left - right);
    for (const hour of hours.slice(0, hours.length - MAX_CACHED_HOURS)) this.settled.delete(hour);
  }
}
