/**
 * Budget alerts: what one says and where it goes. An alert fires when settled spend crosses a
 * threshold of a budget (the monthly total or an alias ceiling), exactly once per period — the
 * store's `claimAlert` decides who fires it, so a restart or a second Brain never repeats it.
 * A refused request also counts as reaching 100%: the budget is, for that request, exhausted —
 * unless its worst case alone is larger than the whole cap, which no spending could make room for.
 */
import { formatUsd } from "./budget-money.js";
import { formatResetTime } from "./budget-period.js";

export interface BudgetAlert {
  /** "monthly" or the alias whose ceiling this is. */
  budget: string;
  thresholdPercent: number;
  limitUsd: number;
  /** Settled spend when it fired. */
  spentUsd: number;
  /** "threshold": spend crossed it; "denied": a request was refused by this budget. */
  trigger: "threshold" | "denied";
  periodKey: string;
  resetsAt: Date;
  timeZone: string;
  /** Short, for a notification title. */
  title: string;
  /** One or two sentences for a person. */
  message: string;
}

/** Where alerts go. A sink that throws loses that alert (it has been claimed); the caller logs. */
export interface AlertSink {
  readonly name: string;
  send(alert: BudgetAlert): Promise<void>;
}

/** Anything with pino's `warn(object, message)`. */
export interface AlertLogger {
  warn(details: object, message: string): void;
}

export function logAlertSink(logger: AlertLogger): AlertSink {
  return {
    name: "log",
    async send(alert) {
      logger.warn(
        {
          budget: alert.budget,
          thresholdPercent: alert.thresholdPercent,
          limitUsd: alert.limitUsd,
          spentUsd: alert.spentUsd,
          trigger: alert.trigger,
          period: alert.periodKey,
          resetsAt: alert.resetsAt.toISOString(),
        },
        alert.message,
      );
    },
  };
}

/** Thresholds (ascending) that `spent` has reached for a budget of `limit`. */
export function reachedThresholds(
  spentMicroUsd: number,
  limitMicroUsd: number,
  thresholds: readonly number[],
) {
  if (limitMicroUsd <= 0) return spentMicroUsd > 0 ? [...thresholds] : [];
  return thresholds.filter((threshold) => spentMicroUsd * 100 >= threshold * limitMicroUsd);
}

export function buildAlert(fields: Omit<BudgetAlert, "title" | "message">): BudgetAlert {
  const name = fields.budget === "monthly" ? "Monthly budget" : `${fields.budget} budget`;
  const title = `Switchyard: ${name} at ${fields.thresholdPercent}%`;
  const spent = `${formatUsd(fields.spentUsd)} of ${formatUsd(fields.limitUsd)} spent`;
  const resets = `resets ${formatResetTime(fields.resetsAt, fields.timeZone)}`;
  const message =
    fields.trigger === "denied"
      ? `${name} exhausted: a request was refused (${spent}; the rest is reserved or too little for it); ${resets}.`
      : `${name} has reached ${fields.thresholdPercent}%: ${spent}; ${resets}.`;
  return { ...fields, title, message };
}
