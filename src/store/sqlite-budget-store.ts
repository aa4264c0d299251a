/**
 * The budget store on embedded SQLite, normally sharing the ledger's better-sqlite3 connection.
 * A reservation is one synchronous IMMEDIATE transaction — take the write lock, sum settled spend
 * and open reservations, insert only if every cap has room — so neither concurrent requests in
 * this process nor another process on the same file can push spend past a cap.
 *
 * With the ledger's write queue (the server's wiring) the store group-commits: a settle is
 * deferred to the end of its turn of the event loop, off the response path, and the reservations
 * asked for in one turn are decided together in one transaction at its end, after every queued
 * settle, so the caps they check are exact, never stale. Under load a paid request costs a
 * fraction of a commit instead of two. Reads commit the queue first.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { BUDGET_SCHEMA } from "./budget-schema.js";
import {
  type BudgetInstance,
  type BudgetStore,
  type FiredAlert,
  firstCapWithoutRoom,
  isInstanceGone,
  type PeriodSpending,
  type Rebooking,
  type ReservationHandle,
  type ReservationOutcome,
  type ReservationRequest,
  type SettleResult,
  sumSpending,
} from "./budget-store.js";
import { assertSqliteSchemaCurrent, migrateSqlite } from "./schema-migrations.js";
import type { SqliteWriteQueue } from "./sqlite-ledger.js";

interface AliasAmount {
  alias: string;
  amount: number;
}

interface InstanceRow {
  instance_id: string | null;
  hostname: string | null;
  pid: number | null;
  heartbeat_at: number | null;
  owner: string;
}

export interface SqliteBudgetStoreOptions {
  /** Close the connection on close(); false (default) when the ledger owns it. */
  ownsDatabase?: boolean;
  /** The ledger on the same connection: settles and reservations are group-committed through it. */
  writeQueue?: SqliteWriteQueue;
  /** A read-only connection (the report commands): the tables are checked, not migrated. */
  readOnly?: boolean;
}

export class SqliteBudgetStore implements BudgetStore {
  readonly database: Database.Database;
  private readonly ownsDatabase: boolean;
  private readonly writeQueue: SqliteWriteQueue | undefined;
  private readonly statements;
  private readonly reserveBody: (request: ReservationRequest) => ReservationOutcome;
  private readonly rebookBody: (reservation: ReservationHandle, booking: Rebooking) => SettleResult;
  private readonly reserveTransaction: Database.Transaction<
    (request: ReservationRequest) => ReservationOutcome
  >;
  private readonly rebookTransaction: Database.Transaction<
    (reservation: ReservationHandle, booking: Rebooking) => SettleResult
  >;
  private readonly clearTransaction: Database.Transaction<(now: number, staleAfterMs: number) => number>;
  /** Reservations waiting for the end of this turn of the event loop (with a write queue). */
  private waitingReservations: Array<{
    request: ReservationRequest;
    resolve: (outcome: ReservationOutcome) => void;
    reject: (error: unknown) => void;
  }> = [];

  /** A store with its own connection (WAL), for tools and tests that have no ledger open. */
  static open(path: string): SqliteBudgetStore {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    const database = new Database(path);
    database.pragma("journal_mode = WAL");
    database.pragma("synchronous = NORMAL");
    database.pragma("busy_timeout = 5000");
    return new SqliteBudgetStore(database, { ownsDatabase: true });
  }

  constructor(database: Database.Database, options: SqliteBudgetStoreOptions = {}) {
    this.database = database;
    this.ownsDatabase = options.ownsDatabase ?? false;
    this.writeQueue = options.writeQueue;
    if (options.readOnly) assertSqliteSchemaCurrent(database, BUDGET_SCHEMA);
    else migrateSqlite(database, BUDGET_SCHEMA);
    this.statements = {
      settled: database.prepare(
        "SELECT alias, settled_micro_usd AS amount FROM budget_spend WHERE period_key = ?",
      ),
      reserved: database.prepare(
        "SELECT alias, SUM(amount_micro_usd) AS amount FROM budget_reservations WHERE period_key = ? GROUP BY alias",
      ),
      insertReservation: database.prepare(
        `INSERT INTO budget_reservations (id, period_key, alias, amount_micro_usd, instance_id, started_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      deleteReservation: database.prepare("DELETE FROM budget_reservations WHERE id = ?"),
      shrinkReservation: database.prepare(
        "UPDATE budget_reservations SET amount_micro_usd = MIN(amount_micro_usd, ?) WHERE id = ?",
      ),
      addSpend: database.prepare(
        `INSERT INTO budget_spend (period_key, alias, settled_micro_usd, requests) VALUES (?, ?, ?, ?)
         ON CONFLICT (period_key, alias) DO UPDATE SET
           settled_micro_usd = settled_micro_usd + excluded.settled_micro_usd,
           requests = requests + excluded.requests`,
      ),
      settledTotals: database.prepare(
        `SELECT COALESCE(SUM(settled_micro_usd), 0) AS total,
                COALESCE(SUM(CASE WHEN alias = ? THEN settled_micro_usd END), 0) AS alias_total
         FROM budget_spend WHERE period_key = ?`,
      ),
      claimAlert: database.prepare(
        `INSERT INTO budget_alerts (period_key, budget, threshold_percent, fired_at) VALUES (?, ?, ?, ?)
         ON CONFLICT DO NOTHING`,
      ),
      firedAlerts: database.prepare(
        `SELECT budget, threshold_percent AS thresholdPercent, fired_at AS firedAt FROM budget_alerts
         WHERE period_key = ? ORDER BY fired_at, budget, threshold_percent`,
      ),
      upsertInstance: database.prepare(
        `INSERT INTO budget_instances (instance_id, hostname, pid, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (instance_id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at`,
      ),
      heartbeat: database.prepare("UPDATE budget_instances SET heartbeat_at = ? WHERE instance_id = ?"),
      deleteInstance: database.prepare("DELETE FROM budget_instances WHERE instance_id = ?"),
      deleteInstanceReservations: database.prepare("DELETE FROM budget_reservations WHERE instance_id = ?"),
      deleteExpired: database.prepare("DELETE FROM budget_reservations WHERE expires_at < ?"),
      owners: database.prepare(
        `SELECT DISTINCT r.instance_id AS owner, i.instance_id, i.hostname, i.pid, i.heartbeat_at
         FROM budget_reservations r LEFT JOIN budget_instances i ON i.instance_id = r.instance_id`,
      ),
    };
    const statements = this.statements;

    this.reserveBody = (request: ReservationRequest): ReservationOutcome => {
      const spending = sumSpending(
        statements.settled.all(request.periodKey) as AliasAmount[],
        statements.reserved.all(request.periodKey) as AliasAmount[],
      );
      const denial = firstCapWithoutRoom(spending, request);
      if (denial) return { granted: false, denial };
      statements.insertReservation.run(
        request.id,
        request.periodKey,
        request.alias,
        request.amountMicroUsd,
        request.instanceId,
        request.startedAt,
        request.expiresAt,
      );
      return { granted: true };
    };
    this.reserveTransaction = database.transaction(this.reserveBody);

    this.rebookBody = (reservation: ReservationHandle, booking: Rebooking): SettleResult => {
      const changed =
        booking.remainingMicroUsd > 0
          ? statements.shrinkReservation.run(booking.remainingMicroUsd, reservation.id)
          : statements.deleteReservation.run(reservation.id);
      const found = changed.changes === 1;
      statements.addSpend.run(
        reservation.periodKey,
        reservation.alias,
        booking.costMicroUsd,
        booking.requests,
      );
      const totals = statements.settledTotals.get(reservation.alias, reservation.periodKey) as {
        total: number;
        alias_total: number;
      };
      return { found, totalSettledMicroUsd: totals.total, aliasSettledMicroUsd: totals.alias_total };
    };
    this.rebookTransaction = database.transaction(this.rebookBody);

    this.clearTransaction = database.transaction((now: number, staleAfterMs: number) => {
      let cleared = statements.deleteExpired.run(now).changes;
      for (const row of statements.owners.all() as InstanceRow[]) {
        const instance =
          row.instance_id === null
            ? undefined
            : { hostname: row.hostname ?? "", pid: row.pid ?? 0, heartbeatAt: row.heartbeat_at ?? 0 };
        if (!isInstanceGone(instance, now, staleAfterMs)) continue;
        cleared += statements.deleteInstanceReservations.run(row.owner).changes;
        statements.deleteInstance.run(row.owner);
      }
      return cleared;
    });
  }

  async reserve(request: ReservationRequest): Promise<ReservationOutcome> {
    if (!this.writeQueue) return this.reserveTransaction.immediate(request);
    // Group commit: reservations asked for in the same turn of the event loop are decided in one
    // transaction, one after another (each sees the ones before it), at the end of the turn.
    return new Promise<ReservationOutcome>((resolve, reject) => {
      this.waitingReservations.push({ request, resolve, reject });
      if (this.waitingReservations.length === 1) setImmediate(() => this.reserveWaiting());
    });
  }

  private reserveWaiting(): void {
    const queue = this.writeQueue!;
    const waiting = this.waitingReservations;
    this.waitingReservations = [];
    let outcomes: ReservationOutcome[];
    try {
      outcomes = queue.transactWithQueued(() => waiting.map((entry) => this.reserveBody(entry.request)));
    } catch {
      // One by one, so a failure is only its own reservation's.
      for (const entry of waiting) {
        try {
          entry.resolve(queue.transactWithQueued(() => this.reserveBody(entry.request)));
        } catch (error) {
          entry.reject(error);
        }
      }
      return;
    }
    for (const [index, entry] of waiting.entries()) entry.resolve(outcomes[index]!);
  }

  async settle(reservation: ReservationHandle, costMicroUsd: number): Promise<SettleResult> {
    return this.rebook(reservation, { remainingMicroUsd: 0, costMicroUsd, requests: 1 });
  }

  async rebook(reservation: ReservationHandle, booking: Rebooking): Promise<SettleResult> {
    if (this.writeQueue) return this.writeQueue.defer(() => this.rebookBody(reservation, booking));
    return this.rebookTransaction.immediate(reservation, booking);
  }

  /** At once, not deferred: a release is on a failure path that is still answering its caller. */
  async release(reservation: ReservationHandle): Promise<boolean> {
    return this.statements.deleteReservation.run(reservation.id).changes === 1;
  }

  async spending(periodKey: string): Promise<PeriodSpending> {
    this.writeQueue?.writeNow();
    return sumSpending(
      this.statements.settled.all(periodKey) as AliasAmount[],
      this.statements.reserved.all(periodKey) as AliasAmount[],
    );
  }

  async firedAlerts(periodKey: string): Promise<FiredAlert[]> {
    this.writeQueue?.writeNow();
    return this.statements.firedAlerts.all(periodKey) as FiredAlert[];
  }

  async claimAlert(periodKey: string, budget: string, thresholdPercent: number, firedAt: number) {
    return this.statements.claimAlert.run(periodKey, budget, thresholdPercent, firedAt).changes === 1;
  }

  async registerInstance(instance: BudgetInstance): Promise<void> {
    this.statements.upsertInstance.run(
      instance.instanceId,
      instance.hostname,
      instance.pid,
      instance.startedAt,
      instance.startedAt,
    );
  }

  async heartbeat(instanceId: string, now: number): Promise<void> {
    this.statements.heartbeat.run(now, instanceId);
  }

  async unregisterInstance(instanceId: string): Promise<void> {
    this.writeQueue?.writeNow();
    this.database.transaction(() => {
      this.statements.deleteInstanceReservations.run(instanceId);
      this.statements.deleteInstance.run(instanceId);
    })();
  }

  async clearStaleReservations(now: number, staleAfterMs: number): Promise<number> {
    this.writeQueue?.writeNow();
    return this.clearTransaction.immediate(now, staleAfterMs);
  }

  async close(): Promise<void> {
    if (this.ownsDatabase && this.database.open) this.database.close();
  }
}
