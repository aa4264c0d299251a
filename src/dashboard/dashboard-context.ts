/**
 * What the dashboard's routes share: the runtime's data, the hourly rollup, the live feed, the
 * runs source, the guard and the clock — and a cached calibration report, which reads up to a
 * year of rows and so is worked out at most once a minute per window.
 */
import type { SwitchyardRuntime } from "../core/switchyard-runtime.js";
import { type CalibrationReport, calibrate } from "../planning/calibration-report.js";
import type { DashboardGuard } from "./dashboard-auth.js";
import type { LedgerRollup } from "./ledger-rollup.js";
import type { LiveFeed } from "./live-feed.js";
import type { RunsSource } from "./runs-source.js";

const CALIBRATION_CACHE_MS = 60_000;
const DAY_MS = 86_400_000;

export interface DashboardContext {
  runtime: SwitchyardRuntime;
  rollup: LedgerRollup;
  feed: LiveFeed;
  runs: RunsSource;
  guard: DashboardGuard;
  now: () => number;
  calibration(days: number): Promise<CalibrationReport>;
}

export function calibrationCache(
  runtime: SwitchyardRuntime,
  now: () => number,
): (days: number) => Promise<CalibrationReport> {
  const cached = new Map<number, { at: number; report: Promise<CalibrationReport> }>();
  return (days) => {
    const at = now();
    const entry = cached.get(days);
    if (entry && at - entry.at < CALIBRATION_CACHE_MS) return entry.report;
    const window = { startMs: at - days * DAY_MS, endMs: at + 1 };
    const report = Promise.all([
      runtime.ledger.between(window.startMs, window.endMs),
      runtime.stores.evals.between(window.startMs, window.endMs),
    ]).then(([rows, evalResults]) => calibrate(rows, runtime.config, window, evalResults));
    cached.set(days, { at, report });
    report.catch(() => cached.delete(days));
    return report;
  };
}
