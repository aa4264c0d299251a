/**
 * Fires budget alerts: each threshold of each budget once per period. A process remembers what
 * it has seen, so the common case costs nothing; the store's `claimAlert` makes "once" hold
 * across restarts and Brains. Delivery runs in the background and never fails a request.
 */

import type { BudgetStore } from "../store/budget-store.js";
import { type AlertSink, buildAlert, reachedThresholds } from "./budget-alerts.js";
import { usdFromMicro } from "./budget-money.js";
import type { BudgetPeriod } from "./budget-period.js";

export interface ThresholdAlertsOptions {
  store: Pick<BudgetStore, "claimAlert">;
  sinks: readonly AlertSink[];
  /** Ascending percentages. */
  thresholdsPercent: readonly number[];
  onError?: ((error: unknown, context: string) => void) | undefined;
  now: () => number;
}

export class ThresholdAlerts {
  private readonly seen = new Set<string>();
  private seenPeriod: string | undefined;
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly options: ThresholdAlertsOptions) {}

  /**
   * After a settle ("threshold"): fires every threshold the settled spend has newly reached.
   * After a refusal ("denied"): fires the thresholds of 100% and above, since for that request the
   * budget is exhausted even if reservations, not settled spend, filled it. The guard calls it only
   * for a request that would fit the cap on its own (spend and reservations left no room).
   */
  check(
    period: BudgetPeriod,
    budget: string,
    limitMicroUsd: number,
    settledMicroUsd: number,
    trigger: "threshold" | "denied",
  ): void {
    if (this.seenPeriod !== period.key) {
      this.seen.clear();
      this.seenPeriod = period.key;
    }
    const thresholds = this.options.thresholdsPercent;
    const reached =
      trigger === "denied"
        ? thresholds.filter((threshold) => threshold >= 100)
        : reachedThresholds(settledMicroUsd, limitMicroUsd, thresholds);
    for (const thresholdPercent of reached) {
      const key = `${budget}|${thresholdPercent}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      const alert = buildAlert({
        budget,
        thresholdPercent,
        limitUsd: usdFromMicro(limitMicroUsd),
        spentUsd: usdFromMicro(settledMicroUsd),
        trigger,
        periodKey: period.key,
        resetsAt: period.end,
        timeZone: period.timeZone,
      });
      this.track(async () => {
        const claimed = await this.options.store.claimAlert(
          period.key,
          budget,
          thresholdPercent,
          this.options.now(),
        );
        if (!claimed) return;
        for (const sink of this.options.sinks) {
          await sink
            .send(alert)
            .catch((error: unknown) => this.options.onError?.(error, `alert:${sink.name}`));
        }
      });
    }
  }

  /** Resolves when every alert fired so far has been delivered (or has failed). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private track(work: () => Promise<void>): void {
    const tracked = work().catch((error: unknown) => this.options.onError?.(error, "alert"));
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }
}
