/**
 * The budget store on PostgreSQL, for one or several Brains sharing a database. A reservation is
 * a transaction that first takes an advisory lock for its period (`pg_advisory_xact_lock`), then
 * sums and inserts: reservations for one period are serialised across every connection of every
 * Brain, so none can overspend; different periods never wait for each other.
 */
import type pg from "pg";
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
import { migratePostgres, SWITCHYARD_LOCK_CLASS } from "./schema-migrations.js";

const SPENDING_SQL = `
  SELECT 's' AS kind, alias, settled_micro_usd AS amount FROM budget_spend WHERE period_key = $1
  UNION ALL
  SELECT 'r' AS kind, alias, SUM(amount_micro_usd) AS amount FROM budget_reservations
  WHERE period_key = $1 GROUP BY alias`;

// One statement, so it is atomic on its own: shrink the reservation ($5 > 0) or delete it, and
// book the cost. The sum over the other aliases reads the snapshot from before the upsert, hence
// "other aliases + the upserted row".
const REBOOK_SQL = `
  WITH deleted AS (DELETE FROM budget_reservations WHERE id = $1 AND $5::bigint = 0 RETURNING 1),
  shrunk AS (
    UPDATE budget_reservations SET amount_micro_usd = LEAST(amount_micro_usd, $5::bigint)
    WHERE id = $1 AND $5::bigint > 0 RETURNING 1),
  upserted AS (
    INSERT INTO budget_spend (period_key, alias, settled_micro_usd, requests) VALUES ($2, $3, $4, $6)
    ON CONFLICT (period_key, alias) DO UPDATE SET
      settled_micro_usd = budget_spend.settled_micro_usd + excluded.settled_micro_usd,
      requests = budget_spend.requests + excluded.requests
    RETURNING settled_micro_usd)
  SELECT (SELECT count(*) FROM deleted) + (SELECT count(*) FROM shrunk) AS found,
         (SELECT settled_micro_usd FROM upserted) AS alias_total,
         (SELECT settled_micro_usd FROM upserted)
           + (SELECT COALESCE(SUM(settled_micro_usd), 0) FROM budget_spend WHERE period_key = $2 AND alias <> $3)
           AS total`;

interface SpendingRow {
  kind: "s" | "r";
  alias: string;
  amount: string;
}

export class PostgresBudgetStore implements BudgetStore {
  /** Applies pending migrations; the pool stays the caller's (it is shared with the ledger). */
  static async open(pool: pg.Pool): Promise<PostgresBudgetStore> {
    await migratePostgres(pool, BUDGET_SCHEMA);
    return new PostgresBudgetStore(pool);
  }

  private constructor(readonly pool: pg.Pool) {}

  async reserve(request: ReservationRequest): Promise<ReservationOutcome> {
    const client = await this.pool.connect();
    try {
      // Both lock keys are integers computed here, so the one-round-trip text query is safe.
      await client.query(
        `BEGIN; SELECT pg_advisory_xact_lock(${SWITCHYARD_LOCK_CLASS}, ${periodLockKey(request.periodKey)})`,
      );
      // Under READ COMMITTED this statement's snapshot is taken after the lock is held, so it sees
      // every reservation committed by the previous holder.
      const result = await client.query<SpendingRow>(SPENDING_SQL, [request.periodKey]);
      const denial = firstCapWithoutRoom(spendingFromRows(result.rows), request);
      if (denial) {
        await client.query("ROLLBACK");
        return { granted: false, denial };
      }
      await client.query(
        `INSERT INTO budget_reservations (id, period_key, alias, amount_micro_usd, instance_id, started_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          request.id,
          request.periodKey,
          request.alias,
          request.amountMicroUsd,
          request.instanceId,
          request.startedAt,
          request.expiresAt,
        ],
      );
      await client.query("COMMIT");
      return { granted: true };
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  async settle(reservation: ReservationHandle, costMicroUsd: number): Promise<SettleResult> {
    return this.rebook(reservation, { remainingMicroUsd: 0, costMicroUsd, requests: 1 });
  }

  async rebook(reservation: ReservationHandle, booking: Rebooking): Promise<SettleResult> {
    const result = await this.pool.query<{ found: string; alias_total: string; total: string }>(REBOOK_SQL, [
      reservation.id,
      reservation.periodKey,
      reservation.alias,
      booking.costMicroUsd,
      booking.remainingMicroUsd,
      booking.requests,
    ]);
    const row = result.rows[0]!;
    return {
      found: Number(row.found) === 1,
      totalSettledMicroUsd: Number(row.total),
      aliasSettledMicroUsd: Number(row.alias_total),
    };
  }

  async release(reservation: ReservationHandle): Promise<boolean> {
    const result = await this.pool.query("DELETE FROM budget_reservations WHERE id = $1", [reservation.id]);
    return result.rowCount === 1;
  }

  async spending(periodKey: string): Promise<PeriodSpending> {
    const result = await this.pool.query<SpendingRow>(SPENDING_SQL, [periodKey]);
    return spendingFromRows(result.rows);
  }

  async claimAlert(periodKey: string, budget: string, thresholdPercent: number, firedAt: number) {
    const result = await this.pool.query(
      `INSERT INTO budget_alerts (period_key, budget, threshold_percent, fired_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING`,
      [periodKey, budget, thresholdPercent, firedAt],
    );
    return result.rowCount === 1;
  }

  async firedAlerts(periodKey: string): Promise<FiredAlert[]> {
    const result = await this.pool.query<{ budget: string; threshold_percent: number; fired_at: string }>(
      `SELECT budget, threshold_percent, fired_at FROM budget_alerts WHERE period_key = $1
       ORDER BY fired_at, budget, threshold_percent`,
      [periodKey],
    );
    return result.rows.map((row) => ({
      budget: row.budget,
      thresholdPercent: Number(row.threshold_percent),
      firedAt: Number(row.fired_at),
    }));
  }

  async registerInstance(instance: BudgetInstance): Promise<void> {
    await this.pool.query(
      `INSERT INTO budget_instances (instance_id, hostname, pid, started_at, heartbeat_at) VALUES ($1, $2, $3, $4, $4)
       ON CONFLICT (instance_id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at`,
      [instance.instanceId, instance.hostname, instance.pid, instance.startedAt],
    );
  }

  async heartbeat(instanceId: string, now: number): Promise<void> {
    await this.pool.query("UPDATE budget_instances SET heartbeat_at = $1 WHERE instance_id = $2", [
      now,
      instanceId,
    ]);
  }

  async unregisterInstance(instanceId: string): Promise<void> {
    await this.pool.query(
      `WITH released AS (DELETE FROM budget_reservations WHERE instance_id = $1)
       DELETE FROM budget_instances WHERE instance_id = $1`,
      [instanceId],
    );
  }

  async clearStaleReservations(now: number, staleAfterMs: number): Promise<number> {
    const expired = await this.pool.query("DELETE FROM budget_reservations WHERE expires_at < $1", [now]);
    const owners = await this.pool.query<{
      owner: string;
      instance_id: string | null;
      hostname: string | null;
      pid: string | null;
      heartbeat_at: string | null;
    }>(
      `SELECT DISTINCT r.instance_id AS owner, i.instance_id, i.hostname, i.pid, i.heartbeat_at
       FROM budget_reservations r LEFT JOIN budget_instances i ON i.instance_id = r.instance_id`,
    );
    const gone = owners.rows
      .filter((row) =>
        isInstanceGone(
          row.instance_id === null
            ? undefined
            : { hostname: row.hostname ?? "", pid: Number(row.pid), heartbeatAt: Number(row.heartbeat_at) },
          now,
          staleAfterMs,
        ),
      )
      .map((row) => row.owner);
    if (gone.length === 0) return expired.rowCount ?? 0;
    const cleared = await this.pool.query(
      `WITH forgotten AS (DELETE FROM budget_instances WHERE instance_id = ANY($1))
       DELETE FROM budget_reservations WHERE instance_id = ANY($1)`,
      [gone],
    );
    return (expired.rowCount ?? 0) + (cleared.rowCount ?? 0);
  }

  /** The pool belongs to whoever opened it (openStores); nothing to release here. */
  async close(): Promise<void> {}
}

function spendingFromRows(rows: SpendingRow[]): PeriodSpending {
  const amounts = (kind: "s" | "r") =>
    rows.filter((row) => row.kind === kind).map((row) => ({ alias: row.alias, amount: Number(row.amount) }));
  return sumSpending(amounts("s"), amounts("r"));
}

/** FNV-1a of the period key as a signed 32-bit integer: the second key of the advisory lock. */
function periodLockKey(periodKey: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < periodKey.length; index++) {
    hash ^= periodKey.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}
