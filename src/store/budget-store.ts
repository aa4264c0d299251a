/**
 * The budget's storage contract, implemented on SQLite (sqlite-budget-store.ts) and PostgreSQL
 * (postgres-budget-store.ts) in the same database as the ledger. It owns the one operation that
 * must be atomic across requests, processes and machines: "reserve this much only if every cap
 * still has room". Amounts are integer micro-dollars (budget-money.ts), so cap checks are exact.
 */
import { hostname } from "node:os";
import { isProcessAlive } from "../process-alive.js";

/** A limit a reservation must fit under. */
export interface BudgetCap {
  /** What the denial names: "monthly", an alias ("cloud-opus"), or "openrouter-key". */
  name: string;
  /** Binds reservations for this alias, counting only its spend; null: all spend counts. */
  alias: string | null;
  limitMicroUsd: number;
}

export interface ReservationRequest {
  /** Unique; the ledger's request id is a good choice. */
  id: string;
  periodKey: string;
  alias: string;
  /** The worst case, rounded up. */
  amountMicroUsd: number;
  /** Checked in order; the first one without room is the one a denial names. */
  caps: readonly BudgetCap[];
  /** The process that owns it, so a crashed process's reservations can be found and cleared. */
  instanceId: string;
  startedAt: number;
  /** After this (epoch ms) the reservation counts as abandoned even if its owner looks alive. */
  expiresAt: number;
}

/** Settled spend plus open reservations, as seen by the cap that had no room. */
export interface ReservationDenial {
  cap: BudgetCap;
  settledMicroUsd: number;
  reservedMicroUsd: number;
}

export type ReservationOutcome = { granted: true } | { granted: false; denial: ReservationDenial };

/** What settle and release need: the reservation's id and the period and alias it counts against. */
export interface ReservationHandle {
  id: string;
  periodKey: string;
  alias: string;
}

export interface SpendTotals {
  settledMicroUsd: number;
  reservedMicroUsd: number;
}

export interface PeriodSpending {
  total: SpendTotals;
  byAlias: Record<string, SpendTotals>;
}

export interface FiredAlert {
  budget: string;
  thresholdPercent: number;
  /** Epoch milliseconds. */
  firedAt: number;
}

/** What a rebook books and leaves reserved. */
export interface Rebooking {
  /** What stays reserved; 0 removes the reservation. */
  remainingMicroUsd: number;
  costMicroUsd: number;
  /** How many requests that cost is for (the spend table counts them). */
  requests: number;
}

/** After a settle: the period's settled spend, for alert thresholds without another query. */
export interface SettleResult {
  /** False when the reservation was already gone (cleared as stale); the cost still counts. */
  found: boolean;
  totalSettledMicroUsd: number;
  aliasSettledMicroUsd: number;
}

/** A running Switchyard process that may own reservations. */
export interface BudgetInstance {
  instanceId: string;
  hostname: string;
  pid: number;
  startedAt: number;
}

export interface BudgetStore {
  /** Atomically: sum settled + reserved for the period and insert only if every cap has room. */
  reserve(request: ReservationRequest): Promise<ReservationOutcome>;
  /** Replaces the reservation with its real cost (which may be more or less than reserved). */
  settle(reservation: ReservationHandle, costMicroUsd: number): Promise<SettleResult>;
  /**
   * Books what requests spent out of a reservation held as a block (block-reservations.ts) and,
   * in the same transaction, shrinks it to what remains, or removes it at 0. Never grows it, so
   * it checks no cap. `settle` is a rebook of one request with nothing remaining.
   */
  rebook(reservation: ReservationHandle, booking: Rebooking): Promise<SettleResult>;
  /** Drops the reservation: the request died before it cost anything. False when already gone. */
  release(reservation: ReservationHandle): Promise<boolean>;
  spending(periodKey: string): Promise<PeriodSpending>;
  /**
   * Claims one alert firing. True for exactly one caller per (period, budget, threshold), across
   * restarts and across processes sharing the database; the caller sends the alert only then.
   */
  claimAlert(periodKey: string, budget: string, thresholdPercent: number, firedAt: number): Promise<boolean>;
  /** The alerts fired in a period, oldest first (for `switchyard status` and the admin API). */
  firedAlerts(periodKey: string): Promise<FiredAlert[]>;
  /** Records a running process; its heartbeat keeps its reservations alive. */
  registerInstance(instance: BudgetInstance): Promise<void>;
  heartbeat(instanceId: string, now: number): Promise<void>;
  /** A clean shutdown: forgets the instance and releases whatever it still had reserved. */
  unregisterInstance(instanceId: string): Promise<void>;
  /**
   * Removes reservations that are expired, or whose owner has no heartbeat within
   * `staleAfterMs`, or whose owner ran on this host under a pid that no longer exists.
   * Returns how many were removed.
   */
  clearStaleReservations(now: number, staleAfterMs: number): Promise<number>;
  close(): Promise<void>;
}

/** Whether the owner of a reservation is gone, judged by its heartbeat and, on this host, its pid. */
export function isInstanceGone(
  instance: { hostname: string; pid: number; heartbeatAt: number } | undefined,
  now: number,
  staleAfterMs: number,
): boolean {
  if (!instance) return true;
  if (now - instance.heartbeatAt > staleAfterMs) return true;
  if (instance.hostname === hostname() && instance.pid !== process.pid) return !isProcessAlive(instance.pid);
  return false;
}

export function emptySpending(): PeriodSpending {
  return { total: { settledMicroUsd: 0, reservedMicroUsd: 0 }, byAlias: {} };
}

/** Adds settled and reserved rows (per alias) into per-alias and total sums. */
export function sumSpending(
  settled: Iterable<{ alias: string; amount: number }>,
  reserved: Iterable<{ alias: string; amount: number }>,
): PeriodSpending {
  const spending = emptySpending();
  const entry = (alias: string) => {
    let totals = spending.byAlias[alias];
    if (!totals) {
      totals = { settledMicroUsd: 0, reservedMicroUsd: 0 };
      spending.byAlias[alias] = totals;
    }
    return totals;
  };
  for (const row of settled) {
    entry(row.alias).settledMicroUsd += row.amount;
    spending.total.settledMicroUsd += row.amount;
  }
  for (const row of reserved) {
    entry(row.alias).reservedMicroUsd += row.amount;
    spending.total.reservedMicroUsd += row.amount;
  }
  return spending;
}

/**
 * The first cap the new amount does not fit under, or undefined when all have room. An alias
 * cap binds only reservations for that alias.
 */
export function firstCapWithoutRoom(
  spending: PeriodSpending,
  request: Pick<ReservationRequest, "alias" | "caps" | "amountMicroUsd">,
): ReservationDenial | undefined {
  const { caps, amountMicroUsd } = request;
  for (const cap of caps) {
    if (cap.alias !== null && cap.alias !== request.alias) continue;
    const totals =
      cap.alias === null
        ? spending.total
        : (spending.byAlias[cap.alias] ?? { settledMicroUsd: 0, reservedMicroUsd: 0 });
    if (totals.settledMicroUsd + totals.reservedMicroUsd + amountMicroUsd > cap.limitMicroUsd) {
      return { cap, settledMicroUsd: totals.settledMicroUsd, reservedMicroUsd: totals.reservedMicroUsd };
    }
  }
  return undefined;
}
