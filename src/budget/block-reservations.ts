/**
 * Reservations in blocks: a BudgetStore in front of the real one that takes headroom for many
 * paid requests in one reservation and grants each request's worst case from it in memory; a
 * finished request gives its worst case back and keeps what it cost. Without it every paid request
 * costs a reservation transaction before it is sent and a settle after; with it a busy Brain costs
 * one reservation per block, and the settles of ~20 ms are booked together.
 *
 * A block holds the worst cases of this process's requests in flight on its alias plus headroom
 * for more. The requests in flight move to each new block from the ones before it, which are
 * given back at once, so the headroom is what a block adds to what exact reservations would hold,
 * however large one request's worst case is: a request with no max_tokens is reserved for the
 * model's whole output window (64k tokens on Sonnet, about a dollar), more than a starting block,
 * and sixteen of them in flight share one block as sixteen small ones do.
 *
 * The hard cap stays hard. A block is an ordinary reservation, checked against every cap when it
 * is taken (while the blocks it takes over still hold their requests, so the check counts them
 * twice, never less than once), and it always holds at least the worst case of its requests in
 * flight plus what the finished ones spent and are not yet booked. Other processes see the whole
 * block as reserved, so they can only be more careful, never overspend. Near a cap, where a block
 * no longer fits, a request is reserved exactly, as without blocks, after this process has given
 * back the headroom its blocks were holding, so a denial is never caused by this process's own
 * blocks, and its figures are the real ones.
 *
 * Every sync (default 20 ms) books what finished requests spent (`rebook`), closes blocks that
 * sat idle or are too old to grant from, and gives back a closed block's headroom. What this
 * process reports (`spending`) is corrected for its own blocks: reserved is what its requests in
 * flight hold, settled includes what is not booked yet. The price: a crash loses at most one sync
 * of settled spend, as the ledger loses at most one batch of rows; the block itself is cleared
 * like any reservation of a dead process.
 */
import { randomUUID } from "node:crypto";
import type {
  BudgetCap,
  BudgetInstance,
  BudgetStore,
  FiredAlert,
  PeriodSpending,
  Rebooking,
  ReservationHandle,
  ReservationOutcome,
  ReservationRequest,
  SettleResult,
  SpendTotals,
} from "../store/budget-store.js";

export interface BlockReservationOptions {
  /**
   * The most headroom a block holds beyond its requests in flight, as a percent of the tightest
   * cap on its alias. It starts at a quarter of that and doubles while blocks fill within
   * `fastFillMs`; it is never smaller than the request that takes the block.
   */
  blockPercent?: number;
  /** A block used up sooner than this after it was taken makes the next one twice as large, ms. */
  fastFillMs?: number;
  /** How often spend is booked and idle blocks are given back, ms. */
  syncIntervalMs?: number;
  /** A block grants for at most this long after it was taken, ms. */
  grantWindowMs?: number;
  /** After the store refused a block (a cap is near), requests on that alias are reserved exactly for this long, ms. */
  exactForMs?: number;
  /** A failed booking (retried at the next sync); the caller logs it. */
  onError?: (error: unknown) => void;
  /** The clock: when a block opened, how fast it filled, how long it may grant. Default Date.now. */
  now?: () => number;
  /** Schedules the next sync. Default setTimeout; tests pass their own, to decide when syncs run. */
  setTimer?: (callback: () => void, delayMs: number) => void;
}

const GRANTED: ReservationOutcome = Object.freeze({ granted: true });
/** A block starts at 1/2^MAX_DOUBLINGS of the largest. */
const MAX_DOUBLINGS = 2;

/** One request's worst case, held by a block (the one it was granted from, or the one that took it over). */
interface Grant {
  block: Block;
  amount: number;
}

interface SettleWaiter {
  resolve: (result: SettleResult) => void;
  reject: (error: unknown) => void;
}

/** One block: a reservation in the store and what this process has drawn from it. */
class Block {
  /** Granting; a closed block only waits for its requests in flight. */
  open = true;
  /** Worst cases of the requests in flight. */
  inFlight = 0;
  /** Spent by finished requests, not booked yet. */
  pending = 0;
  pendingRequests = 0;
  grantsSinceSync = 0;
  /** Cleared from the store (expired): it holds nothing; its requests still book what they cost. */
  gone = false;
  waiters: SettleWaiter[] = [];
  syncing: Promise<void> | undefined;

  constructor(
    readonly key: string,
    readonly handle: ReservationHandle,
    readonly caps: readonly BudgetCap[],
    /** What the store holds reserved for it. */
    public amount: number,
    readonly openedAt: number,
  ) {}

  fits(request: ReservationRequest, grantWindowMs: number): boolean {
    return (
      this.open &&
      this.inFlight + this.pending + request.amountMicroUsd <= this.amount &&
      request.startedAt - this.openedAt < grantWindowMs &&
      sameCaps(this.caps, request.caps)
    );
  }
}

export class BlockReservations implements BudgetStore {
  private readonly blockPercent: number;
  private readonly fastFillMs: number;
  private readonly syncIntervalMs: number;
  private readonly grantWindowMs: number;
  private readonly exactForMs: number;
  private readonly now: () => number;
  /** The block granting for each period and alias. */
  private readonly granting = new Map<string, Block>();
  /** Every block the store still holds for this process, granting or closed. */
  private readonly blocks = new Set<Block>();
  /** Requests granted from a block and not finished, by reservation id; a new block takes them over. */
  private readonly grants = new Map<string, Grant>();
  private readonly taking = new Map<string, Promise<void>>();
  private readonly exactUntil = new Map<string, number>();
  /** How many times the next block for a period and alias is doubled (0 to MAX_DOUBLINGS). */
  private readonly doublings = new Map<string, number>();
  private readonly setTimer: (callback: () => void, delayMs: number) => void;
  private syncScheduled = false;
  /** The sync the timer started, while it runs. */
  private ticking: Promise<void> = Promise.resolve();
  /** Unregistered: the store no longer holds any block; late settles book their cost alone. */
  private retired = false;

  constructor(
    private readonly inner: BudgetStore,
    private readonly options: BlockReservationOptions = {},
  ) {
    this.blockPercent = options.blockPercent ?? 5;
    this.fastFillMs = options.fastFillMs ?? 25;
    this.syncIntervalMs = options.syncIntervalMs ?? 20;
    this.grantWindowMs = options.grantWindowMs ?? 1_000;
    this.exactForMs = options.exactForMs ?? 1_000;
    this.now = options.now ?? Date.now;
    this.setTimer = options.setTimer ?? ((callback, delayMs) => void setTimeout(callback, delayMs));
  }

  async reserve(request: ReservationRequest): Promise<ReservationOutcome> {
    const key = `${request.periodKey}\u0000${request.alias}`;
    for (;;) {
      const block = this.granting.get(key);
      if (block?.fits(request, this.grantWindowMs)) {
        block.inFlight += request.amountMicroUsd;
        block.grantsSinceSync++;
        this.grants.set(request.id, { block, amount: request.amountMicroUsd });
        return GRANTED;
      }
      const taking = this.taking.get(key);
      if (taking) {
        // If taking it failed, this request tries on its own and meets its own error.
        await taking.catch(() => {});
        continue;
      }
      if (this.retired || (this.exactUntil.get(key) ?? 0) > this.now()) return this.reserveExactly(request);
      if (block) {
        // Used up fast: busy traffic on this alias; fewer, larger blocks cost fewer transactions.
        if (block.open && request.startedAt - block.openedAt < this.fastFillMs) {
          this.doublings.set(key, Math.min(MAX_DOUBLINGS, (this.doublings.get(key) ?? 0) + 1));
        }
        this.closeBlock(block);
      }
      const took = this.takeBlock(key, request);
      this.taking.set(key, took);
      try {
        await took;
      } finally {
        this.taking.delete(key);
      }
    }
  }

  async settle(reservation: ReservationHandle, costMicroUsd: number): Promise<SettleResult> {
    const grant = this.grants.get(reservation.id);
    if (!grant) return this.inner.settle(reservation, costMicroUsd);
    this.grants.delete(reservation.id);
    const { block } = grant;
    if (this.retired)
      return this.inner.rebook(block.handle, { remainingMicroUsd: 0, costMicroUsd, requests: 1 });
    block.inFlight -= grant.amount;
    block.pending += costMicroUsd;
    block.pendingRequests++;
    this.scheduleSync();
    // Resolved once booked, with the totals after it, for the threshold alerts.
    return new Promise<SettleResult>((resolve, reject) => block.waiters.push({ resolve, reject }));
  }

  rebook(reservation: ReservationHandle, booking: Rebooking): Promise<SettleResult> {
    return this.inner.rebook(reservation, booking);
  }

  async release(reservation: ReservationHandle): Promise<boolean> {
    const grant = this.grants.get(reservation.id);
    if (!grant) return this.inner.release(reservation);
    this.grants.delete(reservation.id);
    grant.block.inFlight -= grant.amount;
    this.scheduleSync();
    return true;
  }

  /** The store's figures with this process's blocks counted as what they really hold. */
  async spending(periodKey: string): Promise<PeriodSpending> {
    let spending: PeriodSpending;
    // A booking that started during the read (a sync on another connection) may or may not be in
    // it; read again, so the correction below matches what was read.
    for (let attempt = 0; ; attempt++) {
      await this.settled();
      spending = await this.inner.spending(periodKey);
      if (attempt === 2 || ![...this.blocks].some((block) => block.syncing)) break;
    }
    for (const block of this.blocks) {
      if (block.handle.periodKey !== periodKey) continue;
      const alias = block.handle.alias;
      spending.byAlias[alias] ??= { settledMicroUsd: 0, reservedMicroUsd: 0 };
      for (const totals of [spending.total, spending.byAlias[alias]]) correct(totals, block);
    }
    return spending;
  }

  claimAlert(periodKey: string, budget: string, thresholdPercent: number, firedAt: number): Promise<boolean> {
    return this.inner.claimAlert(periodKey, budget, thresholdPercent, firedAt);
  }

  firedAlerts(periodKey: string): Promise<FiredAlert[]> {
    return this.inner.firedAlerts(periodKey);
  }

  registerInstance(instance: BudgetInstance): Promise<void> {
    return this.inner.registerInstance(instance);
  }

  heartbeat(instanceId: string, now: number): Promise<void> {
    return this.inner.heartbeat(instanceId, now);
  }

  /** Books everything and gives every block back before the instance (and what it holds) goes. */
  async unregisterInstance(instanceId: string): Promise<void> {
    await this.flush();
    this.retired = true;
    this.blocks.clear();
    await this.inner.unregisterInstance(instanceId);
  }

  clearStaleReservations(now: number, staleAfterMs: number): Promise<number> {
    return this.inner.clearStaleReservations(now, staleAfterMs);
  }

  async close(): Promise<void> {
    await this.flush().catch((error: unknown) => this.options.onError?.(error));
    for (const block of this.blocks) {
      const waiters = block.waiters;
      block.waiters = [];
      for (const waiter of waiters)
        waiter.reject(new Error("The budget store closed before this cost was booked"));
    }
    await this.inner.close();
  }

  /** Resolves when the timer's sync, and every booking it started, has finished (tests). */
  async idle(): Promise<void> {
    await this.ticking;
    await this.settled();
  }

  /** Closes every block and books everything now (shutdown, tests). */
  async flush(): Promise<void> {
    await this.giveBack(() => true);
    for (const block of this.blocks) {
      if (block.pending > 0)
        throw new Error("Could not book the budget's settled spend; see the earlier error");
    }
  }

  /** Closes the chosen blocks and waits until they hold only their requests in flight. */
  private async giveBack(chosen: (block: Block) => boolean): Promise<void> {
    await this.settled();
    for (const block of this.blocks) if (chosen(block)) this.closeBlock(block);
    await this.sync();
    await this.settled();
  }

  private async takeBlock(key: string, request: ReservationRequest): Promise<void> {
    // The requests in flight on this alias move to the new block, which is sized for them plus the
    // headroom; a closed block only drains, so without this a steady load of requests larger than
    // the headroom would take a block (a store transaction) for every one or two of them.
    const predecessors = [...this.blocks].filter(
      (block) => block.key === key && !block.gone && block.inFlight > 0,
    );
    const carried = predecessors.reduce((sum, block) => sum + block.inFlight, 0);
    const amount = carried + Math.max(request.amountMicroUsd, this.blockSize(key, request));
    const id = `block-${randomUUID()}`;
    const outcome = await this.inner.reserve({
      ...request,
      id,
      amountMicroUsd: amount,
      // Its last request may start at the end of the grant window and run its full time; the
      // requests it takes over started before it, and expire before it does.
      expiresAt: request.expiresAt + this.grantWindowMs,
    });
    if (!outcome.granted) {
      this.exactUntil.set(key, this.now() + this.exactForMs);
      this.doublings.delete(key);
      return;
    }
    const handle = { id, periodKey: request.periodKey, alias: request.alias };
    const block = new Block(key, handle, request.caps, amount, request.startedAt);
    this.granting.set(key, block);
    this.blocks.add(block);
    this.takeOver(block, predecessors);
    this.scheduleSync();
  }

  /**
   * Moves the requests in flight from the blocks before it to a new block that has reserved room
   * for them, and gives those blocks back now rather than at the next sync: until then the store
   * holds these requests twice. Their settles arrived so far stay with them, to be booked.
   */
  private takeOver(successor: Block, predecessors: readonly Block[]): void {
    if (predecessors.length === 0) return;
    const taken = new Set(predecessors);
    for (const grant of this.grants.values()) if (taken.has(grant.block)) grant.block = successor;
    for (const block of predecessors) {
      // Settles during the reservation only lowered it: the new block was sized for at least this.
      successor.inFlight += block.inFlight;
      block.inFlight = 0;
      if (!block.open && !block.syncing) void this.rebookBlock(block, 0);
    }
  }

  private blockSize(key: string, request: ReservationRequest): number {
    let tightest = Number.POSITIVE_INFINITY;
    for (const cap of request.caps) {
      if (cap.alias === null || cap.alias === request.alias) tightest = Math.min(tightest, cap.limitMicroUsd);
    }
    if (!Number.isFinite(tightest)) return 0;
    const halvings = MAX_DOUBLINGS - (this.doublings.get(key) ?? 0);
    return Math.floor((tightest * this.blockPercent) / 100 / 2 ** halvings);
  }

  /**
   * Near a cap: the request's own worst case, as without blocks. Denied while this process's
   * blocks hold headroom in the period, it gives that back and asks once more, so the answer and
   * its figures are about real spend and real requests in flight.
   */
  private async reserveExactly(request: ReservationRequest): Promise<ReservationOutcome> {
    const outcome = await this.inner.reserve(request);
    if (outcome.granted) return outcome;
    const inPeriod = (block: Block) => block.handle.periodKey === request.periodKey;
    const holding = [...this.blocks].some(
      (block) => inPeriod(block) && (block.amount > block.inFlight || block.pending > 0 || block.syncing),
    );
    if (!holding) return outcome;
    await this.giveBack(inPeriod);
    return this.inner.reserve(request);
  }

  private closeBlock(block: Block): void {
    block.open = false;
    if (this.granting.get(block.key) === block) this.granting.delete(block.key);
    this.scheduleSync();
  }

  private scheduleSync(): void {
    if (this.syncScheduled || this.retired) return;
    this.syncScheduled = true;
    // Kept referenced: a shutdown waiting for settles to be booked must not exit before they are.
    // It stops once no block is left, a few syncs after the last request.
    this.setTimer(() => {
      this.syncScheduled = false;
      this.ticking = this.sync().then(() => {
        if (this.blocks.size > 0) this.scheduleSync();
      });
    }, this.syncIntervalMs);
  }

  /** Books what finished requests spent and gives back what closed blocks no longer need. */
  private async sync(): Promise<void> {
    const now = this.now();
    const work: Array<Promise<void>> = [];
    for (const block of this.blocks) {
      if (block.syncing) continue;
      const idle = block.inFlight === 0 && block.grantsSinceSync === 0;
      if (block.open && idle) this.doublings.delete(block.key);
      if (block.open && (idle || now - block.openedAt >= this.grantWindowMs)) this.closeBlock(block);
      block.grantsSinceSync = 0;
      // A granting block keeps its headroom; a closed one shrinks to its requests in flight.
      const target = block.gone
        ? 0
        : block.open
          ? Math.max(block.amount - block.pending, block.inFlight)
          : block.inFlight;
      if (target === block.amount && block.pending === 0 && block.waiters.length === 0) {
        if (!block.open && block.inFlight === 0) this.blocks.delete(block);
        continue;
      }
      work.push(this.rebookBlock(block, target));
    }
    await Promise.all(work);
  }

  private rebookBlock(block: Block, target: number): Promise<void> {
    const { pending, pendingRequests, waiters, amount } = block;
    block.pending = 0;
    block.pendingRequests = 0;
    block.waiters = [];
    block.amount = target;
    const booking = { remainingMicroUsd: target, costMicroUsd: pending, requests: pendingRequests };
    const syncing = this.inner.rebook(block.handle, booking).then(
      (result) => {
        if (!result.found) {
          block.gone = true;
          block.amount = 0;
          this.closeBlock(block);
        }
        if (!block.open && block.amount === 0 && block.inFlight === 0 && block.pending === 0) {
          this.blocks.delete(block);
        }
        for (const waiter of waiters) waiter.resolve(result);
      },
      (error: unknown) => {
        // Nothing changed in the store: keep it all for the next sync.
        block.pending += pending;
        block.pendingRequests += pendingRequests;
        block.waiters.unshift(...waiters);
        block.amount = amount;
        this.options.onError?.(error);
      },
    );
    block.syncing = syncing.finally(() => {
      block.syncing = undefined;
    });
    return block.syncing;
  }

  /** Resolves when no booking is under way. */
  private async settled(): Promise<void> {
    for (;;) {
      const under = [...this.blocks].flatMap((block) => (block.syncing ? [block.syncing] : []));
      if (under.length === 0) return;
      await Promise.all(under);
    }
  }
}

function sameCaps(left: readonly BudgetCap[], right: readonly BudgetCap[]): boolean {
  if (left === right) return true;
  if (left.length !== right.length) return false;
  for (let index = 0; index < left.length; index++) {
    const a = left[index]!;
    const b = right[index]!;
    if (a.name !== b.name || a.alias !== b.alias || a.limitMicroUsd !== b.limitMicroUsd) return false;
  }
  return true;
}

/** The store counts the whole block as reserved; what it really holds is its requests in flight. */
function correct(totals: SpendTotals, block: Block): void {
  totals.reservedMicroUsd = Math.max(0, totals.reservedMicroUsd - block.amount + block.inFlight);
  totals.settledMicroUsd += block.pending;
}
